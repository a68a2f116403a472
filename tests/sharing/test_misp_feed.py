"""The MISP feed of a collection, read back as a MISP instance reads a feed: the manifest, hashes.csv and one
file per event, each event loaded with PyMISP and its manifest entry and hashes computed by PyMISP's own feed
code compared with what was served. The release rule holds as over TAXII, and each answer is recorded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cyberplan.core.models import AuditEntry
from cyberplan.sharing.actions import add_objects, do_revoke_credential, do_set_member
from cyberplan.sharing.models import PartnerCredential, Release
from tests.conftest import World
from tests.sharing.conftest import Net, basic, indicator

pytestmark = pytest.mark.django_db

LABELS = {1: "clear", 2: "green", 3: "amber", 4: "amber+strict", 5: "red"}


@pytest.fixture
def filled(net: Net, world: World) -> Net:
    objects = [indicator(n, tlp=tlp) for n, tlp in LABELS.items()]
    objects[0]["labels"] = ['rsit:intrusion-attempts="brute-force"']
    outcome = add_objects(net.collection, objects, owner=world.org_a, default_tlp="green")
    assert outcome.failed == [] and len(outcome.added) == 5
    return net


def feed_of(client: Client, net: Net, key: tuple[PartnerCredential, str]) -> dict[str, Any]:
    """Everything a feed consumer fetches, checked the way PyMISP builds a feed's manifest and hashes."""
    import jsonschema
    from pymisp import MISPEvent

    from cyberplan.pipeline.importers.misp import load_schema

    schema = load_schema("schema-lax.json")  # the strict one predates fields PyMISP's own feed output has
    pymisp_schema = jsonschema.validators.validator_for(schema)(schema)
    base = f"/misp-feeds/{net.collection.pk}/"
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": basic(key)}
    manifest = client.get(base + "manifest.json", **auth)
    assert manifest.status_code == 200, manifest.content
    entries = manifest.json()
    hashes = client.get(base + "hashes.csv", **auth)
    assert hashes.status_code == 200
    events: dict[str, Any] = {}
    expected_hashes: list[str] = []
    for event_id, entry in entries.items():
        response = client.get(f"{base}{event_id}.json", **auth)
        assert response.status_code == 200
        schema_errors = list(pymisp_schema.iter_errors(response.json()))
        assert schema_errors == [], [e.message for e in schema_errors]  # PyMISP's JSON schema of a MISP event
        event = MISPEvent()
        event.load(response.content)  # PyMISP's loader of MISP JSON
        assert event.uuid == event_id
        # What pymisp.tools.feed.feed_meta_generator writes for this event file, compared with what was served.
        assert json.loads(json.dumps(event.manifest, default=str)) == {event_id: entry}
        expected_hashes += [f"{digest},{event.uuid}" for digest in event.attributes_hashes("md5")]
        events[event_id] = event
    assert sorted(hashes.content.decode().splitlines()) == sorted(expected_hashes)
    return events


def values_and_tags(events: dict[str, Any]) -> dict[str, set[str]]:
    return {event.attributes[0].value: {tag.name for tag in event.tags} for event in events.values()}


def test_a_member_receives_clear_and_green_as_misp_events_with_tlp_tags(client: Client, filled: Net) -> None:
    events = feed_of(client, filled, filled.member_key)
    assert values_and_tags(events) == {
        "198.51.100.1": {"tlp:clear", 'rsit:intrusion-attempts="brute-force"'},
        "198.51.100.2": {"tlp:green"},
    }
    one = next(iter(events.values()))
    assert one.attributes[0].type == "ip-src" and one.attributes[0].to_ids
    assert one.Orgc.name == "Authority A"


def test_amber_only_for_a_member_that_needs_to_know_and_never_amber_strict_or_red(
    client: Client, filled: Net, world: World
) -> None:
    do_set_member(None, filled.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    tags = set().union(*values_and_tags(feed_of(client, filled, filled.member_key)).values())
    assert {"tlp:clear", "tlp:green", "tlp:amber"} <= tags
    assert "tlp:amber+strict" not in tags and "tlp:red" not in tags
    owner_tags = set().union(*values_and_tags(feed_of(client, filled, filled.owner_key)).values())
    assert "tlp:red" not in owner_tags  # RED never leaves, not even to the owner's own credential


def test_the_same_indicator_gives_the_same_event_and_a_new_version_a_new_timestamp(
    client: Client, filled: Net, world: World
) -> None:
    first = feed_of(client, filled, filled.member_key)
    again = feed_of(client, filled, filled.member_key)
    assert {k: e.to_json() for k, e in first.items()} == {k: e.to_json() for k, e in again.items()}
    add_objects(
        filled.collection,
        [indicator(2, modified="2026-03-01T00:00:00.000Z", tlp="green")],
        owner=world.org_a,
        default_tlp="green",
    )
    changed = feed_of(client, filled, filled.member_key)
    assert set(changed) == set(first)
    event_id = next(k for k, e in changed.items() if e.attributes[0].value == "198.51.100.2")
    assert changed[event_id].timestamp > first[event_id].timestamp


def test_each_answer_is_recorded_as_a_release_and_audited(client: Client, filled: Net) -> None:
    feed_of(client, filled, filled.member_key)
    releases = Release.objects.filter(channel="misp")
    assert releases.count() == 4  # the manifest, hashes.csv and the two event files
    assert all(set(r.counts) <= {"clear", "green"} for r in releases)
    assert AuditEntry.objects.filter(content_type__model="release").count() == 4


def test_bad_credentials_and_unseen_collections_are_refused(client: Client, filled: Net) -> None:
    base = f"/misp-feeds/{filled.collection.pk}/manifest.json"
    assert client.get(base).status_code == 401
    assert client.get(base, HTTP_AUTHORIZATION="Basic bm90OmFrZXk=").status_code == 401
    assert client.get(base, HTTP_AUTHORIZATION=basic(filled.outsider_key)).status_code == 404
    do_revoke_credential(None, filled.member_key[0])
    assert client.get(base, HTTP_AUTHORIZATION=basic(filled.member_key)).status_code == 401
    missing = f"/misp-feeds/{filled.collection.pk}/00000000-0000-4000-8000-000000000005.json"
    assert client.get(missing, HTTP_AUTHORIZATION=basic(filled.owner_key)).status_code == 404  # RED: not served


def test_the_collection_page_gives_the_feed_address(world: World, net: Net) -> None:
    from cyberplan.core.choices import Role

    client = Client()
    client.force_login(world.users[Role.ANALYST])
    body = client.get(f"/sharing/collections/{net.collection.pk}/").content.decode()
    assert f"http://testserver/misp-feeds/{net.collection.pk}/</code>" in body


def test_feed_events_import_back_through_the_misp_importer_at_their_labels(
    client: Client, filled: Net, world: World, tmp_path: Any, settings: Any
) -> None:
    from cyberplan.pipeline.query import connect
    from cyberplan.threats.actions import do_register_import, do_run_import
    from cyberplan.threats.store import event_store

    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    events = feed_of(client, filled, filled.member_key)
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([json.loads(event.to_json()) for event in events.values()]))
    record = do_register_import(None, world.org_b, path, file_name=path.name, format="misp", tlp="amber")
    record = do_run_import(record, path)
    assert record.stored == 2 and record.quarantined == 0
    con = connect(event_store(world.org_b))
    try:
        rows = dict(con.execute('SELECT "source.ip", tlp FROM events').fetchall())
    finally:
        con.close()
    assert rows == {"198.51.100.1": "clear", "198.51.100.2": "green"}
