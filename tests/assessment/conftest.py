"""Fixtures of the assessment app's tests: the shipped framework as stored, and an assessment factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Assessment, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import Organisation, User
from tests.conftest import World


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Uploaded evidence goes to a temporary folder, never to the data folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shipped(db: None) -> Framework:
    """The shipped model, loaded by the post-migrate step."""
    return Framework.objects.get(framework_id="cyberplan-ncm", version="2026.2")


@pytest.fixture
def make_assessment(world: World, shipped: Framework) -> Callable[..., Assessment]:
    def factory(
        organisation: Organisation | None = None,
        creator: User | None = None,
        tlp: str = TLP.AMBER,
        date: dt.date = dt.date(2026, 3, 1),
        **values: object,
    ) -> Assessment:
        values.setdefault("title", "National assessment 2026")
        values.setdefault("country", "PY")
        values.setdefault("method", Method.EXPERT_REVIEW)
        return do_create_assessment(
            creator or world.users[Role.COORDINATOR],
            organisation or world.org_a,
            shipped,
            date=date,
            tlp=tlp,
            **values,  # type: ignore[arg-type]
        )

    return factory
