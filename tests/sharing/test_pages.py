"""The pages of the sharing network, as every role of the owner organisation, a member organisation and
nobody: who sees, who changes, and the credential's secret shown once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.sharing.models import GroupMember, PartnerCredential, SharingGroup
from tests.conftest import World
from tests.sharing.conftest import Net

pytestmark = pytest.mark.django_db

DECIDERS = {Role.ADMINISTRATOR, Role.COORDINATOR}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", Role.values)
def test_owner_roles_read_and_deciders_change(world: World, net: Net, role: str) -> None:
    client = signed_in(world.users[role])
    assert net.group.name in client.get("/sharing/").content.decode()
    assert client.get(f"/sharing/groups/{net.group.pk}/").status_code == 200
    assert client.get(f"/sharing/collections/{net.collection.pk}/").status_code == 200
    expected = 200 if role in DECIDERS else 403
    assert client.get(f"/sharing/groups/{net.group.pk}/edit/").status_code == expected
    assert client.get(f"/sharing/groups/{net.group.pk}/collections/new/").status_code == expected
    response = client.post(f"/sharing/groups/{net.group.pk}/members/", {"organisation": net.org_c.pk, "can_read": "on"})
    assert response.status_code == (302 if role in DECIDERS else 403)
    assert GroupMember.objects.filter(group=net.group, organisation=net.org_c).exists() is (role in DECIDERS)
    credentials = client.get("/sharing/credentials/")
    assert credentials.status_code == (200 if role == Role.ADMINISTRATOR else 403)


@pytest.mark.parametrize("who", ["outsider", "nobody"])
def test_others_see_nothing(world: World, net: Net, who: str) -> None:
    client = signed_in(getattr(world, who))
    assert net.group.name not in client.get("/sharing/").content.decode()
    assert client.get(f"/sharing/groups/{net.group.pk}/").status_code == 404
    assert client.get(f"/sharing/collections/{net.collection.pk}/").status_code == 404
    assert client.post(f"/sharing/collections/{net.collection.pk}/publish/").status_code == 404
    assert client.get("/sharing/credentials/").status_code == 403
    credential = net.member_key[0]
    assert client.post(f"/sharing/credentials/{credential.pk}/revoke/").status_code == 404
    assert client.get(f"/sharing/credentials/{credential.pk}/secret/").status_code == 404


def test_create_group_and_collection_through_the_pages(world: World) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    response = client.post(
        "/sharing/groups/new/",
        {"organisation": world.org_a.pk, "name": "CSIRTAmericas", "description": "", "tlp_ceiling": "green"},
    )
    group = SharingGroup.objects.get(name="CSIRTAmericas")
    assert response.status_code == 302
    client.post(
        f"/sharing/groups/{group.pk}/collections/new/",
        {"title": "Phishing", "description": "", "content": "indicators", "default_tlp": "green"},
    )
    assert group.collections.get().title == "Phishing"
    assert AuditEntry.objects.filter(content_type__model__in=["sharinggroup", "collection"]).count() == 2


SECRET = re.compile(r'<code class="credential-secret-value">([A-Za-z0-9_-]{40,})</code>')


def test_issue_shows_the_secret_once_then_rotate_and_revoke(world: World) -> None:
    client = signed_in(world.users[Role.ADMINISTRATOR])
    issued = client.post(
        "/sharing/credentials/new/", {"issuer": world.org_a.pk, "holder": world.org_b.pk, "name": "CERT B MISP"}
    )
    credential = PartnerCredential.objects.get(name="CERT B MISP")
    # Issuing redirects to the page that shows the secret, so reloading that page issues nothing again.
    assert issued.status_code == 302 and issued["Location"] == f"/sharing/credentials/{credential.pk}/secret/"
    page = client.get(issued["Location"])
    assert "no-store" in page["Cache-Control"]
    shown = SECRET.findall(page.content.decode())
    assert len(shown) == 1 and shown[0] not in credential.key
    again = client.get(issued["Location"]).content.decode()
    assert SECRET.findall(again) == [] and shown[0] not in again and str(credential.pk) in again
    assert PartnerCredential.objects.count() == 1
    listing = client.get("/sharing/credentials/").content.decode()
    assert str(credential.pk) in listing and shown[0] not in listing
    rotated = client.post(f"/sharing/credentials/{credential.pk}/rotate/", follow=True).content.decode()
    assert len(SECRET.findall(rotated)) == 1 and SECRET.findall(rotated) != shown
    client.post(f"/sharing/credentials/{credential.pk}/revoke/")
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    entries = AuditEntry.objects.filter(content_type__model="partnercredential", object_id=str(credential.pk))
    assert entries.count() == 3
    assert all("key" not in entry.changes for entry in entries)


def test_a_secret_waiting_for_one_credential_is_not_shown_on_another(world: World, net: Net) -> None:
    client = signed_in(world.users[Role.ADMINISTRATOR])
    client.post(f"/sharing/credentials/{net.member_key[0].pk}/rotate/")
    other = client.get(f"/sharing/credentials/{net.outsider_key[0].pk}/secret/").content.decode()
    assert SECRET.findall(other) == []
    assert len(SECRET.findall(client.get(f"/sharing/credentials/{net.member_key[0].pk}/secret/").content.decode())) == 1


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
def test_members_of_the_issuer_who_do_not_administer_it_are_refused_the_credential_actions(
    world: World, net: Net, role: str
) -> None:
    client = signed_in(world.users[role])
    credential, _secret = net.member_key
    for action in ("rotate", "revoke"):
        assert client.post(f"/sharing/credentials/{credential.pk}/{action}/").status_code == 403
    assert client.get(f"/sharing/credentials/{credential.pk}/secret/").status_code == 403
    credential.refresh_from_db()
    assert credential.revoked_at is None and credential.rotated_at is None


def test_the_admin_lists_but_does_not_change_or_show_the_secret(world: World, net: Net, admin_client: Client) -> None:
    credential = net.member_key[0]
    listing = admin_client.get("/admin/sharing/partnercredential/")
    assert listing.status_code == 200 and credential.name in listing.content.decode()
    page = admin_client.get(f"/admin/sharing/partnercredential/{credential.pk}/change/").content.decode()
    assert credential.key not in page
    assert admin_client.get("/admin/sharing/sharinggroup/add/").status_code == 403


@pytest.mark.parametrize(
    ("role", "offered"), [(Role.ADMINISTRATOR, True), (Role.COORDINATOR, False), (Role.VIEWER, False)]
)
def test_the_credentials_page_is_offered_only_to_those_who_may_open_it(world: World, role: str, offered: bool) -> None:
    client = signed_in(world.users[role])
    html = client.get("/sharing/").content.decode()
    assert ('href="/sharing/credentials/"' in html) is offered
    assert client.get("/sharing/credentials/").status_code == (200 if offered else 403)


def test_editing_a_group_on_its_page_saves_and_audits_the_change(world: World) -> None:
    """The form changes the group in memory first; the change must still be saved and its audit name the field."""
    client = signed_in(world.users[Role.COORDINATOR])
    client.post(
        "/sharing/groups/new/",
        {"organisation": world.org_a.pk, "name": "CSIRTAmericas", "description": "", "tlp_ceiling": "green"},
    )
    group = SharingGroup.objects.get(name="CSIRTAmericas")
    response = client.post(
        f"/sharing/groups/{group.pk}/edit/",
        {"name": "CSIRTAmericas", "description": "Regional exchange", "tlp_ceiling": "amber", "version": group.version},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.description, group.tlp_ceiling, group.version) == ("Regional exchange", "amber", 2)
    entry = AuditEntry.objects.filter(content_type__model="sharinggroup", action="update").get()
    assert entry.changes["tlp_ceiling"] == ["green", "amber"]
    assert entry.changes["description"] == ["", "Regional exchange"]
