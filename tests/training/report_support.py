"""Records for the capacity-building report tests: named participants (whose names must never show), a size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cyberplan.core.choices import TLP, Role
from cyberplan.training import actions
from cyberplan.training.models import Programme
from tests.conftest import World
from tests.training.conftest import TrainingWorld

NAMES = ("Ana Secretname", "Carlos Hiddenname", "Fabiola Neverseen")
KEYS = ("KEY-J-7781", "KEY-J-7782", "KEY-F-7783")
EMAIL = "ana.secret@example.org"


@dataclass
class ReportWorld:
    training: TrainingWorld
    red: Programme


def report_records(world: World, training: TrainingWorld) -> ReportWorld:
    """Two judges (one completes sessions in 2025 and 2026, counted once), a prosecutor; 10 judges in 2026;
    and a RED programme whose figures a GREEN report must leave out."""
    coordinator = world.users[Role.COORDINATOR]
    people = [
        actions.do_create_participant(
            coordinator,
            world.org_a,
            with_names=True,
            key=key,
            name=name,
            institution="Poder Judicial" if audience == "judges" else "Ministerio Público",
            audience=audience,
            **({"email": EMAIL} if index == 0 else {}),
        )
        for index, (key, name, audience) in enumerate(
            zip(KEYS, NAMES, ("judges", "judges", "prosecutors"), strict=True)
        )
    ]
    earlier = actions.do_create_session(
        coordinator, training.course, start_date=dt.date(2025, 3, 3), end_date=dt.date(2025, 3, 4)
    )
    actions.do_record_attendance(coordinator, earlier, people[0], completed=True)
    for person in people:
        actions.do_record_attendance(coordinator, training.session, person, completed=person != people[1])
    actions.do_set_denominator(
        coordinator, world.org_a, audience="judges", year=2026, institution="Poder Judicial", size=10
    )
    red = actions.do_create_programme(
        coordinator, world.org_a, provider=training.provider, title="Red programme Zeta", tlp=TLP.RED
    )
    course = actions.do_create_course(
        coordinator, red, title="Red course", topics=["electronic-evidence"], hours=Decimal(99)
    )
    session = actions.do_create_session(coordinator, course, start_date=dt.date(2026, 6, 1))
    actions.do_record_attendance(coordinator, session, people[1], completed=True)
    return ReportWorld(training, red)
