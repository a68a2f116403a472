"""What every report shares around its content: the formats, the languages, and the file it becomes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from .html import html_to_pdf

FORMATS = ("pdf", "html", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

T = TypeVar("T")

#: The steps every report goes through as it is made, as translatable keys (English text).
GATHERING = gettext_noop("gathering the figures")
WRITING = gettext_noop("drawing the charts and writing the document")
TO_PDF = gettext_noop("turning the document into PDF")

_on_step: ContextVar[Callable[[str], None] | None] = ContextVar("report_step", default=None)


@contextmanager
def reporting_steps(on_step: Callable[[str], None]) -> Iterator[None]:
    """While a report is made in this block, ``on_step`` is called with each step as it starts."""
    token = _on_step.set(on_step)
    try:
        yield
    finally:
        _on_step.reset(token)


def _step(key: str) -> None:
    on_step = _on_step.get()
    if on_step is not None:
        on_step(key)


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
        _step(GATHERING)
        return make()


def render(
    document: T,
    fmt: str,
    *,
    html: Callable[[T, bool], str],
    docx: Callable[[T], bytes],
) -> bytes:
    """``document`` as ``fmt``: ``html(document, for_pdf)`` gives the HTML of both HTML and PDF."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    _step(WRITING)
    if fmt == "html":
        return html(document, False).encode("utf-8")
    if fmt == "pdf":
        text = html(document, True)
        _step(TO_PDF)
        return html_to_pdf(text)
    if fmt == "docx":
        return docx(document)
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
