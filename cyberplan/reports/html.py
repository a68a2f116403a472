"""HTML and PDF: one template gives both, and the PDF renderer fetches nothing from anywhere.

Charts are inlined as SVG ``data:`` URLs and the style sheet is inlined, so WeasyPrint is given a
URL fetcher that accepts ``data:`` URLs only: rendering never reaches the network or the file system.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from .marking import TLP_COLOURS, marking


def offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads ``data:`` URLs and refuses every other URL."""
    from weasyprint.urls import URLFetcher  # heavy: loaded when a PDF is made, not at start-up

    return URLFetcher(allowed_protocols=["data"], timeout=1, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML document."""
    from weasyprint import HTML  # heavy: loaded when a PDF is made, not at start-up

    pdf: bytes = HTML(string=html, url_fetcher=offline_fetcher()).write_pdf()
    return pdf


def css_string(text: str) -> SafeString:
    """``text`` as a CSS string literal: every character but letters, digits and spaces escaped.

    Only fixed, translated text goes into the style sheet this way (never user text); escaping
    keeps a translation with a quote or a backslash from ending the string.
    """
    parts = []
    for char in text:
        if char.isascii() and (char.isalnum() or char == " "):
            parts.append(char)
        else:
            parts.append(f"\\{ord(char):06x}")
    return mark_safe('"' + "".join(parts) + '"')  # noqa: S308 -- every other character is escaped above


def page_context(
    *, tlp: str, tlp_note: str, language: str, for_pdf: bool, notices: Sequence[str] = ()
) -> dict[str, Any]:
    """What the page template ``reports/document.html`` needs besides a report's own content.

    The marking goes into the banners of the HTML and into the PDF's page margins (as an escaped
    CSS string); ``notices`` (a draft, an illustrative document) follow it in the banners.
    """
    return {
        "tlp": tlp,
        "marking": marking(tlp),
        "marking_css": css_string(marking(tlp)),
        "colour": TLP_COLOURS[tlp],
        "tlp_note": tlp_note,
        "language": language,
        "notices": list(notices),
        "for_pdf": for_pdf,
    }
