"""Coverage figures read as an organisation, for the strategy's automatic KPI and the assessment evidence.

A companion of ``access.py`` (which the strategy may also read): one coverage row of an owner organisation's
training as a reader organisation reads it, counting only sessions that ended on or before a date. The labels
follow ``access.organisation_programme_labels`` (everything of one's own, ``TLP:CLEAR`` and ``TLP:GREEN`` of
another organisation), narrowed further to ``labels`` when given (what the person computing reads, or what a
document's marking allows).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from .access import organisation_programme_labels
from .catalogue import shipped_topics
from .choices import Audience
from .coverage import NATIONAL, CoverageRow, coverage_for
from .models import Attendance


@dataclass(frozen=True)
class CoverageFigure:
    """One share asked for; ``row`` is None when nobody was trained and no size is recorded."""

    audience: str
    topic: str | None
    year: int
    institution: str
    row: CoverageRow | None

    @property
    def denominator(self) -> int | None:
        return self.row.denominator if self.row is not None else None


def audience_keys() -> list[str]:
    return list(Audience.values)


def topic_keys() -> list[str]:
    return shipped_topics().keys()


def ended_by(as_of: datetime.date) -> Q:
    """Attendance of sessions that ended on or before ``as_of`` (a session without an end date, on its start)."""
    return Q(session__end_date__lte=as_of) | Q(session__end_date__isnull=True, session__start_date__lte=as_of)


def coverage_figure(
    reader_id: int,
    owner_id: int,
    *,
    audience: str,
    topic: str | None,
    as_of: datetime.date,
    institution: str = NATIONAL,
    labels: list[str] | None = None,
) -> CoverageFigure:
    """The coverage row of ``audience`` in ``topic`` (None: any) for the year of ``as_of``, national or of one
    institution, counting the sessions ended by ``as_of`` of the programmes ``reader_id`` reads."""
    allowed = organisation_programme_labels(reader_id, owner_id)
    if labels is not None:
        allowed = [label for label in allowed if label in labels]
    attendance = Attendance.objects.filter(ended_by(as_of), session__course__programme__tlp__in=allowed)
    table = coverage_for(owner_id, attendance, [topic] if topic else [])
    return CoverageFigure(audience, topic, as_of.year, institution, table.get(audience, topic, as_of.year, institution))
