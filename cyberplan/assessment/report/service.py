"""One call for the command line and the background job: an assessment's report as a file."""

from __future__ import annotations

from cyberplan.reports.service import Produced, in_language, languages

from ..models import Assessment
from .content import build_report
from .render import render_report

__all__ = ["Produced", "file_name", "languages", "produce"]


def file_name(assessment: Assessment, language: str, fmt: str) -> str:
    return (
        f"assessment-{assessment.pk}-{str(assessment.country).lower()}-{assessment.date.isoformat()}-{language}.{fmt}"
    )


def produce(assessment: Assessment, *, language: str, fmt: str) -> Produced:
    """The report of ``assessment`` in ``language`` and format ``fmt``."""

    def make() -> Produced:
        report = build_report(assessment, language)
        return Produced(render_report(report, fmt), file_name(assessment, language, fmt), document=report)

    return in_language(language, fmt, make)
