"""One call for the command line and the background job: a regional programme's report as a file."""

from __future__ import annotations

from cyberplan.core.models import Organisation, User
from cyberplan.reports.service import Produced, in_language

from .document import build_report
from .render import render_report

__all__ = ["Produced", "file_name", "produce"]


def file_name(programme: Organisation, period: str, language: str, fmt: str) -> str:
    return f"regional-{programme.slug}-{period}-{language}.{fmt}"


def produce(programme: Organisation, period: str, *, language: str, fmt: str, reader: User | None = None) -> Produced:
    """The report in ``language`` and format ``fmt``; with ``reader``, only the packages they may read."""

    def make() -> Produced:
        report = build_report(programme, period, reader)
        details = {"members": len(report.content.current), "tlp": report.tlp}
        return Produced(render_report(report, fmt), file_name(programme, report.period, language, fmt), details, report)

    return in_language(language, fmt, make)
