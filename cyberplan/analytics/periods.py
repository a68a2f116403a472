"""Reporting periods: a year, a quarter, a month or a date range, with the periods to compare."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|,)\s*(\d{4}-\d{2}-\d{2})$")


#: Years a period may fall in: its previous period and the year before must be dates too.
MIN_YEAR = 1900
MAX_YEAR = 9998


class PeriodError(ValueError):
    """A period the user wrote that cannot be understood."""


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}")


@dataclass(frozen=True)
class Period:
    """Days ``start`` (included) to ``end`` (excluded), UTC, with the kind it was written as."""

    start: dt.date
    end: dt.date
    kind: str  # year, quarter, month, range

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """The period as it is written on the command line (``2026-Q3``, ``2026-11``, ...)."""
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    def previous(self) -> Period:
        """The period of the same kind and length just before this one."""
        if self.kind == "year":
            return Period(dt.date(self.start.year - 1, 1, 1), self.start, "year")
        if self.kind in ("quarter", "month"):
            months = 3 if self.kind == "quarter" else 1
            return Period(_add_months(self.start, -months), self.start, self.kind)
        return Period(self.start - dt.timedelta(days=self.days), self.start, "range")

    def year_earlier(self) -> Period:
        """The same period one year earlier (29 February falls back to the 28th)."""
        return Period(_minus_year(self.start), _minus_year(self.end), self.kind)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Midnight UTC at the start and at the end."""
        return _midnight(self.start), _midnight(self.end)

    def granularity(self) -> str:
        """The time step charts use for this period: day, week or month."""
        if self.days <= 62:
            return "day"
        if self.days <= 190:
            return "week"
        return "month"


def parse_period(text: str) -> Period:
    """``2026``, ``2026-Q3``, ``2026-11`` or ``2026-01-01..2026-03-31`` (both days included)."""
    value = text.strip()
    if match := _YEAR.match(value):
        year = int(match.group(1))
        _check_year(text, year)
        return Period(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), "year")
    if match := _QUARTER.match(value):
        year, quarter = int(match.group(1)), int(match.group(2))
        _check_year(text, year)
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        return Period(start, _add_months(start, 3), "quarter")
    if match := _MONTH.match(value):
        year, month = int(match.group(1)), int(match.group(2))
        _check_year(text, year)
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r}: month {month} does not exist")
        start = dt.date(year, month, 1)
        return Period(start, _add_months(start, 1), "month")
    if match := _RANGE.match(value):
        try:
            first = dt.date.fromisoformat(match.group(1))
            last = dt.date.fromisoformat(match.group(2))
        except ValueError as error:
            raise PeriodError(f"{text!r}: {error}") from None
        _check_year(text, first.year)
        _check_year(text, last.year)
        if last < first:
            raise PeriodError(f"{text!r}: the range ends before it starts")
        return Period(first, last + dt.timedelta(days=1), "range")
    raise PeriodError(
        f"{text!r} is not a period: write a year (2026), a quarter (2026-Q3), a month (2026-11) "
        "or a range of days (2026-01-01..2026-03-31)"
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
