"""Store grants: a CSIRT lets another organisation read its event store up to a TLP ceiling.

Authority A's store (the owner here, like CERT-PY in the demo) holds events at all five labels, each label
a different count so a figure says which labels it counted: CLEAR 1, GREEN 2, AMBER 4, AMBER+STRICT 8,
RED 16, all in October 2026. Authority B is the recipient (like MITIC); a third organisation has nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import AuditEntry, Organisation, User
from cyberplan.gaps.models import Gap
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.threats.actions import do_grant_store_access, do_revoke_store_access
from cyberplan.threats.models import StoreGrant
from cyberplan.threats.store import store_root
from tests.analytics.support import event, write_store
from tests.conftest import World, make_user

COUNTS = {"clear": 1, "green": 2, "amber": 4, "amber+strict": 8, "red": 16}
UP_TO_AMBER = 1 + 2 + 4
UP_TO_GREEN = 1 + 2


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


@pytest.fixture
def owner_store(world: World) -> None:
    rows = []
    number = 0
    for label, count in COUNTS.items():
        for _ in range(count):
            number += 1
            rows.append(event(f"2026-10-{1 + number % 28:02d}T10:00:00", ip=f"198.51.100.{number}", tlp=label))
    write_store(store_root(world.org_a), rows)


@pytest.fixture
def recipient(world: World) -> dict[str, User]:
    """Members of Authority B (the recipient), one per role."""
    users = {role: make_user(f"b-{role}", world.org_b, role) for role in (Role.COORDINATOR, Role.VIEWER)}
    users[Role.EXTERNAL_PARTNER] = make_user("b-partner", world.org_b, Role.EXTERNAL_PARTNER)
    return users


@pytest.fixture
def third(db: None) -> User:
    org = Organisation.objects.create(name="Third", slug="third", type=OrganisationType.MINISTRY, country="PY")
    return make_user("third-coordinator", org, Role.COORDINATOR)


def grant(world: World, ceiling: str = "amber") -> StoreGrant:
    return do_grant_store_access(
        world.users[Role.COORDINATOR], world.org_a, world.org_b, ceiling=ceiling, reason="National picture"
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def dashboard_events(user: User, **query: object) -> tuple[int, str, str]:
    response = client_for(user).get("/trends/", {"period": "2026-10", **query})
    html = response.content.decode()
    match = re.search(r"<dt>Events</dt>\s*<dd>([^<]*)</dd>", html)
    return response.status_code, match.group(1).strip() if match else "", html


def browser_total(user: User, world: World) -> tuple[int, int | None]:
    response = client_for(user).get("/threats/events/", {"organisation": world.org_a.pk})
    return response.status_code, (response.context or {}).get("total")


def events_api(user: User, world: World) -> tuple[int, int | None]:
    response = api_for(user).get("/api/events/", {"organisation": world.org_a.pk, "limit": 100})
    body = response.json()
    return response.status_code, body.get("count") if response.status_code == 200 else None


def metrics_api(user: User, world: World) -> tuple[int, int | None]:
    response = api_for(user).get("/api/trends/metrics/", {"organisation": world.org_a.pk, "period": "2026-10"})
    if response.status_code != 200:
        return response.status_code, None
    return 200, int(response.json()["metrics"]["totals"]["rows"][0]["events"])


# -- the actions -----------------------------------------------------------------------------------


def test_grant_and_revoke_are_audited_in_both_organisations(world: World) -> None:
    given = grant(world)
    assert given.is_live and given.granted_by == world.users[Role.COORDINATOR]
    for organisation in (world.org_a, world.org_b):
        entry = AuditEntry.objects.get(organisation=organisation, object_id=str(given.pk), action="create")
        assert entry.changes["ceiling"] == [None, "amber"]
    do_revoke_store_access(world.users[Role.ADMINISTRATOR], given)
    given.refresh_from_db()
    assert given.revoked_at is not None and given.revoked_by == world.users[Role.ADMINISTRATOR]
    for organisation in (world.org_a, world.org_b):
        entry = AuditEntry.objects.get(organisation=organisation, object_id=str(given.pk), action="update")
        assert entry.changes["revoked_by"] == [None, world.users[Role.ADMINISTRATOR].pk]
    with pytest.raises(ValidationError, match="already revoked"):
        do_revoke_store_access(None, given)
    # Revoked grants stay as history; a new live one may follow.
    assert grant(world, "green").is_live
    assert StoreGrant.objects.filter(owner=world.org_a, recipient=world.org_b).count() == 2


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ceiling": "amber+strict"}, "ceiling"),
        ({"ceiling": "red"}, "ceiling"),
        ({"reason": "  "}, "reason"),
        ({"to_self": True}, "recipient"),
    ],
)
def test_a_grant_is_refused_with_the_field_named(world: World, values: dict[str, object], field: str) -> None:
    recipient = world.org_a if values.get("to_self") else world.org_b
    with pytest.raises(ValidationError) as raised:
        do_grant_store_access(
            None,
            world.org_a,
            recipient,
            ceiling=str(values.get("ceiling", "amber")),
            reason=str(values.get("reason", "why")),
        )
    assert field in raised.value.message_dict
    assert not StoreGrant.objects.exists()


def test_one_live_grant_per_owner_and_recipient_but_several_owners_may_grant(world: World) -> None:
    grant(world)
    with pytest.raises(ValidationError, match="already reads this store"):
        grant(world)
    third_csirt = Organisation.objects.create(
        name="Sector CSIRT", slug="sector", type=OrganisationType.PARTNER_CSIRT, country="PY"
    )
    do_grant_store_access(None, third_csirt, world.org_b, ceiling="green", reason="Sector picture")
    assert StoreGrant.objects.filter(recipient=world.org_b, revoked_at__isnull=True).count() == 2


# -- what the recipient reads ------------------------------------------------------------------------


@pytest.mark.slow
def test_the_recipients_coordinator_reads_the_store_up_to_the_ceiling_everywhere(
    world: World, owner_store: None, recipient: dict[str, User]
) -> None:
    coordinator = recipient[Role.COORDINATOR]
    assert dashboard_events(coordinator, organisation=world.org_a.pk)[0] == 404  # before the grant
    grant(world)
    status, events, html = dashboard_events(coordinator)  # the default store: the first with events
    assert (status, events) == (200, str(UP_TO_AMBER))
    assert "granted up to TLP:AMBER" in html
    assert browser_total(coordinator, world) == (200, UP_TO_AMBER)
    assert events_api(coordinator, world) == (200, UP_TO_AMBER)
    assert metrics_api(coordinator, world) == (200, UP_TO_AMBER)
    labels = {row["tlp"] for row in api_for(coordinator).get(
        "/api/events/", {"organisation": world.org_a.pk, "limit": 100}).json()["results"]}  # fmt: skip
    assert labels == {"clear", "green", "amber"}  # never AMBER+STRICT or RED
    # The owner's imports and constituency stay internal; the grant gives no write.
    refused = client_for(coordinator).post("/trends/gaps/", {"organisation": world.org_a.pk, "period": "2026-10"})
    assert refused.status_code == 403 and not Gap.objects.exists()
    assert client_for(coordinator).get("/threats/").status_code == 200
    constituency = client_for(coordinator).get("/threats/constituency/").content.decode()
    assert f'<option value="{world.org_a.pk}">Authority A' not in constituency


@pytest.mark.slow
@pytest.mark.parametrize(
    ("role", "ceiling", "expected"),
    [
        (Role.VIEWER, "amber", UP_TO_AMBER),
        (Role.VIEWER, "green", UP_TO_GREEN),
        (Role.EXTERNAL_PARTNER, "amber", UP_TO_GREEN),
        (Role.COORDINATOR, "clear", 1),
    ],
)
def test_a_reader_sees_what_their_role_allows_within_the_grant(
    world: World, owner_store: None, recipient: dict[str, User], role: str, ceiling: str, expected: int
) -> None:
    grant(world, ceiling)
    assert events_api(recipient[role], world) == (200, expected)
    assert metrics_api(recipient[role], world) == (200, expected)


@pytest.mark.slow
def test_a_third_organisation_sees_nothing(world: World, owner_store: None, third: User) -> None:
    grant(world)
    assert dashboard_events(third, organisation=world.org_a.pk)[0] == 404
    assert browser_total(third, world)[0] == 400  # not a choice of its store chooser
    assert events_api(third, world)[0] == 404
    assert metrics_api(third, world)[0] == 404


@pytest.mark.slow
def test_the_trends_report_of_a_granted_store(world: World, owner_store: None, recipient: dict[str, User]) -> None:
    coordinator = recipient[Role.COORDINATOR]
    grant(world)
    client = client_for(coordinator)
    assert f'<option value="{world.org_a.pk}"' in client.get("/trends/reports/").content.decode()
    data = {"organisation": world.org_a.pk, "period": "2026-10", "language": "en", "format": "html", "tlp": "red"}
    assert client.post("/trends/reports/", data).status_code == 400  # RED never crosses
    response = client.post("/trends/reports/", {**data, "tlp": "amber"})
    job = Job.objects.get(kind="trends_report")
    assert response.status_code == 302 and job.organisation == world.org_b
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["events"] == UP_TO_AMBER
    html = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode()
    assert "granted up to TLP:AMBER" in html


# -- revoking ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_revoking_the_grant_removes_the_store_from_every_figure(
    world: World, owner_store: None, recipient: dict[str, User]
) -> None:
    coordinator = recipient[Role.COORDINATOR]
    given = grant(world)
    client = client_for(coordinator)
    data = {"organisation": world.org_a.pk, "period": "2026-10", "language": "en", "format": "html", "tlp": "amber"}
    client.post("/trends/reports/", data)
    queued = Job.objects.get(kind="trends_report")
    assert f'value="{world.org_a.pk}"' in client.get("/trends/").content.decode()

    do_revoke_store_access(world.users[Role.COORDINATOR], given)

    assert f'value="{world.org_a.pk}"' not in client.get("/trends/").content.decode()  # the chooser
    assert dashboard_events(coordinator, organisation=world.org_a.pk)[0] == 404
    assert browser_total(coordinator, world)[0] == 400
    assert events_api(coordinator, world)[0] == 404
    assert metrics_api(coordinator, world)[0] == 404
    assert f'<option value="{world.org_a.pk}"' not in client.get("/trends/reports/").content.decode()
    assert client.post("/trends/reports/", data).status_code == 400
    # A report asked for before the revocation is refused when the worker runs it.
    run_job.call(str(queued.pk))
    queued.refresh_from_db()
    assert queued.status == "failed" and "may no longer read" in queued.message


def test_only_administrators_and_coordinators_of_the_owner_manage_grants(world: World) -> None:
    from cyberplan.threats.access import access_grant_to_manage

    given = grant(world)
    assert access_grant_to_manage(world.users[Role.ADMINISTRATOR], given.pk) == given
    with pytest.raises(PermissionDenied):
        access_grant_to_manage(world.users[Role.ANALYST], given.pk)


# -- the page, the command and the API ------------------------------------------------------------------


def test_the_store_access_page_grants_and_revokes_with_confirmation(
    world: World, recipient: dict[str, User], third: User
) -> None:
    coordinator = client_for(world.users[Role.COORDINATOR])
    page = coordinator.get("/threats/stores/").content.decode()
    assert "Grant access to a store" in page
    data = {"owner": world.org_a.pk, "recipient": world.org_b.pk, "ceiling": "amber", "reason": "<b>National</b>"}
    assert coordinator.post("/threats/stores/", {**data, "ceiling": "red"}).status_code == 400
    response = coordinator.post("/threats/stores/", data)
    assert response.status_code == 302
    given = StoreGrant.objects.get()
    assert AuditEntry.objects.filter(object_id=str(given.pk), source="web").count() == 2
    # The recipient sees it as received, escaped, without the grant form or a revoke link.
    received = client_for(recipient[Role.COORDINATOR]).get("/threats/stores/").content.decode()
    assert "&lt;b&gt;National&lt;/b&gt;" in received and "<b>National" not in received
    assert "/revoke/" not in received  # the recipient may not revoke what the owner gave
    assert "Grant access to a store" not in client_for(recipient[Role.VIEWER]).get("/threats/stores/").content.decode()
    # An analyst of the owner sees the grant but may not revoke it; another organisation does not see it.
    analyst = client_for(world.users[Role.ANALYST])
    assert analyst.get(f"/threats/stores/{given.pk}/revoke/").status_code == 403
    assert analyst.post("/threats/stores/", data).status_code == 403
    assert client_for(world.outsider).post(f"/threats/stores/{given.pk}/revoke/").status_code == 403  # recipient
    assert client_for(third).post(f"/threats/stores/{given.pk}/revoke/").status_code == 404
    # Revoking asks first (GET), and acts only on POST.
    assert "Revoke the grant" in coordinator.get(f"/threats/stores/{given.pk}/revoke/").content.decode()
    given.refresh_from_db()
    assert given.is_live
    assert coordinator.post(f"/threats/stores/{given.pk}/revoke/").status_code == 302
    given.refresh_from_db()
    assert not given.is_live


def test_the_api_lists_grants_given_and_received(world: World, third: User) -> None:
    given = grant(world)
    for user in (world.users[Role.VIEWER], world.outsider):
        body = api_for(user).get("/api/store-grants/").json()
        assert [row["id"] for row in body["results"]] == [given.pk]
        assert body["results"][0]["ceiling"] == "amber" and body["results"][0]["live"] is True
    assert api_for(third).get("/api/store-grants/").json()["results"] == []
    assert api_for(third).get(f"/api/store-grants/{given.pk}/").status_code == 404
    assert api_for(world.users[Role.COORDINATOR]).post("/api/store-grants/", {}).status_code == 405


def test_the_stores_command_grants_lists_and_revokes(world: World) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "stores", "grant", "--owner", "authority-a", "--to", "csirt-b", "--up-to", "green", "--reason", "Why",
        stdout=out,
    )  # fmt: skip
    assert "granted: csirt-b reads authority-a up to TLP:GREEN" in out.getvalue()
    assert AuditEntry.objects.filter(organisation=world.org_b, action="create").exists()
    out = StringIO()
    call_command("stores", "list", stdout=out)
    assert "authority-a\tcsirt-b\tTLP:GREEN" in out.getvalue()
    with pytest.raises(CommandError, match="already reads this store"):
        call_command(
            "stores", "grant", "--owner", "authority-a", "--to", "csirt-b", "--up-to", "green", "--reason", "x"
        )
    with pytest.raises(CommandError, match="--to: there is no organisation"):
        call_command("stores", "revoke", "--owner", "authority-a", "--to", "nowhere")
    call_command("stores", "revoke", "--owner", "authority-a", "--to", "csirt-b", stdout=StringIO())
    out = StringIO()
    call_command("stores", "list", stdout=out)
    assert "csirt-b" not in out.getvalue()


@pytest.mark.slow
def test_the_demo_coordinator_opens_the_dashboard_on_cert_py_events(db: None) -> None:
    from cyberplan.workspace.demo import build_demo_workspace

    assert build_demo_workspace()["store grants"] == 1
    cert_py = Organisation.objects.get(slug="cert-py")
    rows = [event("2026-10-05T10:00:00", ip=f"198.51.100.{i}", tlp=label) for i, label in enumerate(COUNTS, start=1)]
    write_store(store_root(cert_py), rows)
    coordinator = User.objects.get(username="demo-coordinator")
    status, events, html = dashboard_events(coordinator)
    assert (status, events) == (200, "3")  # CLEAR, GREEN and AMBER; never AMBER+STRICT or RED
    assert "granted up to" in html and "up to TLP:AMBER" in html
    assert build_demo_workspace()["store grants"] == 0
