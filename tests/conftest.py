"""Shared fixtures: two organisations, a user in each role of the first, and one in the second."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, OrganisationType, Role
from cyberplan.core.models import Membership, Organisation, User
from cyberplan.gaps.actions import do_create_gap
from cyberplan.gaps.models import Gap

os.environ.setdefault("CYBERPLAN_ENV", "test")

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    users: dict[str, User]  # role -> user in org A
    outsider: User  # analyst in org B
    nobody: User  # no membership at all


def make_user(username: str, organisation: Organisation | None = None, role: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if organisation is not None and role is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    org_a = Organisation.objects.create(
        name="Authority A", acronym="AA", slug="authority-a", type=OrganisationType.NATIONAL_AUTHORITY, country="PY"
    )
    org_b = Organisation.objects.create(
        name="CSIRT B", acronym="CB", slug="csirt-b", type=OrganisationType.NATIONAL_CSIRT, country="UY"
    )
    users = {role: make_user(f"a-{role}", org_a, role) for role in Role.values}
    outsider = make_user("b-analyst", org_b, Role.ANALYST)
    nobody = make_user("nobody")
    return World(org_a=org_a, org_b=org_b, users=users, outsider=outsider, nobody=nobody)


@pytest.fixture
def make_gap(world: World) -> Callable[..., Gap]:
    def factory(
        organisation: Organisation | None = None, tlp: str = TLP.AMBER, creator: User | None = None, **values: object
    ) -> Gap:
        values.setdefault("title_en", "Missing incident reporting obligation")
        return do_create_gap(creator or world.users[Role.COORDINATOR], organisation or world.org_a, tlp=tlp, **values)

    return factory


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in Spanish leaves the thread in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
