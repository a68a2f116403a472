"""A collection's MISP events downloaded from its page and from the API: a zip of MISP feed files that PyMISP's
feed tool reads back, holding only what the release rule lets go to the person, recorded and audited."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.sharing.actions import add_objects
from cyberplan.sharing.models import Release
from tests.conftest import World
from tests.sharing.conftest import Net, basic, indicator

pytestmark = pytest.mark.django_db

LABELS = {1: "clear", 2: "green", 3: "amber", 4: "amber+strict", 5: "red"}


@pytest.fixture
def filled(net: Net, world: World) -> Net:
    objects = [indicator(n, tlp=tlp) for n, tlp in LABELS.items()]
    assert add_objects(net.collection, objects, owner=world.org_a, default_tlp="green").failed == []
    # A member's posted AMBER object: the owner's people read it as those who need to know.
    assert add_objects(net.collection, [indicator(6, tlp="amber")], owner=world.org_b, default_tlp="green").failed == []
    return net


def page_export(user: User, net: Net) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/sharing/collections/{net.collection.pk}/misp-export/")


def unzip(content: bytes, into: Path) -> dict[str, Any]:
    """The zip's files written out, and PyMISP's feed tool run over the event files to compare with."""
    from pymisp import MISPEvent
    from pymisp.tools.feed import feed_meta_generator

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        archive.extractall(into)
    served_manifest = json.loads((into / "manifest.json").read_text())
    served_hashes = sorted((into / "hashes.csv").read_text().splitlines())
    assert set(names) == {"manifest.json", "hashes.csv", *(f"{uuid}.json" for uuid in served_manifest)}
    feed_meta_generator(into)  # PyMISP's own feed code rewrites manifest.json and hashes.csv from the events
    assert json.loads((into / "manifest.json").read_text()) == served_manifest
    assert sorted((into / "hashes.csv").read_text().splitlines()) == served_hashes
    events = {}
    for uuid in served_manifest:
        event = MISPEvent()
        event.load_file(str(into / f"{uuid}.json"))
        events[event.attributes[0].value] = {tag.name for tag in event.tags}
    return events


def test_a_coordinator_downloads_a_misp_feed_zip_with_what_the_rule_releases(
    world: World, filled: Net, tmp_path: Path
) -> None:
    response = page_export(world.users[Role.COORDINATOR], filled)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="misp-events-{filled.collection.pk}.zip"' in response["Content-Disposition"]
    events = unzip(response.content, tmp_path)
    assert events == {
        "198.51.100.1": {"tlp:clear"},
        "198.51.100.2": {"tlp:green"},
        "198.51.100.3": {"tlp:amber"},
        "198.51.100.6": {"tlp:amber"},  # the member's, read as one who needs to know
    }  # never RED; AMBER+STRICT is above the group's ceiling (AMBER)


def test_a_role_reads_in_the_export_only_what_it_reads_at_home(world: World, filled: Net, tmp_path: Path) -> None:
    response = page_export(world.users[Role.EXTERNAL_PARTNER], filled)
    assert response.status_code == 200
    assert set(unzip(response.content, tmp_path)) == {"198.51.100.1", "198.51.100.2"}


def test_the_export_is_recorded_as_a_release_and_audited_under_the_persons_name(world: World, filled: Net) -> None:
    user = world.users[Role.ANALYST]
    page_export(user, filled)
    release = Release.objects.get(channel="misp-export")
    assert release.counts == {"clear": 1, "green": 1, "amber": 2} and release.recipient == world.org_a
    entry = AuditEntry.objects.get(content_type__model="release", object_id=str(release.pk))
    assert entry.actor == user and entry.changes["events"] == [None, 4]


def test_exporting_twice_gives_the_same_file(world: World, filled: Net) -> None:
    user = world.users[Role.COORDINATOR]
    assert page_export(user, filled).content == page_export(user, filled).content


def test_people_outside_the_owner_organisation_get_404(world: World, filled: Net) -> None:
    assert page_export(world.outsider, filled).status_code == 404
    assert page_export(world.nobody, filled).status_code == 404
    anonymous = Client().get(f"/sharing/collections/{filled.collection.pk}/misp-export/")
    assert anonymous.status_code == 302  # to the sign-in page


def test_the_api_gives_the_same_zip_and_the_same_refusals(world: World, filled: Net, tmp_path: Path) -> None:
    api = APIClient()
    url = f"/api/sharing-collections/{filled.collection.pk}/misp-export/"
    api.force_authenticate(world.users[Role.COORDINATOR])
    response = api.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.content == page_export(world.users[Role.COORDINATOR], filled).content
    assert len(unzip(response.content, tmp_path)) == 4
    api.force_authenticate(world.outsider)
    assert api.get(url).status_code == 404
    api.force_authenticate(None)
    assert api.get(url).status_code in {401, 403}


def test_a_partner_credential_does_not_open_the_export(client: Client, filled: Net) -> None:
    url = f"/api/sharing-collections/{filled.collection.pk}/misp-export/"
    assert client.get(url, HTTP_AUTHORIZATION=basic(filled.member_key)).status_code in {401, 403}


def test_the_collection_page_offers_the_download(world: World, filled: Net) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    body = client.get(f"/sharing/collections/{filled.collection.pk}/").content.decode()
    assert f'href="/sharing/collections/{filled.collection.pk}/misp-export/"' in body
