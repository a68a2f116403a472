"""Pushing a collection to a partner: a real medallion on loopback receives, through taxii2-client, only what the
release rule lets go to the partner organisation (never TLP:RED, TLP:AMBER only to a member that needs to know),
in envelopes that fit its max_content_length; each envelope's release is recorded and audited; a second push
sends only what is new (the watermark); a partner that refuses objects, refuses the account, is down or answers
garbage gives a clear status and keeps the watermark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cyberplan.core.models import AuditEntry
from cyberplan.sharing.actions import add_objects, do_create_push, do_set_member
from cyberplan.sharing.choices import PushState
from cyberplan.sharing.models import Push, Release, SharedObject
from cyberplan.sharing.push import batches, do_push, due_pushes
from tests.conftest import World
from tests.sharing.conftest import Net, indicator
from tests.sharing.test_client import garbage as garbage
from tests.sharing.test_interop import (
    COLLECTION_ID,
    MEDALLION_PASSWORD,
    MEDALLION_USER,
    free_port,
    medallion_collection,
    run_medallion,
)
from tests.sharing.test_interop import medallion as medallion

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

READ_ONLY_ID = "5e0d7a3c-9d1e-4f7a-8a43-2f0f6a3c1b99"


def fill(net: Net, world: World) -> dict[str, str]:
    """One object of each label owned by the group's owner (RED too, as if something had put it there), and a
    GREEN one posted by member B; their ids by name."""
    objects = {
        "clear": indicator(1, tlp="clear"),
        "green": indicator(2, tlp="green"),
        "amber": indicator(3, tlp="amber"),
        "strict": indicator(4, tlp="amber+strict"),
        "red": indicator(5, tlp="red"),
    }
    outcome = add_objects(net.collection, objects.values(), owner=world.org_a, default_tlp="green")
    assert not outcome.failed, outcome.failed
    posted = indicator(6, tlp="green")
    assert not add_objects(net.collection, [posted], owner=world.org_b, default_tlp="green").failed
    return {**{name: obj["id"] for name, obj in objects.items()}, "posted": posted["id"]}


def make_push(net: Net, world: World, api_root: str, **values: Any) -> Push:
    return do_create_push(
        None,
        world.org_a,
        name=values.pop("name", "to B"),
        collection=net.collection,
        recipient=values.pop("recipient", world.org_b),
        api_root_url=api_root,
        partner_collection_id=values.pop("partner_collection_id", COLLECTION_ID),
        username=MEDALLION_USER,
        password=values.pop("password", MEDALLION_PASSWORD),
        **values,
    )


def partner_ids(discovery: str, collection_id: str = COLLECTION_ID) -> list[str]:
    from taxii2client.v21 import Collection, as_pages

    url = discovery.replace("/taxii2/", f"/api1/collections/{collection_id}/")
    collection = Collection(url, user=MEDALLION_USER, password=MEDALLION_PASSWORD)
    return sorted(
        obj["id"] for page in as_pages(collection.get_objects, per_request=50) for obj in page.get("objects", [])
    )


def api_root(discovery: str) -> str:
    return discovery.replace("/taxii2/", "/api1/")


def test_pushes_what_the_partner_may_receive_then_only_what_is_new(net: Net, world: World, medallion: str) -> None:
    ids = fill(net, world)
    push = make_push(net, world, api_root(medallion))
    assert due_pushes() == [push]

    first = do_push(None, push)
    push.refresh_from_db()
    assert first.state == PushState.OK, first.error
    # B is a member without need to know: CLEAR, GREEN and its own object go; AMBER, AMBER+STRICT and RED stay.
    assert partner_ids(medallion) == sorted([ids["clear"], ids["green"], ids["posted"]])
    assert (push.last_sent, push.last_succeeded, push.last_failed, push.last_withheld) == (3, 3, 0, 3)
    assert push.pushed_up_to == SharedObject.objects.latest("date_added").date_added
    release = Release.objects.get(channel="taxii-push")
    assert release.recipient == world.org_b and release.counts == {"clear": 1, "green": 2}
    assert AuditEntry.objects.filter(content_type__model="release", changes__channel=[None, "taxii-push"]).exists()
    assert due_pushes() == []

    again = do_push(None, push)
    assert (again.state, again.sent, again.withheld) == (PushState.OK, 0, 0)
    assert Release.objects.filter(channel="taxii-push").count() == 1  # nothing sent, nothing released

    new = indicator(7, tlp="green")
    add_objects(net.collection, [new], owner=world.org_a, default_tlp="green")
    third = do_push(None, push)
    assert third.sent == 1 and new["id"] in partner_ids(medallion)
    assert AuditEntry.objects.filter(content_type__model="push").count() == 4  # created, then three pushes
    assert all(MEDALLION_PASSWORD not in str(entry.changes) for entry in AuditEntry.objects.all())


def test_a_member_that_needs_to_know_receives_amber_never_red(net: Net, world: World, medallion: str) -> None:
    ids = fill(net, world)
    do_set_member(None, net.group, world.org_b, can_read=True, can_write=False, need_to_know=True)
    outcome = do_push(None, make_push(net, world, api_root(medallion)))
    assert outcome.state == PushState.OK, outcome.error
    assert partner_ids(medallion) == sorted([ids["clear"], ids["green"], ids["amber"], ids["posted"]])
    assert outcome.withheld == 2  # AMBER+STRICT (the owner's only) and RED


def test_a_partner_outside_the_group_receives_only_clear_of_an_open_collection(
    net: Net, world: World, medallion: str
) -> None:
    ids = fill(net, world)
    net.collection.open_to_all_partners = True
    net.collection.save()
    outcome = do_push(None, make_push(net, world, api_root(medallion), recipient=net.org_c))
    assert outcome.state == PushState.OK, outcome.error
    assert partner_ids(medallion) == [ids["clear"]]


def test_a_partner_that_may_not_read_the_collection_is_refused_and_sent_nothing(
    net: Net, world: World, medallion: str
) -> None:
    from django.core.exceptions import ValidationError

    fill(net, world)
    with pytest.raises(ValidationError) as error:
        make_push(net, world, api_root(medallion), recipient=net.org_c)
    assert "recipient" in error.value.message_dict
    push = make_push(net, world, api_root(medallion))
    net.group.members.filter(organisation=world.org_b).delete()  # B leaves the group after the push was set up
    outcome = do_push(None, push)
    assert outcome.state == PushState.NOT_RECEIVER and outcome.sent == 0
    assert partner_ids(medallion) == [] and not Release.objects.exists()


@pytest.fixture
def small_medallion(tmp_path: Path) -> Iterator[str]:
    """medallion whose API root takes envelopes of at most 2,000 bytes (an indicator is about 400)."""
    with run_medallion(tmp_path, max_content_length=2000) as url:
        yield url


def test_envelopes_fit_the_partners_max_content_length(net: Net, world: World, small_medallion: str) -> None:
    objects = [indicator(n, tlp="green") for n in range(10, 30)]
    add_objects(net.collection, objects, owner=world.org_a, default_tlp="green")
    outcome = do_push(None, make_push(net, world, api_root(small_medallion)))
    assert outcome.state == PushState.OK, outcome.error
    assert partner_ids(small_medallion) == sorted(obj["id"] for obj in objects)
    from_start = Push(organisation=world.org_a, collection=net.collection, recipient=world.org_b)
    envelopes = list(batches(from_start, 2000))
    assert len(envelopes) > 1 and all(len(batch.envelope()) <= 2000 for batch in envelopes)
    releases = Release.objects.filter(channel="taxii-push")  # one release record per envelope sent
    assert sorted(r.counts["green"] for r in releases) == sorted(len(batch.parts) for batch in envelopes)


def test_objects_the_partner_refuses_are_counted_with_its_messages(net: Net, world: World, medallion: str) -> None:
    from taxii2client.v21 import Collection

    ids = fill(net, world)
    partner = Collection(
        f"{api_root(medallion)}collections/{COLLECTION_ID}/", user=MEDALLION_USER, password=MEDALLION_PASSWORD
    )
    partner.add_objects({"objects": [indicator(2, tlp="green")]}, poll_interval=0)  # medallion refuses it again
    push = make_push(net, world, api_root(medallion))
    outcome = do_push(None, push)
    push.refresh_from_db()
    assert push.last_state == PushState.PARTLY_REFUSED
    assert (push.last_sent, push.last_succeeded, push.last_failed) == (3, 2, 1)
    assert push.last_failures[0]["id"] == ids["green"] and push.last_failures[0]["message"]
    assert outcome.watermark is not None and push.pushed_up_to == outcome.watermark  # refused objects stay refused


def _failed_push(net: Net, world: World, root: str, **values: Any) -> Push:
    fill(net, world)
    push = make_push(net, world, root, **values)
    outcome = do_push(None, push, timeout=5)
    push.refresh_from_db()
    assert push.last_state == outcome.state and push.last_error
    assert push.pushed_up_to is None  # the watermark stays
    return push


def test_a_dead_port_says_unreachable(net: Net, world: World) -> None:
    push = _failed_push(net, world, f"http://127.0.0.1:{free_port()}/api1/")
    assert push.last_state == PushState.UNREACHABLE and push.last_sent == 0


def test_a_garbage_answer_says_not_taxii(net: Net, world: World, garbage: str) -> None:
    assert _failed_push(net, world, garbage).last_state == PushState.BAD_ANSWER


def test_a_wrong_password_says_refused(net: Net, world: World, medallion: str) -> None:
    push = _failed_push(net, world, api_root(medallion), password="wrong")
    assert push.last_state == PushState.REFUSED and "401" in push.last_error
    assert partner_ids(medallion) == []


def test_a_read_only_partner_collection_says_refused(net: Net, world: World, tmp_path: Path) -> None:
    collections = [medallion_collection(), medallion_collection(READ_ONLY_ID, can_write=False)]
    with run_medallion(tmp_path, collections=collections) as discovery:
        push = _failed_push(net, world, api_root(discovery), partner_collection_id=READ_ONLY_ID)
        assert push.last_state == PushState.REFUSED
        assert partner_ids(discovery, READ_ONLY_ID) == []
