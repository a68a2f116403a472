"""The monitoring page's charts are drawn once and shared: drawn ahead for the demo, read from the cache after."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from cyberplan.core.choices import Role
from cyberplan.reports import charts
from cyberplan.strategy.monitoring.views import warm_overview_charts
from tests.conftest import World

from .conftest import Plan, signed_in, url

pytestmark = pytest.mark.django_db


def test_charts_drawn_ahead_are_served_without_drawing_again(world: World, plan: Plan) -> None:
    cache.clear()
    assert warm_overview_charts(plan.strategy) == 2  # English and Spanish
    charts._svg.cache_clear()  # a new web process: nothing drawn in it yet

    client = signed_in(world.users[Role.VIEWER])
    english = client.get(url("monitoring", plan)).content.decode()
    spanish = client.get(url("monitoring", plan), HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert english.count('role="img"') >= 2 and spanish.count('role="img"') >= 2
    assert charts._svg.cache_info().misses == 0  # every chart came from the shared cache
