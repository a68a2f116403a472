"""From the event store to a subscribed MISP: events imported into the store, published into a collection as
STIX indicators with sightings, and read as the MISP feed (schema-checked and loaded back by PyMISP). The
feed's events carry the sightings publishing derived from the events; publishing again with nothing new
leaves the feed unchanged, so a poll with the ETag is answered 304."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cyberplan.sharing.publishing import do_publish
from tests.conftest import World
from tests.sharing.conftest import Net, basic
from tests.sharing.test_misp_feed import feed_of
from tests.sharing.test_publishing import indicators_collection  # noqa: F401 (a fixture used below)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def test_published_indicators_reach_a_member_as_misp_events_with_their_sightings(
    client: Client,
    net: Net,
    world: World,
    indicators_collection: Any,  # noqa: F811
) -> None:
    assert do_publish(None, indicators_collection).failed == []
    published = dataclasses.replace(net, collection=indicators_collection)
    events = feed_of(client, published, published.member_key)
    values = {event.attributes[0].value: event for event in events.values()}
    assert set(values) == {"203.0.113.1", "203.0.113.2"}  # CLEAR and GREEN of the partner classes only
    for event in values.values():
        attribute = event.attributes[0]
        assert attribute.first_seen <= attribute.last_seen
        assert "seen 1 times" in attribute.comment and len(attribute.sightings) == 1
        assert event.Orgc.name == "Authority A"
    brute_force = values["203.0.113.1"]
    assert {tag.name for tag in brute_force.tags} == {"tlp:clear", 'rsit:intrusion-attempts="brute-force"'}

    url = f"/misp-feeds/{indicators_collection.pk}/manifest.json"
    first = client.get(url, HTTP_AUTHORIZATION=basic(published.member_key))
    assert do_publish(None, indicators_collection).added == 0  # nothing new in the store
    again = client.get(url, HTTP_AUTHORIZATION=basic(published.member_key), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
