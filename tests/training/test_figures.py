"""Activity figures by year: sessions and hours held, people by audience, each person once."""

from __future__ import annotations

from decimal import Decimal

from cyberplan.core.choices import Role
from cyberplan.training import actions
from cyberplan.training.figures import activity_by_year
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld


def test_activity_counts_sessions_hours_and_people_once(world: World, training: TrainingWorld) -> None:
    assert actions.do_import_participants(world.users[Role.ANALYST], training.programme, "l.csv", LIST_CSV.encode()).ok
    [year] = activity_by_year(world.org_a.pk)
    assert (year.year, year.programmes, year.courses, year.sessions) == (2026, 1, 1, 2)
    assert year.hours == Decimal(32)  # the 16-hour course held twice
    assert (year.participants, year.completed) == (3, 2)  # J-001 in both sessions counts once
    assert year.by_audience == {"judges": 2, "prosecutors": 1}
    assert activity_by_year(world.org_b.pk) == []
