"""One call for the command line and the background job: a strategy document or an M&E report as a file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period, PeriodError, parse_period
from cyberplan.core.models import User
from cyberplan.reports.service import Produced, in_language, languages

from ..budget import currency_error
from ..models import Strategy
from .content import (
    KINDS,
    MONITORING,
    STRATEGY,
    Document,
    ReportError,
    build_monitoring_document,
    build_strategy_document,
)
from .render import render_document

__all__ = ["Produced", "build", "check_report_currency", "languages", "produce", "read_period"]


def read_period(text: str | Period | None) -> Period:
    """``text`` as a reporting period; ``ReportError`` saying how to write one."""
    if isinstance(text, Period):
        return text
    if not text:
        raise ReportError(_("Say which period the monitoring report covers, e.g. 2026, 2026-Q3 or 2026-11."))
    try:
        return parse_period(text)
    except PeriodError:
        raise ReportError(
            _(
                "Write the period as a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days "
                "(2026-01-01..2026-03-31), not %(text)r."
            )
            % {"text": str(text)[:40]}
        ) from None


def check_report_currency(currency: str | None) -> str:
    """``currency`` as an ISO 4217 code ("" for the plan currency); ``ReportError`` when it is not one."""
    code = str(currency or "").strip().upper()
    if not code:
        return ""
    error = currency_error(code)
    if error:
        raise ReportError(error)
    return code


def build(
    strategy: Strategy,
    kind: str,
    *,
    version: int | None = None,
    period: str | Period | None = None,
    reader: User | None = None,
    currency: str = "",
) -> Document:
    """The document's content in the active language (``currency``: the M&E report's budget amounts)."""
    if kind == STRATEGY:
        return build_strategy_document(strategy, version, reader)
    if kind == MONITORING:
        return build_monitoring_document(strategy, read_period(period), reader, check_report_currency(currency))
    raise ReportError(f"unknown document {kind!r}: use one of {', '.join(KINDS)}")


def produce(
    strategy: Strategy,
    kind: str,
    language: str,
    fmt: str,
    version: int | None = None,
    period: str | Period | None = None,
    reader: User | None = None,
    currency: str = "",
) -> Produced:
    """The strategy document (``kind`` "strategy") or the M&E report ("monitoring") as ``fmt`` in ``language``.

    ``version`` picks a version of the strategy document (default: the latest published version,
    else the working copy, marked as a draft); ``period`` is the M&E report's reporting period.
    ``reader`` is the person the document is made for: the gaps, assessment and threat events it
    shows are those they may read (None: the operator on the command line, who reads everything up
    to the document's TLP label). ``ReportError`` says why a document cannot be made.
    """

    def make() -> Produced:
        document = build(strategy, kind, version=version, period=period, reader=reader, currency=currency)
        content = render_document(document, fmt)
        return Produced(content, f"{document.file_stem}-{language}.{fmt}", document=document)

    return in_language(language, fmt, make, ReportError)
