"""Numbers, shares, days and periods in words, in the active language: the same in every report.

No share is ever a percentage of nothing: :func:`share` gives None when the whole is zero, and the
report says so in words instead.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period


def number(value: int | float) -> str:
    """A count with the active language's thousands separator."""
    return formats.number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)


def decimal(value: float, places: int = 1) -> str:
    return formats.number_format(round(value, places), decimal_pos=places, use_l10n=True, force_grouping=True)


def share(part: int | float, whole: int | float) -> str | None:
    """``part`` as a percentage of ``whole``; None when the whole is zero (no share of nothing)."""
    if not whole or whole <= 0:
        return None
    value = 100.0 * float(part) / float(whole)
    if 0 < value < 0.1:
        return _("less than %(value)s%%") % {"value": decimal(0.1)}
    return _("%(value)s%%") % {"value": decimal(value)}


def signed_percent(change: float) -> str:
    value = 100.0 * change
    text = _("%(value)s%%") % {"value": decimal(abs(value))}
    sign = "+" if value > 0 else "\N{MINUS SIGN}" if value < 0 else ""
    return sign + text


def day(value: dt.date) -> str:
    """A day in words in the active language (``1 de julio de 2026``)."""
    return formats.date_format(value, "DATE_FORMAT")


def period_name(period: Period) -> str:
    """The period in words: a year, a quarter, a month, or a range of days."""
    if period.kind == "year":
        return _("the year %(year)s") % {"year": period.start.year}
    if period.kind == "quarter":
        return _("quarter %(quarter)s of %(year)s") % {
            "quarter": (period.start.month - 1) // 3 + 1,
            "year": period.start.year,
        }
    if period.kind == "month":
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT")
    return _("%(first)s to %(last)s") % {"first": day(period.start), "last": day(period.last_day)}


def period_range(period: Period) -> str:
    return _("%(first)s to %(last)s") % {"first": day(period.start), "last": day(period.last_day)}
