"""SVG drawings as markup for a web page, and as ``data:`` URLs for the HTML and PDF documents."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from . import charts

_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def safe_svg(svg: str | None) -> SafeString | None:
    """An SVG from the chart renderer, which escapes every text it draws, as markup for the page.

    A chart that is not a plain SVG document, or that holds scripts, is not shown.
    """
    if not svg:
        return None
    text = svg.strip()
    lowered = text.lower()
    if not lowered.startswith("<svg") or any(bad in lowered for bad in ("<script", "<foreignobject", "javascript:")):
        return None
    # Scale to the column: the root keeps its viewBox, loses its fixed size.
    end = text.index(">")
    root = _SIZE.sub("", text[:end]) + ' width="100%"'
    return mark_safe(root + text[end:])  # noqa: S308 - checked above; vl-convert escapes text content and attributes


def chart_markup(spec: Mapping[str, Any] | None) -> SafeString | None:
    """A chart drawn for a web page (None when there is no chart)."""
    return safe_svg(charts.to_svg(spec)) if spec else None


def chart_uri(spec: Mapping[str, Any]) -> str:
    """A chart drawn as an SVG ``data:`` URL, for a document that must fetch nothing."""
    return "data:image/svg+xml;base64," + base64.b64encode(charts.to_svg(spec).encode("utf-8")).decode("ascii")
