"""Reporting periods: what people write, the periods they are compared with, and the chart step."""

from __future__ import annotations

import datetime as dt

import pytest

from cyberplan.analytics.periods import Period, PeriodError, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "kind", "days", "label"),
    [
        ("2026", D(2026, 1, 1), D(2027, 1, 1), "year", 365, "2026"),
        ("2024", D(2024, 1, 1), D(2025, 1, 1), "year", 366, "2024"),
        ("2026-Q1", D(2026, 1, 1), D(2026, 4, 1), "quarter", 90, "2026-Q1"),
        ("2026-q3", D(2026, 7, 1), D(2026, 10, 1), "quarter", 92, "2026-Q3"),
        ("2026-Q4", D(2026, 10, 1), D(2027, 1, 1), "quarter", 92, "2026-Q4"),
        ("2026-11", D(2026, 11, 1), D(2026, 12, 1), "month", 30, "2026-11"),
        ("2024-02", D(2024, 2, 1), D(2024, 3, 1), "month", 29, "2024-02"),
        ("2026-12", D(2026, 12, 1), D(2027, 1, 1), "month", 31, "2026-12"),
        ("2026-01-01..2026-03-31", D(2026, 1, 1), D(2026, 4, 1), "range", 90, "2026-01-01..2026-03-31"),
        ("2026-05-04/2026-05-04", D(2026, 5, 4), D(2026, 5, 5), "range", 1, "2026-05-04..2026-05-04"),
        ("2026-05-04 , 2026-05-10", D(2026, 5, 4), D(2026, 5, 11), "range", 7, "2026-05-04..2026-05-10"),
        ("  2026-Q2\n", D(2026, 4, 1), D(2026, 7, 1), "quarter", 91, "2026-Q2"),
    ],
)
def test_each_kind_of_period_is_parsed(
    text: str, start: dt.date, end: dt.date, kind: str, days: int, label: str
) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert period.days == days
    assert period.last_day == end - dt.timedelta(days=1)
    assert period.label == label
    # The label is what people write: it reads back as the same period.
    assert parse_period(period.label) == period


def test_bounds_are_midnight_utc() -> None:
    assert parse_period("2026-07").bounds() == (
        dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "'2026-13': month 13 does not exist"),
        ("2026-00", "'2026-00': month 0 does not exist"),
        ("2026-03-31..2026-03-01", "'2026-03-31..2026-03-01': the range ends before it starts"),
        ("2026-02-30..2026-03-01", "'2026-02-30..2026-03-01': day is out of range for month"),
        ("0000", "'0000': the year must be between 1900 and 9998"),
        ("9999-Q4", "'9999-Q4': the year must be between 1900 and 9998"),
        ("0001-01-01..2026-01-01", "'0001-01-01..2026-01-01': the year must be between 1900 and 9998"),
    ],
)
def test_impossible_periods_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["", "last week", "2026-Q5", "2026-1", "26", "2026-W10", "2026-01-01..", "Q3 2026"])
def test_text_that_is_no_period_lists_the_forms_accepted(text: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    message = str(caught.value)
    assert message.startswith(f"{text!r} is not a period")
    for example in ("(2026)", "(2026-Q3)", "(2026-11)", "(2026-01-01..2026-03-31)"):
        assert example in message


def test_period_errors_are_value_errors() -> None:
    # Callers that validate input with ``except ValueError`` see bad periods too.
    assert issubclass(PeriodError, ValueError)


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        # A year before a leap year is one day shorter.
        ("2025", D(2024, 1, 1), D(2025, 1, 1), 366),
        # Quarters of different length: Q1 2026 has 90 days, the Q4 before it 92, Q2 91.
        ("2026-Q1", D(2025, 10, 1), D(2026, 1, 1), 92),
        ("2026-Q2", D(2026, 1, 1), D(2026, 4, 1), 90),
        ("2026-Q3", D(2026, 4, 1), D(2026, 7, 1), 91),
        # Months: March's previous is February (28 days in 2026, 29 in 2024); January's is December.
        ("2026-03", D(2026, 2, 1), D(2026, 3, 1), 28),
        ("2024-03", D(2024, 2, 1), D(2024, 3, 1), 29),
        ("2026-01", D(2025, 12, 1), D(2026, 1, 1), 31),
        # A range: the same number of days just before, whatever the months.
        ("2026-03-01..2026-03-10", D(2026, 2, 19), D(2026, 3, 1), 10),
        ("2024-03-01..2024-03-01", D(2024, 2, 29), D(2024, 3, 1), 1),
    ],
)
def test_previous_is_the_period_of_the_same_kind_just_before(
    text: str, start: dt.date, end: dt.date, days: int
) -> None:
    period = parse_period(text)
    previous = period.previous()
    assert (previous.start, previous.end, previous.days) == (start, end, days)
    assert previous.kind == period.kind
    assert previous.end == period.start


@pytest.mark.parametrize(
    ("text", "start", "end", "days"),
    [
        ("2026-Q3", D(2025, 7, 1), D(2025, 10, 1), 92),
        ("2025", D(2024, 1, 1), D(2025, 1, 1), 366),
        # February of a leap year against February of the year before: 29 days against 28.
        ("2024-02", D(2023, 2, 1), D(2023, 3, 1), 28),
        ("2025-02", D(2024, 2, 1), D(2024, 3, 1), 29),
        # The leap day itself falls back to 28 February.
        ("2024-02-29..2024-02-29", D(2023, 2, 28), D(2023, 3, 1), 1),
        ("2024-02-10..2024-03-10", D(2023, 2, 10), D(2023, 3, 11), 29),
        ("2024-02-29..2024-03-01", D(2023, 2, 28), D(2023, 3, 2), 2),
    ],
)
def test_year_earlier_is_the_same_dates_one_year_before(text: str, start: dt.date, end: dt.date, days: int) -> None:
    period = parse_period(text)
    earlier = period.year_earlier()
    assert (earlier.start, earlier.end, earlier.days) == (start, end, days)
    assert earlier.kind == period.kind


@pytest.mark.parametrize(
    ("period", "granularity"),
    [
        (parse_period("2026-07"), "day"),
        (parse_period("2026-01-01..2026-03-03"), "day"),  # 62 days: still daily
        (parse_period("2026-01-01..2026-03-04"), "week"),  # 63 days
        (parse_period("2026-Q3"), "week"),
        (Period(D(2026, 1, 1), D(2026, 7, 10), "range"), "week"),  # 190 days
        (Period(D(2026, 1, 1), D(2026, 7, 11), "range"), "month"),  # 191 days
        (parse_period("2026"), "month"),
    ],
)
def test_granularity_follows_the_length(period: Period, granularity: str) -> None:
    assert period.granularity() == granularity
