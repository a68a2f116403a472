"""What the MISP feed holds besides single indicators: an indicator's sightings on its attribute, reports of
published documents as events with a report object and an event report, and the creator organisation from
the shared identity. Every file is validated against PyMISP's schema and read back by PyMISP (``feed_of``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from cyberplan.sharing import stix_out
from cyberplan.sharing.actions import add_objects, do_set_member
from cyberplan.sharing.publishing import owner_of
from tests.conftest import World
from tests.sharing.conftest import Net, basic
from tests.sharing.test_misp_feed import feed_of

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def observation(value: str, tlp: str, count: int, first_day: int, last_day: int) -> stix_out.Observation:
    first = dt.datetime(2026, 2, first_day, 8, tzinfo=UTC)
    last = dt.datetime(2026, 2, last_day, 20, tzinfo=UTC)
    return stix_out.Observation(
        "intrusion-attempts", "brute-force", "ipv4-addr", value, tlp, first, last, first, last, count
    )


@pytest.fixture
def shared(net: Net, world: World) -> Net:
    """The owner's identity, two indicators with their sightings (GREEN), a sighting at AMBER of the first
    indicator, and the report of a published strategy version (GREEN)."""
    owner = owner_of(world.org_a)
    objects: list[dict[str, Any]] = [stix_out.identity(owner)]
    objects += stix_out.indicator_objects(owner, observation("203.0.113.7", "green", 42, 1, 9))
    objects += stix_out.indicator_objects(owner, observation("203.0.113.8", "green", 1, 3, 3))
    amber = stix_out.indicator_objects(owner, observation("203.0.113.7", "amber", 5, 10, 12))[1]
    amber["id"] = stix_out.stix_id("sighting", "extra", "amber")
    amber["sighting_of_ref"] = objects[1]["id"]  # a restricted sighting of the GREEN indicator
    objects.append(amber)
    document = stix_out.Document(
        kind="strategy-version",
        key="7",
        title="National cybersecurity strategy 2026-2030",
        published=dt.datetime(2026, 3, 2, 12, tzinfo=UTC),
        tlp="green",
        description="Adopted by decree 1234/2026.",
        url="https://example.gov.py/strategy",
    )
    objects.append(stix_out.report_object(owner, document))
    outcome = add_objects(net.collection, objects, owner=world.org_a, default_tlp="green")
    assert outcome.failed == []
    return net


def by_info(events: dict[str, Any]) -> dict[str, Any]:
    return {event.info: event for event in events.values()}


def test_an_indicator_carries_its_sightings_as_first_and_last_seen_count_and_misp_sightings(
    client: Client, shared: Net
) -> None:
    events = by_info(feed_of(client, shared, shared.member_key))
    attribute = events["Brute-force source: 203.0.113.7"].attributes[0]
    assert attribute.first_seen == dt.datetime(2026, 2, 1, 8, tzinfo=UTC)
    assert attribute.last_seen == dt.datetime(2026, 2, 9, 20, tzinfo=UTC)
    assert "seen 42 times" in attribute.comment
    assert [(s.type, s.source) for s in attribute.sightings] == [("0", "cyberplan")]
    assert int(attribute.sightings[0].date_sighting) == int(dt.datetime(2026, 2, 9, 20, tzinfo=UTC).timestamp())
    assert {tag.name for tag in attribute.tags} == {"tlp:green"}  # the TLP tag on the attribute too
    single = events["Brute-force source: 203.0.113.8"].attributes[0]
    assert single.first_seen < single.last_seen and "seen 1 times" in single.comment


def test_a_restricted_sighting_is_folded_in_only_for_a_recipient_that_may_receive_it(
    client: Client, shared: Net, world: World
) -> None:
    plain = by_info(feed_of(client, shared, shared.member_key))["Brute-force source: 203.0.113.7"]
    do_set_member(None, shared.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    told = by_info(feed_of(client, shared, shared.member_key))["Brute-force source: 203.0.113.7"]
    assert len(plain.attributes[0].sightings) == 1 and len(told.attributes[0].sightings) == 2
    assert "seen 47 times" in told.attributes[0].comment
    assert told.attributes[0].last_seen == dt.datetime(2026, 2, 12, 20, tzinfo=UTC)
    assert told.timestamp > plain.timestamp  # the event moved: a MISP that may see more fetches it again


def test_a_published_document_is_an_event_with_a_report_object_and_an_event_report(client: Client, shared: Net) -> None:
    event = by_info(feed_of(client, shared, shared.member_key))["National cybersecurity strategy 2026-2030"]
    assert event.attributes == [] and {tag.name for tag in event.tags} == {"tlp:green"}
    assert event.date == dt.date(2026, 3, 2) and event.threat_level_id == 4
    (report,) = event.objects
    assert report.name == "report"
    values = {attribute.object_relation: attribute.value for attribute in report.attributes}
    assert values == {
        "title": "National cybersecurity strategy 2026-2030",
        "summary": "Adopted by decree 1234/2026.",
        "link": "https://example.gov.py/strategy",
        "type": "identity",
    }
    assert all({tag.name for tag in attribute.tags} == {"tlp:green"} for attribute in report.attributes)
    (narrative,) = event.event_reports
    assert narrative.name == "National cybersecurity strategy 2026-2030"
    assert (
        "Adopted by decree 1234/2026." in narrative.content and "https://example.gov.py/strategy" in narrative.content
    )


def test_the_creator_organisation_is_the_shared_identity(client: Client, shared: Net, world: World) -> None:
    events = feed_of(client, shared, shared.member_key)
    identity_uuid = stix_out.identity(owner_of(world.org_a))["id"].partition("--")[2]
    assert {(event.Orgc.name, event.Orgc.uuid) for event in events.values()} == {("Authority A", identity_uuid)}


def test_sightings_and_identities_are_not_events_and_unknown_or_malformed_uuids_answer_json_404(
    client: Client, shared: Net
) -> None:
    base = f"/misp-feeds/{shared.collection.pk}/"
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": basic(shared.member_key)}
    sighting = next(r for r in shared.collection.shared_objects.all() if r.stix_type == "sighting")
    for name in (sighting.stix_id.partition("--")[2], "00000000-0000-4000-8000-0000000000ff", "not-a-uuid"):
        response = client.get(f"{base}{name}.json", **auth)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"message": "No event with this uuid in the feed."}
    unknown_collection = client.get("/misp-feeds/not-a-collection/manifest.json", **auth)
    assert unknown_collection.status_code == 404 and unknown_collection.json() == {"message": "Not found"}


def test_the_same_objects_give_the_same_files_byte_for_byte(client: Client, shared: Net) -> None:
    base = f"/misp-feeds/{shared.collection.pk}/"
    auth: dict[str, Any] = {"HTTP_AUTHORIZATION": basic(shared.member_key)}
    manifest = client.get(base + "manifest.json", **auth).json()
    first = {uuid: client.get(f"{base}{uuid}.json", **auth).content for uuid in manifest}
    again = {uuid: client.get(f"{base}{uuid}.json", **auth).content for uuid in manifest}
    assert first == again and len(first) == 3


def test_amber_strict_reaches_only_the_owners_credential_tagged_as_such(client: Client, net: Net, world: World) -> None:
    from cyberplan.sharing.actions import do_update_group
    from tests.sharing.conftest import indicator

    do_update_group(None, net.group, tlp_ceiling="amber+strict")
    do_set_member(None, net.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    add_objects(net.collection, [indicator(4, tlp="amber+strict")], owner=world.org_a, default_tlp="green")
    (own,) = feed_of(client, net, net.owner_key).values()
    assert {tag.name for tag in own.tags} == {"tlp:amber+strict"}
    assert {tag.name for tag in own.attributes[0].tags} == {"tlp:amber+strict"}
    assert feed_of(client, net, net.member_key) == {}  # a member that needs to know: still not STRICT
