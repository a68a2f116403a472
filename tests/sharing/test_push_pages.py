"""The push pages: coordinators and administrators of the collection's organisation add, change, push and remove
pushes, audited; the password is kept encrypted and never shown again; a collection of another organisation or a
partner outside the group is refused with the field named; other roles are refused and other organisations see
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.sharing.actions import do_create_collection, do_create_group, do_create_push
from cyberplan.sharing.models import Push
from tests.conftest import World, make_user
from tests.sharing.conftest import Net

pytestmark = pytest.mark.django_db

SECRET = "partner-push-secret-5678"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(world: World, net: Net, **values: Any) -> dict[str, Any]:
    data = {
        "organisation": world.org_a.pk,
        "name": "To CSIRT B",
        "collection": str(net.collection.pk),
        "recipient": world.org_b.pk,
        "api_root_url": "https://taxii.partner.example/api1/",
        "partner_collection_id": "91a7b528-80eb-42ed-a74d-c6fbd5a26116",
        "username": "cyberplan",
        "password": SECRET,
        "interval_minutes": 60,
        "active": "on",
    }
    data.update(values)
    return data


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.COORDINATOR])
def test_deciders_add_change_push_and_remove_audited(world: World, net: Net, role: str) -> None:
    client = signed_in(world.users[role])
    response = client.post("/sharing/pushes/new/", form(world, net))
    assert response.status_code == 302, response.content
    push = Push.objects.get()
    assert push.partner_password() == SECRET and SECRET not in push.password  # encrypted at rest
    for page in (f"/sharing/pushes/{push.pk}/", f"/sharing/pushes/{push.pk}/edit/", "/sharing/pushes/"):
        body = client.get(page).content.decode()
        assert "To CSIRT B" in body and SECRET not in body and push.password not in body

    response = client.post(f"/sharing/pushes/{push.pk}/edit/", form(world, net, password="", name="Renamed"))
    assert response.status_code == 302
    push.refresh_from_db()
    assert push.name == "Renamed" and push.partner_password() == SECRET  # empty keeps the stored one
    client.post(f"/sharing/pushes/{push.pk}/edit/", form(world, net, password="new-secret-9", name="Renamed"))
    push.refresh_from_db()
    assert push.partner_password() == "new-secret-9"

    assert client.post(f"/sharing/pushes/{push.pk}/push/").status_code == 302
    assert Job.objects.filter(kind="sharing_push", parameters={"push": push.pk}).exists()

    assert client.post(f"/sharing/pushes/{push.pk}/remove/").status_code == 302
    assert not Push.objects.exists()
    entries = AuditEntry.objects.filter(content_type__model="push")
    assert entries.count() >= 4  # created, renamed, password changed, removed
    assert entries.filter(changes__secret=["(old)", "(changed)"]).exists()
    assert all(SECRET not in str(e.changes) and "new-secret-9" not in str(e.changes) for e in entries)


def test_bad_choices_are_refused_on_their_field(world: World, net: Net) -> None:
    client = signed_in(world.users[Role.ADMINISTRATOR])
    response = client.post("/sharing/pushes/new/", form(world, net, recipient=net.org_c.pk))
    assert response.status_code == 200 and "may not read the collection" in response.content.decode()
    response = client.post("/sharing/pushes/new/", form(world, net, recipient=world.org_a.pk))
    assert response.status_code == 200 and "choose the partner" in response.content.decode()
    other = do_create_collection(None, do_create_group(None, world.org_b, name="B's"), title="B's collection")
    response = client.post("/sharing/pushes/new/", form(world, net, collection=str(other.pk)))
    assert response.status_code == 200 and not Push.objects.exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.VIEWER, Role.CONTRIBUTOR])
def test_other_roles_are_refused(world: World, net: Net, role: str) -> None:
    push = do_create_push(
        None,
        world.org_a,
        name="x",
        collection=net.collection,
        recipient=world.org_b,
        api_root_url="https://taxii.partner.example/api1/",
        partner_collection_id="c",
    )
    client = signed_in(world.users[role])
    assert client.get("/sharing/pushes/").status_code == 403
    assert client.post("/sharing/pushes/new/", form(world, net)).status_code == 403
    assert client.get(f"/sharing/pushes/{push.pk}/").status_code == 404
    assert client.post(f"/sharing/pushes/{push.pk}/push/").status_code == 404
    assert not Job.objects.exists()


def test_another_organisation_sees_nothing(world: World, net: Net) -> None:
    push = do_create_push(
        None,
        world.org_a,
        name="x",
        collection=net.collection,
        recipient=world.org_b,
        api_root_url="https://taxii.partner.example/api1/",
        partner_collection_id="c",
    )
    client = signed_in(make_user("b-coordinator", world.org_b, Role.COORDINATOR))  # decides for B only
    assert "x" not in [p.name for p in client.get("/sharing/pushes/").context["pushes"]]
    assert client.get(f"/sharing/pushes/{push.pk}/").status_code == 404
    assert client.post(f"/sharing/pushes/{push.pk}/remove/").status_code == 404
    assert Push.objects.filter(pk=push.pk).exists()


def test_another_destination_starts_from_the_beginning(world: World, net: Net) -> None:
    from django.utils import timezone

    client = signed_in(world.users[Role.COORDINATOR])
    client.post("/sharing/pushes/new/", form(world, net))
    push = Push.objects.get()
    Push.objects.filter(pk=push.pk).update(pushed_up_to=timezone.now())
    client.post(f"/sharing/pushes/{push.pk}/edit/", form(world, net, password="", name="Renamed"))
    push.refresh_from_db()
    assert push.pushed_up_to is not None  # a new name changes nothing of what was sent
    client.post(f"/sharing/pushes/{push.pk}/edit/", form(world, net, password="", partner_collection_id="other"))
    push.refresh_from_db()
    assert push.partner_collection_id == "other" and push.pushed_up_to is None
