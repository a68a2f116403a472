"""The strategy's review cycle, counted from its adoption date.

Review *k* is due ``k * review_months`` after the adoption date. An evaluation held (dated on or
before the day looked at, and not before the adoption) counts as a review: the next review is the
first due date after the last one held, or after the adoption when none was held. A strategy
without an adoption date has no cycle: nothing is guessed from its first year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..models import Evaluation, Strategy


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` calendar months; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = datetime.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class ReviewCycle:
    adopted_on: datetime.date | None
    months: int
    as_of: datetime.date
    last_review: Evaluation | None
    next_due: datetime.date | None  # None without an adoption date
    number: int  # which review is next (1 for the first after adoption)

    @property
    def known(self) -> bool:
        return self.adopted_on is not None

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due < self.as_of

    @property
    def days_overdue(self) -> int:
        return (self.as_of - self.next_due).days if self.next_due is not None and self.overdue else 0


def review_cycle(strategy: Strategy, as_of: datetime.date, evaluations: list[Evaluation] | None = None) -> ReviewCycle:
    """Where ``strategy`` stands in its review cycle on ``as_of``."""
    months = strategy.review_months
    adopted = strategy.adopted_on
    if adopted is None:
        return ReviewCycle(None, months, as_of, None, None, 0)
    if evaluations is None:
        evaluations = list(strategy.evaluations.all())
    held = sorted((e for e in evaluations if adopted <= e.date <= as_of), key=lambda e: (e.date, e.pk or 0))
    last = held[-1] if held else None
    anchor = last.date if last else adopted
    number = 1
    while add_months(adopted, number * months) <= anchor:
        number += 1
    return ReviewCycle(adopted, months, as_of, last, add_months(adopted, number * months), number)
