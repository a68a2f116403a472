"""The starting template from the guide's focus areas."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, FocusArea
from cyberplan.strategy.starter.template import do_apply_starter
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def empty(world: World):  # type: ignore[no-untyped-def]
    return act.do_create_strategy(
        world.users[Role.COORDINATOR],
        world.org_a,
        title_en="New strategy",
        country="PY",
        start_year=2026,
        end_year=2030,
    )


def test_template_creates_one_axis_per_focus_area_with_objectives(world: World, empty) -> None:  # type: ignore[no-untyped-def]
    created = do_apply_starter(world.users[Role.COORDINATOR], empty)
    axes = empty.elements.filter(kind=ElementKind.AXIS).order_by("order")
    assert [a.focus_area for a in axes] == list(FocusArea.values)
    assert axes[0].title_es == "Gobernanza"
    assert empty.elements.filter(kind=ElementKind.OBJECTIVE, parent=axes[3]).count() == 2
    assert len(created) == 21
    with pytest.raises(ValidationError, match="only an empty plan"):
        do_apply_starter(world.users[Role.COORDINATOR], empty)
    assert empty.elements.count() == 21


def test_template_page_needs_edit_permission(world: World, empty, client: Client) -> None:  # type: ignore[no-untyped-def]
    url = f"/strategy/{empty.pk}/starter/"
    client.force_login(world.users[Role.VIEWER])
    assert client.get(url).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.users[Role.ANALYST])
    page = client.get(url)
    assert page.status_code == 200 and "name to be checked against the guide" in page.content.decode()
    assert client.post(url).status_code == 302
    assert empty.elements.filter(kind=ElementKind.AXIS).count() == 7


def test_monitoring_entry_leads_to_the_one_strategy_or_lists_them(world: World, empty, client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.users[Role.VIEWER])
    response = client.get("/strategy/monitoring/")
    assert response.status_code == 302 and response["Location"] == f"/strategy/{empty.pk}/monitoring/"
    act.do_create_strategy(
        world.users[Role.COORDINATOR],
        world.org_a,
        title_en="Second strategy",
        country="PY",
        start_year=2031,
        end_year=2034,
    )
    page = client.get("/strategy/monitoring/").content.decode()
    assert "Second strategy" in page and "New strategy" in page
    client.force_login(world.outsider)
    assert "No strategy you can read yet." in client.get("/strategy/monitoring/").content.decode()
