"""The feed's manifest and hashes are built once per state of the collection and per partner's rights, served
with an ETag and Last-Modified, and a poll that matches is answered 304 without sending (or recording) events.
The cache never serves one partner what was built for another with other rights."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cyberplan.sharing.access import partner_view
from cyberplan.sharing.actions import add_objects, do_delete_objects, do_set_member, do_update_group
from cyberplan.sharing.misp.readers import partner_reader
from cyberplan.sharing.models import PartnerCredential, Release, SharedObject
from tests.conftest import World
from tests.sharing.conftest import Net, basic, indicator

pytestmark = pytest.mark.django_db

LABELS = {1: "clear", 2: "green", 3: "amber", 4: "amber+strict", 5: "red"}


@pytest.fixture
def filled(net: Net, world: World) -> Net:
    objects = [indicator(n, tlp=tlp) for n, tlp in LABELS.items()]
    assert add_objects(net.collection, objects, owner=world.org_a, default_tlp="green").failed == []
    return net


def get(
    client: Client, net: Net, key: tuple[PartnerCredential, str], name: str = "manifest.json", **headers: Any
) -> Any:
    return client.get(f"/misp-feeds/{net.collection.pk}/{name}", HTTP_AUTHORIZATION=basic(key), **headers)


def test_a_poll_with_the_etag_is_answered_304_and_sends_nothing(client: Client, filled: Net) -> None:
    first = get(client, filled, filled.member_key)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    releases = Release.objects.count()
    again = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    since = get(client, filled, filled.member_key, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    hashes = get(client, filled, filled.member_key, "hashes.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert hashes.status_code == 304  # manifest and hashes are one build: one ETag
    assert Release.objects.count() == releases  # a 304 releases nothing
    other = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200 and other.json() == first.json()


def test_an_event_file_has_its_own_etag(client: Client, filled: Net) -> None:
    event_id = next(iter(get(client, filled, filled.member_key).json()))
    first = get(client, filled, filled.member_key, f"{event_id}.json")
    assert (
        get(client, filled, filled.member_key, f"{event_id}.json", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )


def test_adding_or_deleting_objects_changes_the_etag_and_the_manifest(
    client: Client, filled: Net, world: World
) -> None:
    first = get(client, filled, filled.member_key)
    add_objects(filled.collection, [indicator(6, tlp="clear")], owner=world.org_a, default_tlp="green")
    added = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH=first["ETag"])
    assert added.status_code == 200 and len(added.json()) == len(first.json()) + 1
    row = SharedObject.objects.get(stix_id="indicator--00000000-0000-4000-8000-000000000006")
    do_delete_objects(filled.owner_key[0], filled.collection, [row])
    deleted = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH=added["ETag"])
    assert deleted.status_code == 200 and deleted.json() == first.json()


def test_a_change_of_rights_is_a_new_answer_never_the_cached_one(client: Client, filled: Net, world: World) -> None:
    plain = get(client, filled, filled.member_key)
    do_set_member(None, filled.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    told = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH=plain["ETag"])
    assert told.status_code == 200 and len(told.json()) == len(plain.json()) + 1  # AMBER now
    do_update_group(None, filled.group, tlp_ceiling="clear")
    lowered = get(client, filled, filled.member_key, HTTP_IF_NONE_MATCH=told["ETag"])
    assert lowered.status_code == 200 and len(lowered.json()) == 1  # CLEAR only


def test_partners_with_other_rights_never_share_an_entry_and_equal_rights_do(
    client: Client, filled: Net, world: World
) -> None:
    from cyberplan.sharing.actions import do_issue_credential

    member = get(client, filled, filled.member_key)
    owner = get(client, filled, filled.owner_key)
    assert member["ETag"] != owner["ETag"] and len(owner.json()) == 3  # the owner also gets AMBER (ceiling AMBER)
    assert get(client, filled, filled.owner_key, HTTP_IF_NONE_MATCH=member["ETag"]).status_code == 200
    second_key = do_issue_credential(None, world.org_a, world.org_b, "b again")
    assert get(client, filled, second_key)["ETag"] == member["ETag"]  # the same organisation, the same rights
    filled.collection.open_to_all_partners = True
    filled.collection.save()
    outsider = get(client, filled, filled.outsider_key, HTTP_IF_NONE_MATCH=member["ETag"])
    assert outsider.status_code == 200 and len(outsider.json()) == 1  # CLEAR only, not the member's GREEN


def test_each_reader_receives_exactly_what_the_partner_view_releases_over_taxii(filled: Net, world: World) -> None:
    do_set_member(None, filled.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    add_objects(filled.collection, [indicator(7, tlp="amber")], owner=world.org_b, default_tlp="green")
    filled.collection.open_to_all_partners = True
    filled.collection.save()
    for key in (filled.owner_key, filled.member_key, filled.outsider_key):
        partner = partner_view(key[0], filled.collection)
        reader = partner_reader(partner)
        expected = set(partner.objects().values_list("pk", flat=True))
        assert set(SharedObject.objects.filter(reader.objects_q()).values_list("pk", flat=True)) == expected
        assert {
            row.pk for row in filled.collection.shared_objects.all() if reader.may_receive(row.owner_id, row.tlp)
        } == expected


def test_a_warm_poll_costs_the_same_few_queries_whatever_the_size_of_the_collection(
    client: Client, filled: Net, world: World
) -> None:
    def queries() -> int:
        get(client, filled, filled.member_key)  # warm the cache for this state
        with CaptureQueriesContext(connection) as captured:
            assert get(client, filled, filled.member_key).status_code == 200
        assert not any("body" in query["sql"] for query in captured.captured_queries)  # no object is read
        return len(captured.captured_queries)

    small = queries()
    more = [indicator(n, tlp="green") for n in range(100, 300)]
    add_objects(filled.collection, more, owner=world.org_a, default_tlp="green")
    assert queries() == small
