"""One call for the command line and the background job: a review's report as a file."""

from __future__ import annotations

from cyberplan.core.models import User
from cyberplan.reports.service import Produced, in_language

from ..models import Review
from .content import build_report
from .render import render_report

__all__ = ["Produced", "file_name", "produce"]


def file_name(review: Review, language: str, fmt: str) -> str:
    return f"legal-{review.pk}-{str(review.country).lower()}-{review.date.isoformat()}-{language}.{fmt}"


def produce(review: Review, *, language: str, fmt: str, reader: User | None = None) -> Produced:
    """The report of ``review`` in ``language`` and format ``fmt``; with ``reader``, within what they may read."""

    def make() -> Produced:
        report = build_report(review, reader)
        return Produced(render_report(report, fmt), file_name(review, language, fmt), document=report)

    return in_language(language, fmt, make)
