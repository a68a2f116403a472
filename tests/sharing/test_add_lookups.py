"""Adding an envelope reads the versions a collection already holds once, and again under the lock only when
another envelope was stored while this one was being validated."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cyberplan.sharing import stix_out
from cyberplan.sharing.actions import add_objects
from cyberplan.sharing.models import SharedObject
from tests.conftest import World
from tests.sharing.conftest import Net, indicator

pytestmark = pytest.mark.django_db


def _lookups(queries: CaptureQueriesContext) -> int:
    """How many queries read the (id, version) pairs held."""
    return sum(1 for query in queries.captured_queries if '"version" FROM' in query["sql"] and "IN (" in query["sql"])


def test_an_envelope_reads_the_versions_held_once(net: Net, world: World) -> None:
    add_objects(net.collection, [indicator(1)], owner=world.org_a, default_tlp="green")
    envelope = [indicator(n) for n in range(1, 40)] + [indicator(2, modified="2026-02-01T00:00:00.000Z")]
    with CaptureQueriesContext(connection) as queries:
        outcome = add_objects(net.collection, envelope, owner=world.org_a, default_tlp="green")
    assert _lookups(queries) == 1
    assert len(outcome.unchanged) == 1
    assert len(outcome.added) == 39
    assert SharedObject.objects.filter(collection=net.collection).count() == 40
    latest = SharedObject.objects.get(collection=net.collection, stix_id=indicator(2)["id"], is_latest=True)
    assert latest.version == "2026-02-01T00:00:00.000Z"


def test_a_version_stored_meanwhile_is_found_under_the_lock(
    net: Net, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another envelope holding the same version is stored while this one is validated: this one reads the
    versions held again, reports the version unchanged and stores it once."""
    checked = stix_out.problems_of
    stored_meanwhile: list[Any] = []
    landing: list[bool] = []

    def check_while_another_envelope_lands(obj: Any) -> str | None:
        if not landing:
            landing.append(True)
            stored_meanwhile.append(add_objects(net.collection, [indicator(7)], owner=world.org_b, default_tlp="green"))
        return checked(obj)

    monkeypatch.setattr(stix_out, "problems_of", check_while_another_envelope_lands)
    with CaptureQueriesContext(connection) as queries:
        outcome = add_objects(net.collection, [indicator(7), indicator(8)], owner=world.org_a, default_tlp="green")
    assert len(stored_meanwhile[0].added) == 1
    assert [identity["id"] for identity in outcome.unchanged] == [indicator(7)["id"]]
    assert [identity["id"] for identity in outcome.added] == [indicator(8)["id"]]
    assert SharedObject.objects.filter(collection=net.collection, stix_id=indicator(7)["id"]).count() == 1
    # this envelope's look-up before validating, the other envelope's, and this one's again under the lock
    assert _lookups(queries) == 3


def test_an_envelope_larger_than_one_query_finds_every_held_version(net: Net, world: World) -> None:
    first = [indicator(n) for n in range(1, 1201)]
    assert len(add_objects(net.collection, first, owner=world.org_a, default_tlp="green").added) == 1200
    outcome = add_objects(net.collection, first, owner=world.org_a, default_tlp="green")
    assert len(outcome.unchanged) == 1200
    assert outcome.added == []
