"""One call for the command line and the background job: the trends report of an organisation as a file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cyberplan.analytics.periods import Period
from cyberplan.core.models import Organisation
from cyberplan.reports.service import Produced, in_language, languages
from cyberplan.threats.access import ReadableStore
from cyberplan.threats.store import event_store

from ..store import analytics_engine
from .content import build_report, build_report_together
from .render import render_report

__all__ = ["Produced", "file_name", "languages", "produce", "produce_together"]


def file_name(organisation: Organisation, period: Period, language: str, fmt: str, *, together: bool = False) -> str:
    label = period.label.replace("..", "_")
    stores = "-all-stores" if together else ""
    return f"trends-{organisation.slug}{stores}-{label}-{language}.{fmt}"


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


def produce_together(
    organisation: Organisation,
    stores: Sequence[ReadableStore],
    period: Period,
    *,
    language: str,
    fmt: str,
    audience: str,
) -> Produced:
    """The report of every store in ``stores`` read together, made for ``organisation`` (the reader's):
    each store at the labels its reader reads there (``ReadableStore.labels``), named as figures name it."""

    def make() -> Produced:
        engine = analytics_engine()
        try:
            parts = [(event_store(store.owner), store.labels, store.describe()) for store in stores]
            report = build_report_together(organisation, parts, period, audience, engine)
            content = render_report(report, fmt)
        finally:
            engine.close()
        charts = sum(1 for chart in report.charts() if chart.spec)
        details = {"events": report.events, "charts": charts, "stores": len(stores)}
        return Produced(content, file_name(organisation, period, language, fmt, together=True), details, report)

    return in_language(language, fmt, make)
