"""Who may do what: each role of organisation A, an analyst of organisation B and a user with no membership,
against the gap register, through the web UI and the API.

The expected outcomes are written out here by hand from docs/concepts/access.md, not derived from the code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.models import Gap, GapEvidence
from tests.conftest import World

A_ROLES = [Role.ADMINISTRATOR, Role.COORDINATOR, Role.ANALYST, Role.CONTRIBUTOR, Role.VIEWER, Role.EXTERNAL_PARTNER]
ACTORS = [*A_ROLES, "outsider", "nobody"]

# What each actor may do to an AMBER gap of organisation A created by its coordinator.
# "ok" allowed, "forbidden" visible but not allowed (403), "hidden" not visible (404).
AMBER_EXPECTED: dict[str, dict[str, str]] = {
    Role.ADMINISTRATOR: {"view": "ok", "edit": "ok", "evidence": "ok", "status": "ok", "delete": "ok"},
    Role.COORDINATOR: {"view": "ok", "edit": "ok", "evidence": "ok", "status": "ok", "delete": "ok"},
    Role.ANALYST: {"view": "ok", "edit": "ok", "evidence": "ok", "status": "forbidden", "delete": "forbidden"},
    Role.CONTRIBUTOR: {
        "view": "ok",
        "edit": "forbidden",
        "evidence": "ok",
        "status": "forbidden",
        "delete": "forbidden",
    },
    Role.VIEWER: {
        "view": "ok",
        "edit": "forbidden",
        "evidence": "forbidden",
        "status": "forbidden",
        "delete": "forbidden",
    },
    Role.EXTERNAL_PARTNER: {
        "view": "hidden",
        "edit": "hidden",
        "evidence": "hidden",
        "status": "hidden",
        "delete": "hidden",
    },
    "outsider": {"view": "hidden", "edit": "hidden", "evidence": "hidden", "status": "hidden", "delete": "hidden"},
    "nobody": {"view": "hidden", "edit": "hidden", "evidence": "hidden", "status": "hidden", "delete": "hidden"},
}

# Who sees a gap of organisation A at each TLP label (created by A's contributor).
VISIBLE_AT_TLP: dict[str, set[str]] = {
    TLP.CLEAR: {*A_ROLES},
    TLP.GREEN: {*A_ROLES},
    TLP.AMBER: set(A_ROLES) - {Role.EXTERNAL_PARTNER},
    TLP.AMBER_STRICT: set(A_ROLES) - {Role.EXTERNAL_PARTNER},
    # RED: administrators, coordinators and the creator only.
    TLP.RED: {Role.ADMINISTRATOR, Role.COORDINATOR, Role.CONTRIBUTOR},
}


def actor(world: World, name: str):  # type: ignore[no-untyped-def]
    if name == "outsider":
        return world.outsider
    if name == "nobody":
        return world.nobody
    return world.users[name]


STATUS = {"ok": {200, 201, 204, 302}, "forbidden": {403}, "hidden": {404}}


def ui_attempt(client: Client, gap: Gap, action: str) -> int:
    if action == "view":
        return client.get(f"/gaps/{gap.pk}/").status_code
    if action == "edit":
        return client.post(
            f"/gaps/{gap.pk}/edit/",
            {"source": "other", "title_en": "Changed", "severity": "high", "tlp": gap.tlp, "version": gap.version},
        ).status_code
    if action == "evidence":
        return client.post(
            f"/gaps/{gap.pk}/", {"kind": "url", "label": "Report", "url": "https://example.org/report"}
        ).status_code
    if action == "status":
        return client.post(f"/gaps/{gap.pk}/status/", {"status": "addressed", "version": gap.version}).status_code
    if action == "delete":
        return client.post(f"/gaps/{gap.pk}/delete/").status_code
    raise AssertionError(action)


def api_attempt(client: APIClient, gap: Gap, action: str) -> int:
    if action == "view":
        return client.get(f"/api/gaps/{gap.pk}/").status_code
    if action == "edit":
        return client.patch(
            f"/api/gaps/{gap.pk}/", {"title_en": "Changed", "version": gap.version}, format="json"
        ).status_code
    if action == "evidence":
        return client.post(
            f"/api/gaps/{gap.pk}/evidence/",
            {"kind": "url", "label": "R", "url": "https://example.org/r"},
            format="json",
        ).status_code
    if action == "status":
        return client.post(
            f"/api/gaps/{gap.pk}/status/", {"status": "addressed", "version": gap.version}, format="json"
        ).status_code
    if action == "delete":
        return client.delete(f"/api/gaps/{gap.pk}/").status_code
    raise AssertionError(action)


@pytest.mark.parametrize("action", ["view", "edit", "evidence", "status", "delete"])
@pytest.mark.parametrize("who", ACTORS)
def test_web_ui_matrix(world: World, make_gap: Callable[..., Gap], client: Client, who: str, action: str) -> None:
    gap = make_gap(tlp=TLP.AMBER)
    client.force_login(actor(world, who))
    status = ui_attempt(client, gap, action)
    expected = AMBER_EXPECTED[who][action]
    assert status in STATUS[expected], f"{who} {action}: got {status}, expected {expected}"
    still_there = Gap.objects.filter(pk=gap.pk).first()
    if expected != "ok":
        # Nothing changed behind a refusal.
        assert still_there is not None
        assert still_there.version == gap.version
        assert still_there.title_en == gap.title_en
        assert not GapEvidence.objects.filter(gap=gap).exists()


@pytest.mark.parametrize("action", ["view", "edit", "evidence", "status", "delete"])
@pytest.mark.parametrize("who", ACTORS)
def test_api_matrix(world: World, make_gap: Callable[..., Gap], api_client: APIClient, who: str, action: str) -> None:
    gap = make_gap(tlp=TLP.AMBER)
    api_client.force_authenticate(actor(world, who))
    status = api_attempt(api_client, gap, action)
    expected = AMBER_EXPECTED[who][action]
    assert status in STATUS[expected], f"{who} {action}: got {status}, expected {expected}"
    if expected != "ok":
        current = Gap.objects.get(pk=gap.pk)
        assert current.version == gap.version
        assert current.status == gap.status
        assert not GapEvidence.objects.filter(gap=gap).exists()


@pytest.mark.slow
@pytest.mark.parametrize("tlp", TLP.values)
def test_tlp_visibility_in_lists_and_detail(world: World, make_gap: Callable[..., Gap], tlp: str) -> None:
    gap = make_gap(tlp=tlp, creator=world.users[Role.CONTRIBUTOR], title_en=f"Gap at {tlp}")
    for who in ACTORS:
        client = APIClient()
        client.force_authenticate(actor(world, who))
        listed = {g["id"] for g in client.get("/api/gaps/").json()["results"]}
        detail = client.get(f"/api/gaps/{gap.pk}/").status_code
        web = Client()
        web.force_login(actor(world, who))
        page = web.get("/gaps/").content.decode()
        should_see = who in VISIBLE_AT_TLP[tlp]
        assert (gap.pk in listed) == should_see, f"{who} list at {tlp}"
        assert detail == (200 if should_see else 404), f"{who} detail at {tlp}"
        assert (f"Gap at {tlp}" in page) == should_see, f"{who} web list at {tlp}"


def test_outsider_cannot_create_a_gap_for_another_organisation(world: World, api_client: APIClient) -> None:
    api_client.force_authenticate(world.outsider)
    response = api_client.post("/api/gaps/", {"organisation": world.org_a.pk, "title_en": "Injected"}, format="json")
    assert response.status_code == 400
    assert "organisation" in response.json()
    assert not Gap.objects.filter(title_en="Injected").exists()

    web = Client()
    web.force_login(world.outsider)
    response = web.post(
        "/gaps/new/",
        {"organisation": world.org_a.pk, "source": "other", "title_en": "Injected", "severity": "low", "tlp": "amber"},
    )
    assert response.status_code == 400
    assert not Gap.objects.filter(title_en="Injected").exists()


def test_contributor_edits_own_gap_but_not_others(
    world: World, make_gap: Callable[..., Gap], api_client: APIClient
) -> None:
    own = make_gap(creator=world.users[Role.CONTRIBUTOR])
    other = make_gap()
    api_client.force_authenticate(world.users[Role.CONTRIBUTOR])
    assert (
        api_client.patch(
            f"/api/gaps/{own.pk}/", {"title_en": "Mine", "version": own.version}, format="json"
        ).status_code
        == 200
    )
    assert (
        api_client.patch(
            f"/api/gaps/{other.pk}/", {"title_en": "Theirs", "version": other.version}, format="json"
        ).status_code
        == 403
    )


def test_organisations_memberships_and_audit_are_scoped(
    world: World, make_gap: Callable[..., Gap], api_client: APIClient
) -> None:
    make_gap()
    api_client.force_authenticate(world.outsider)
    orgs = [o["slug"] for o in api_client.get("/api/organisations/").json()["results"]]
    assert orgs == ["csirt-b"]
    assert api_client.get(f"/api/organisations/{world.org_a.pk}/").status_code == 404
    usernames = {m["username"] for m in api_client.get("/api/memberships/").json()["results"]}
    assert usernames == {"b-analyst"}
    # An analyst of B may not read the audit log at all; A's coordinator reads only A's.
    assert api_client.get("/api/audit-entries/").json()["results"] == []
    api_client.force_authenticate(world.users[Role.COORDINATOR])
    entries = api_client.get("/api/audit-entries/").json()["results"]
    assert entries
    assert {e["organisation"] for e in entries} == {world.org_a.pk}

    web = Client()
    web.force_login(world.outsider)
    assert web.get(f"/organisations/{world.org_a.pk}/").status_code == 404
    assert web.get("/audit/").status_code == 403


@pytest.mark.parametrize(
    ("who", "allowed"), [(Role.ADMINISTRATOR, True), (Role.COORDINATOR, False), ("outsider", False)]
)
def test_only_administrators_manage_memberships(world: World, who: str, allowed: bool) -> None:
    web = Client()
    web.force_login(actor(world, who))
    response = web.post(f"/organisations/{world.org_a.pk}/", {"username": "nobody", "role": Role.VIEWER})
    assert response.status_code == (302 if allowed else 403 if who != "outsider" else 404)
    assert world.nobody.memberships.filter(organisation=world.org_a).exists() == allowed


def test_anonymous_is_sent_to_login_and_api_refuses(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    web = Client()
    for path in ["/", "/gaps/", f"/gaps/{gap.pk}/", "/organisations/", "/audit/", "/jobs/", "/account/"]:
        response = web.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    api = APIClient()
    for path in ["/api/gaps/", f"/api/gaps/{gap.pk}/", "/api/organisations/", "/api/audit-entries/", "/api/jobs/"]:
        assert api.get(path).status_code in {401, 403}


def test_token_authentication(world: World, make_gap: Callable[..., Gap]) -> None:
    from cyberplan.core.actions import do_create_api_token

    gap = make_gap()
    viewer = world.users[Role.VIEWER]
    _token, secret = do_create_api_token(
        viewer, viewer, name="script", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(f"/api/gaps/{gap.pk}/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(f"/api/gaps/{gap.pk}/").status_code == 401
