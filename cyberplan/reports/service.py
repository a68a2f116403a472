"""What every report shares around its content: the formats, the languages, and the file it becomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation

from .html import html_to_pdf

FORMATS = ("pdf", "html", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

T = TypeVar("T")


@dataclass(frozen=True)
class Produced:
    """A report as a file: its bytes and its name, with what the command and the job say about it."""

    content: bytes
    file_name: str
    #: figures the job returns as its result and the command may print (events counted, charts drawn)
    details: dict[str, Any] = field(default_factory=dict)
    #: the content the file was rendered from, for a caller that describes it
    document: Any = None


def languages() -> list[str]:
    """The languages a report may be written in: those of the platform."""
    return [code for code, _name in settings.LANGUAGES]


def check_request(language: str, fmt: str, error: type[Exception] = ValueError) -> None:
    """Raise ``error`` naming the unknown format or language (for the command line and the job)."""
    if fmt not in FORMATS:
        raise error(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if language not in languages():
        raise error(f"unknown language {language!r}: use one of {', '.join(languages())}")


def in_language(language: str, fmt: str, make: Callable[[], T], error: type[Exception] = ValueError) -> T:
    """``make()`` run in ``language`` once the format and the language are known to be valid."""
    check_request(language, fmt, error)
    with translation.override(language):
        return make()


def render(
    document: T,
    fmt: str,
    *,
    html: Callable[[T, bool], str],
    docx: Callable[[T], bytes],
) -> bytes:
    """``document`` as ``fmt``: ``html(document, for_pdf)`` gives the HTML of both HTML and PDF."""
    if fmt == "html":
        return html(document, False).encode("utf-8")
    if fmt == "pdf":
        return html_to_pdf(html(document, True))
    if fmt == "docx":
        return docx(document)
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
