"""The period a regional report covers: a year or a quarter, as the packages do (light: the request page loads it)."""

from __future__ import annotations

from cyberplan.analytics.periods import Period, PeriodError, parse_period


def report_period(text: str) -> Period:
    """A year or a quarter, as the packages cover; ``ValueError`` in words otherwise."""
    try:
        period = parse_period(text.strip())
    except PeriodError as exc:
        raise ValueError(str(exc)) from None
    if period.kind not in ("year", "quarter"):
        raise ValueError(f"{text!r}: a regional report covers a year (2026) or a quarter (2026-Q2)")
    return period
