"""A small strategy on the shared fixtures: two axes, objectives, action lines and actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.core.models import User
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, FocusArea
from cyberplan.strategy.models import Action, Element, Strategy
from tests.conftest import World


@dataclass
class Plan:
    strategy: Strategy
    axis1: Element
    axis2: Element
    objective11: Element
    line111: Element
    objective21: Element
    action1: Action
    action2: Action


@pytest.fixture
def plan(world: World) -> Plan:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator,
        world.org_a,
        title_en="National Cybersecurity Strategy",
        title_es="Estrategia Nacional de Ciberseguridad",
        country="PY",
        start_year=2025,
        end_year=2028,
        vision_en="A secure and resilient cyberspace.",
        vision_es="Un ciberespacio seguro y resiliente.",
    )
    axis1 = act.do_create_element(
        coordinator,
        strategy,
        kind=ElementKind.AXIS,
        code="1",
        title_en="Incident response",
        focus_area=FocusArea.PREPAREDNESS,
    )
    axis2 = act.do_create_element(
        coordinator, strategy, kind=ElementKind.AXIS, code="2", title_en="Awareness", focus_area=FocusArea.CAPACITY
    )
    objective11 = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis1, code="1.1", title_en="Strengthen the CSIRT"
    )
    line111 = act.do_create_element(
        coordinator, strategy, kind=ElementKind.LINE, parent=objective11, code="1.1.1", title_en="Staff and tools"
    )
    objective21 = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis2, code="2.1", title_en="Reach citizens"
    )
    action1 = act.do_create_action(
        coordinator,
        strategy,
        parent=line111,
        title_en="Hire four incident handlers",
        lead=world.org_a,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
        budget=120000,
    )
    action2 = act.do_create_action(
        coordinator,
        strategy,
        parent=objective21,
        title_en="National awareness campaign",
        lead=world.org_b,
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2027, 12, 31),
    )
    return Plan(strategy, axis1, axis2, objective11, line111, objective21, action1, action2)


def signed_in(user: User) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def url(name: str, plan: Plan, *args: object) -> str:
    """The address of a strategy page of ``plan``'s strategy."""
    return reverse(f"strategy:{name}", args=[plan.strategy.pk, *args])
