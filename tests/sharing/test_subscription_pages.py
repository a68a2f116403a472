"""The TAXII subscription pages: coordinators and administrators of the organisation add, change, pull and
remove subscriptions, audited; the stored password is never shown again; others are refused or see nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.sharing.models import Subscription
from tests.conftest import World

pytestmark = pytest.mark.django_db

SECRET = "partner-secret-value-1234"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(world: World, **values: Any) -> dict[str, Any]:
    data = {
        "organisation": world.org_a.pk,
        "name": "CERT partner",
        "api_root_url": "https://taxii.partner.example/api1/",
        "collection_id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
        "username": "cyberplan",
        "password": SECRET,
        "tlp": "amber",
        "interval_minutes": 60,
        "active": "on",
    }
    data.update(values)
    return data


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR])
def test_deciders_add_change_pull_and_remove_audited(world: World, role: str) -> None:
    client = signed_in(world.users[role])
    response = client.post("/sharing/subscriptions/new/", form(world))
    assert response.status_code == 302, response.content
    subscription = Subscription.objects.get()
    assert subscription.partner_password() == SECRET and SECRET not in subscription.password  # encrypted at rest
    for page in (f"/sharing/subscriptions/{subscription.pk}/", f"/sharing/subscriptions/{subscription.pk}/edit/"):
        body = client.get(page).content.decode()
        assert "CERT partner" in body and SECRET not in body
    assert client.get("/sharing/subscriptions/").status_code == 200

    response = client.post(f"/sharing/subscriptions/{subscription.pk}/edit/", form(world, password="", name="Renamed"))
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.name == "Renamed" and subscription.partner_password() == SECRET  # empty keeps the stored one

    response = client.post(f"/sharing/subscriptions/{subscription.pk}/pull/")
    assert response.status_code == 302
    assert Job.objects.filter(kind="sharing_pull", parameters={"subscription": subscription.pk}).exists()

    assert client.post(f"/sharing/subscriptions/{subscription.pk}/remove/").status_code == 302
    assert not Subscription.objects.exists()
    entries = AuditEntry.objects.filter(content_type__model="subscription")
    assert entries.count() >= 3  # created, changed, removed
    assert all(SECRET not in str(entry.changes) for entry in entries)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER, Role.CONTRIBUTOR])
def test_other_roles_are_refused(world: World, role: str) -> None:
    subscription = Subscription.objects.create(
        organisation=world.org_a, name="x", api_root_url="https://taxii.partner.example/api1/", collection_id="c"
    )
    client = signed_in(world.users[role])
    assert client.get("/sharing/subscriptions/").status_code == 403
    assert client.post("/sharing/subscriptions/new/", form(world)).status_code == 403
    assert client.get(f"/sharing/subscriptions/{subscription.pk}/").status_code == 404
    assert client.post(f"/sharing/subscriptions/{subscription.pk}/remove/").status_code == 404
    assert Subscription.objects.count() == 1


def test_another_organisation_sees_nothing(world: World) -> None:
    subscription = Subscription.objects.create(
        organisation=world.org_a, name="x", api_root_url="https://taxii.partner.example/api1/", collection_id="c"
    )
    client = signed_in(world.outsider)
    assert client.get(f"/sharing/subscriptions/{subscription.pk}/").status_code == 404


def test_another_partner_collection_is_pulled_from_its_beginning(world: World) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    client.post("/sharing/subscriptions/new/", form(world))
    subscription = Subscription.objects.get()
    Subscription.objects.filter(pk=subscription.pk).update(added_after="2026-01-01T00:00:00.000000Z")
    client.post(f"/sharing/subscriptions/{subscription.pk}/edit/", form(world, password="", name="Renamed"))
    subscription.refresh_from_db()
    assert subscription.added_after == "2026-01-01T00:00:00.000000Z"
    client.post(f"/sharing/subscriptions/{subscription.pk}/edit/", form(world, password="", collection_id="other"))
    subscription.refresh_from_db()
    assert subscription.collection_id == "other" and subscription.added_after == ""
