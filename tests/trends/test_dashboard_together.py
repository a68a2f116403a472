"""The trends dashboard and the event browser over every store the reader reads, together.

CSIRT B's coordinator (like MITIC) reads its own store by role and Authority A's store (like CERT-PY)
through a grant up to TLP:AMBER. Authority A's store holds October 2026 events at all five labels, each
label a different count (CLEAR 1, GREEN 2, AMBER 4, AMBER+STRICT 8, RED 16) from addresses
198.51.100.1 to .31 in that order. CSIRT B's own store holds five: three AMBER from addresses Authority A
also reported (.1, .2, .3), one RED (.200) and one GREEN (192.0.2.50).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.threats import views as threat_views
from cyberplan.threats.actions import do_grant_store_access, do_revoke_store_access
from cyberplan.threats.models import StoreGrant
from cyberplan.threats.store import store_root
from cyberplan.trends import figures as figures_module
from cyberplan.trends.figures import warm
from tests.analytics.support import event, write_store
from tests.conftest import World, make_user

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

COUNTS = {"clear": 1, "green": 2, "amber": 4, "amber+strict": 8, "red": 16}
GRANTED_UP_TO_AMBER = 1 + 2 + 4
OWN = 5


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture
def stores(world: World) -> None:
    rows = []
    number = 0
    for label, count in COUNTS.items():
        for _ in range(count):
            number += 1
            rows.append(event(f"2026-10-{1 + number % 28:02d}T10:00:00", ip=f"198.51.100.{number}", tlp=label))
    write_store(store_root(world.org_a), rows)
    own = [event(f"2026-10-0{day}T09:00:00", ip=f"198.51.100.{day}", tlp="amber") for day in (1, 2, 3)]
    own += [
        event("2026-10-05T09:00:00", ip="198.51.100.200", tlp="red"),
        event("2026-10-06T09:00:00", ip="192.0.2.50", tlp="green"),
    ]
    write_store(store_root(world.org_b), own, "imp-b")


@pytest.fixture
def reader(world: World) -> User:
    return make_user("b-coordinator", world.org_b, Role.COORDINATOR)


def grant(world: World) -> StoreGrant:
    return do_grant_store_access(
        world.users[Role.COORDINATOR], world.org_a, world.org_b, ceiling="amber", reason="National picture"
    )


def page(user: User, **query: str | int) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get("/trends/", {"period": "2026-10", **query})
    return response.status_code, response.content.decode()


def figure(html: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt>\s*<dd>([^<]*)</dd>", html)
    return match.group(1).strip() if match else ""


def test_own_and_granted_stores_together(world: World, stores: None, reader: User) -> None:
    grant(world)
    status, single = page(reader)
    assert status == 200
    assert '<option value="all">All stores I read (2)</option>' in single
    status, html = page(reader, organisation="all")
    assert status == 200
    # events add up; RED and AMBER+STRICT of the granted store never count, the own store's RED does
    assert figure(html, "Events") == str(OWN + GRANTED_UP_TO_AMBER)
    # .1 to .7 from Authority A, .1 .2 .3 .200 and 192.0.2.50 from CSIRT B: nine addresses, not 7 + 5
    assert figure(html, "Distinct source addresses") == "9"
    header = re.search(r'<h2 id="stores-counted">([^<]*)</h2>', html)
    assert header is not None
    assert header.group(1).startswith("CSIRT B (CB) and Authority A (AA) (granted up to TLP:AMBER) · 2026-10")
    assert '<option value="all" selected>' in html
    # single-store features are not offered, and the page says so
    assert 'id="one-store-note"' in html
    assert 'id="drill-all"' not in html and "/threats/events/?" not in html
    assert "/trends/gaps/" not in html
    assert 'id="report-offer"' in html  # the report, unlike the browser, reads the stores together
    assert "organisation=all&amp;period=2026-09" in html  # the previous period stays together


def test_the_tlp_filter_applies_within_each_store(world: World, stores: None, reader: User) -> None:
    grant(world)
    # up to GREEN: CLEAR 1 + GREEN 2 from Authority A, the GREEN one of CSIRT B
    assert figure(page(reader, organisation="all", tlp="green")[1], "Events") == "4"
    # RED is asked for: only CSIRT B's own RED event can count, never Authority A's 16
    status, html = page(reader, organisation="all", tlp="red")
    assert status == 200 and figure(html, "Events") == str(OWN + GRANTED_UP_TO_AMBER)


def test_a_new_import_in_a_granted_store_changes_the_figures(world: World, stores: None, reader: User) -> None:
    grant(world)
    assert figure(page(reader, organisation="all")[1], "Events") == str(OWN + GRANTED_UP_TO_AMBER)
    write_store(store_root(world.org_a), [event("2026-10-20T10:00:00", ip="203.0.113.9", tlp="green")], "imp-2")
    html = page(reader, organisation="all")[1]
    assert figure(html, "Events") == str(OWN + GRANTED_UP_TO_AMBER + 1)
    assert figure(html, "Distinct source addresses") == "10"


def test_revoking_the_grant_removes_the_store_from_the_combined_figures(
    world: World, stores: None, reader: User
) -> None:
    given = grant(world)
    assert figure(page(reader, organisation="all")[1], "Events") == str(OWN + GRANTED_UP_TO_AMBER)
    do_revoke_store_access(world.users[Role.COORDINATOR], given)
    status, html = page(reader, organisation="all")
    assert status == 200
    assert 'value="all"' not in html  # one store left: nothing to read together
    assert figure(html, "Events") == str(OWN)
    assert "Authority A" not in html


def test_a_third_organisation_sees_nothing(world: World, stores: None) -> None:
    grant(world)
    third = Organisation.objects.create(name="Third", slug="third", type=OrganisationType.MINISTRY, country="PY")
    outsider = make_user("third-coordinator", third, Role.COORDINATOR)
    status, html = page(outsider, organisation="all")
    assert status == 200
    assert figure(html, "Events") == ""
    assert "Authority A" not in html and "CSIRT B" not in html
    assert page(outsider, organisation=world.org_a.pk)[0] == 404


def test_store_names_are_escaped(world: World, stores: None, reader: User) -> None:
    world.org_a.name = '<img src=x onerror="alert(1)">'
    world.org_a.acronym = ""
    world.org_a.save()
    grant(world)
    status, html = page(reader, organisation="all")
    assert status == 200
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# -- the event browser, every store together ---------------------------------------------------------


def browse(user: User, **query: str | int) -> tuple[int, dict[str, Any], str]:
    client = Client()
    client.force_login(user)
    response = client.get("/threats/events/", query)
    context = response.context
    assert context is not None
    return response.status_code, {"total": context["total"], "rows": context["rows"]}, response.content.decode()


def test_the_event_browser_lists_every_store_together_page_by_page(
    world: World, stores: None, reader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant(world)
    status, context, html = browse(reader)
    assert status == 200 and '<option value="all">All stores I read (2)</option>' in html
    assert context["total"] == OWN  # one store by default
    monkeypatch.setattr(threat_views, "EVENTS_PER_PAGE", 5)
    seen: list[tuple[Any, str, str]] = []
    for number in (1, 2, 3):
        status, context, html = browse(reader, organisation="all", page=number)
        assert status == 200 and context["total"] == OWN + GRANTED_UP_TO_AMBER
        seen += [(row["time.source"], row["source.ip"], row["_store"]) for row in context["rows"]]
    assert 'id="stores-counted"' in html and '<th scope="col">Store</th>' in html
    assert len(seen) == len(set(seen)) == OWN + GRANTED_UP_TO_AMBER  # no event twice, none left out
    assert [time for time, _, _ in seen] == sorted((time for time, _, _ in seen), reverse=True)
    granted = "Authority A (AA) (granted up to TLP:AMBER)"
    assert sum(1 for _, _, store in seen if store == granted) == GRANTED_UP_TO_AMBER
    assert sum(1 for _, _, store in seen if store == "CSIRT B (CB)") == OWN


def test_the_event_browser_keeps_each_store_to_its_labels(world: World, stores: None, reader: User) -> None:
    grant(world)
    status, context, _ = browse(reader, organisation="all")
    assert status == 200
    labels = {(row["_store"].startswith("Authority A"), row["tlp"]) for row in context["rows"]}
    assert {label for granted, label in labels if granted} == {"clear", "green", "amber"}
    assert {label for granted, label in labels if not granted} == {"amber", "red", "green"}


def test_the_event_browser_together_after_revoking_and_for_a_third_organisation(
    world: World, stores: None, reader: User
) -> None:
    given = grant(world)
    do_revoke_store_access(world.users[Role.COORDINATOR], given)
    status, context, html = browse(reader, organisation="all")
    assert status == 400 and not context["rows"] and "Authority A" not in html
    third = Organisation.objects.create(name="Third", slug="third", type=OrganisationType.MINISTRY, country="PY")
    status, context, html = browse(make_user("third-analyst", third, Role.ANALYST), organisation="all")
    assert status == 400 and not context["rows"] and "Authority A" not in html


def test_warming_after_an_import_serves_the_combined_view_without_computing(
    world: World, stores: None, reader: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import into the granted store warms the recipient's "all stores" view as well as the store's own."""
    grant(world)
    # Authority A's three role levels and the grant's level, then CSIRT B's combined views: its
    # coordinators and administrators, its analysts, contributors and viewers, its external partners.
    assert warm(world.org_a) == 4 + 3

    def no_computing(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the page computed its figures instead of reading the warmed cache")

    monkeypatch.setattr(figures_module, "run", no_computing)
    status, html = page(reader, organisation="all", period="")
    assert status == 200
    assert figure(html, "Events") == str(OWN + GRANTED_UP_TO_AMBER)
