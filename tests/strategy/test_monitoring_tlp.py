"""The monitoring page names the last capacity assessment only to readers who may see it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.models import Framework
from cyberplan.core.choices import TLP, Role
from tests.conftest import World

from .conftest import Plan, signed_in


@pytest.mark.slow
def test_a_red_assessment_is_not_named_on_the_monitoring_page_of_those_who_may_not_read_it(
    world: World, plan: Plan
) -> None:
    do_create_assessment(
        world.users[Role.COORDINATOR],
        world.org_a,
        Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1"),
        title="Restricted review of the national CSIRT",
        country="PY",
        date=datetime.date(2025, 6, 1),
        method="expert_review",
        tlp=TLP.RED,
    )
    address = reverse("strategy:monitoring", args=[plan.strategy.pk])
    assert "Restricted review" in signed_in(world.users[Role.COORDINATOR]).get(address).content.decode()
    page = signed_in(world.users[Role.VIEWER]).get(address).content.decode()
    assert "Restricted review" not in page
    assert "There is no capacity assessment of the country yet" in page
