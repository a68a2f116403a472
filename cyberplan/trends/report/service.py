"""One call for the command line and the background job: the trends report of an organisation as a file."""

from __future__ import annotations

from collections.abc import Iterable

from cyberplan.analytics.periods import Period
from cyberplan.core.models import Organisation
from cyberplan.reports.service import Produced, in_language, languages
from cyberplan.threats.store import event_store

from ..store import analytics_engine
from .content import build_report
from .render import render_report

__all__ = ["Produced", "file_name", "languages", "produce"]


def file_name(organisation: Organisation, period: Period, language: str, fmt: str) -> str:
    label = period.label.replace("..", "_")
    return f"trends-{organisation.slug}-{label}-{language}.{fmt}"


def produce(
    organisation: Organisation,
    period: Period,
    *,
    language: str,
    fmt: str,
    audience: str,
    readable: Iterable[str] | None = None,
    granted_as: str = "",
) -> Produced:
    """The report of ``organisation`` for ``period`` in ``language`` and format ``fmt``.

    ``audience`` is the report's TLP marking; ``readable`` the labels the requester may read
    (``None`` for the operator on the command line, who reads the store itself). ``details`` gives
    the events counted and the charts drawn (the others say in words that they have no data).
    """

    def make() -> Produced:
        engine = analytics_engine()
        try:
            report = build_report(
                organisation, event_store(organisation), period, audience, readable, engine, granted_as=granted_as
            )
            content = render_report(report, fmt)
        finally:
            engine.close()
        charts = sum(1 for chart in report.charts() if chart.spec)
        details = {"events": report.events, "charts": charts}
        return Produced(content, file_name(organisation, period, language, fmt), details, report)

    return in_language(language, fmt, make)
