"""One call for the command line and the background job: the report of an organisation as a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from cyberplan.analytics.periods import Period
from cyberplan.core.models import Organisation
from cyberplan.threats.store import event_store

from ..store import analytics_engine
from .content import build_report
from .render import FORMATS, render_report


@dataclass(frozen=True)
class Produced:
    content: bytes
    file_name: str
    events: int
    charts: int  # charts drawn (the others say in words that they have no data)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


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
) -> Produced:
    """The report of ``organisation`` for ``period`` in ``language`` and format ``fmt``.

    ``audience`` is the report's TLP marking; ``readable`` the labels the requester may read
    (``None`` for the operator on the command line, who reads the store itself).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    if language not in languages():
        raise ValueError(f"unknown language {language!r}: use one of {', '.join(languages())}")
    engine = analytics_engine()
    try:
        with translation.override(language):
            report = build_report(organisation, event_store(organisation), period, audience, readable, engine)
            content = render_report(report, fmt)
    finally:
        engine.close()
    charts = sum(1 for chart in report.charts() if chart.spec)
    return Produced(content, file_name(organisation, period, language, fmt), report.events, charts)
