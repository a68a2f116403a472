"""Fixtures of the capacity-building tests: a provider, a programme, a course on electronic evidence and a
session, owned by organisation A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from cyberplan.core.choices import TLP
from cyberplan.training.choices import ProviderKind
from cyberplan.training.models import Course, Programme, Provider, Session
from tests.conftest import World


@dataclass
class TrainingWorld:
    provider: Provider
    programme: Programme
    course: Course
    session: Session


@pytest.fixture
def training(world: World) -> TrainingWorld:
    provider = Provider.objects.create(
        organisation=world.org_a, name="Judicial school", kind=ProviderKind.JUDICIAL_SCHOOL
    )
    programme = Programme.objects.create(
        organisation=world.org_a, provider=provider, title="Evidence for judges", tlp=TLP.GREEN
    )
    course = Course.objects.create(
        programme=programme, title="Electronic evidence in court", topics=["electronic-evidence"], hours=Decimal(16)
    )
    session = Session.objects.create(course=course, start_date=dt.date(2026, 5, 4), end_date=dt.date(2026, 5, 5))
    return TrainingWorld(provider, programme, course, session)
