"""One call for the command line and the background job: an organisation's capacity-building report as a file."""

from __future__ import annotations

from cyberplan.core.models import Organisation, User
from cyberplan.reports.service import Produced, in_language

from .content import build_report
from .render import render_report

__all__ = ["Produced", "file_name", "produce"]


def file_name(organisation: Organisation, year: int, language: str, fmt: str) -> str:
    return f"training-{organisation.slug}-{year}-{language}.{fmt}"


def produce(
    organisation: Organisation, year: int, *, tlp: str, language: str, fmt: str, reader: User | None = None
) -> Produced:
    """The report in ``language`` and format ``fmt``; with ``reader``, only the programmes they may read."""

    def make() -> Produced:
        report = build_report(organisation, year, tlp, reader)
        this_year = report.figures.this_year
        details = {"sessions": this_year.sessions, "people": this_year.participants}
        return Produced(render_report(report, fmt), file_name(organisation, year, language, fmt), details, report)

    return in_language(language, fmt, make)
