"""Fixtures of the capacity-building tests: a provider, a programme, a course on electronic evidence and a
session, owned by organisation A; and a participant list to import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from cyberplan.core.choices import TLP, Role
from cyberplan.training import actions
from cyberplan.training.choices import ProviderKind
from cyberplan.training.models import Course, Programme, Provider, Session
from tests.conftest import World

# Two judges and a prosecutor; J-001 comes to both sessions of the course and completes both.
LIST_CSV = """key,name,email,institution,audience,role,course,session_date,session_end,attended,completed,score
J-001,Ana Benítez,ana@example.org,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,yes,88
J-002,Carlos Duarte,,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,no,
F-010,,,Ministerio Público,prosecutors,Prosecutor,Electronic evidence in court,2026-05-04,2026-05-05,yes,yes,75
J-001,Ana Benítez,ana@example.org,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-09-14,2026-09-15,yes,yes,91
"""


@dataclass
class TrainingWorld:
    provider: Provider
    programme: Programme
    course: Course
    session: Session


@pytest.fixture
def training(world: World) -> TrainingWorld:
    analyst = world.users[Role.ANALYST]
    provider = actions.do_create_provider(
        analyst, world.org_a, name="Judicial school", kind=ProviderKind.JUDICIAL_SCHOOL
    )
    programme = actions.do_create_programme(
        analyst, world.org_a, provider=provider, title="Evidence for judges", tlp=TLP.GREEN
    )
    course = actions.do_create_course(
        analyst, programme, title="Electronic evidence in court", topics=["electronic-evidence"], hours=Decimal(16)
    )
    session = actions.do_create_session(analyst, course, start_date=dt.date(2026, 5, 4), end_date=dt.date(2026, 5, 5))
    return TrainingWorld(provider, programme, course, session)
