"""End to end: what each partner credential receives over TAXII from a collection holding one object per TLP
label (even TLP:RED, put there behind the rule's back), for every standing towards the group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cyberplan.sharing.actions import add_objects, do_set_member
from tests.conftest import World
from tests.sharing.conftest import Net, indicator

pytestmark = pytest.mark.django_db

LABELS = ("clear", "green", "amber", "amber+strict", "red")

# Standing -> the labels it receives (docs/concepts/sharing-release.md), under an AMBER+STRICT ceiling.
EXPECTED = {
    "owner": {"clear", "green", "amber", "amber+strict"},
    "need_to_know": {"clear", "green", "amber"},
    "member": {"clear", "green"},
    "non_member_open": {"clear"},
}


@pytest.mark.parametrize("standing", [*EXPECTED, "non_member_closed", "read_off"])
def test_each_standing_receives_its_labels_and_never_red(
    taxii: Callable[..., Any], net: Net, world: World, standing: str
) -> None:
    net.group.tlp_ceiling = "amber+strict"
    net.group.save()
    add_objects(
        net.collection,
        [indicator(n, tlp=label) for n, label in enumerate(LABELS)],
        owner=world.org_a,
        default_tlp="green",
    )
    key = {"owner": net.owner_key, "non_member_open": net.outsider_key, "non_member_closed": net.outsider_key}.get(
        standing, net.member_key
    )
    if standing == "need_to_know":
        do_set_member(None, net.group, world.org_b, can_read=True, can_write=True, need_to_know=True)
    if standing == "read_off":
        do_set_member(None, net.group, world.org_b, can_read=False, can_write=True)
    if standing == "non_member_open":
        net.collection.open_to_all_partners = True
        net.collection.save()
    response = taxii("GET", f"/taxii2/api/collections/{net.collection.pk}/objects/", key)
    if standing == "non_member_closed":
        assert response.status_code == 404
        return
    if standing == "read_off":
        assert response.status_code == 403
        return
    got = {obj["object_marking_refs"][0] for obj in response.json().get("objects", [])}
    expected = {indicator(LABELS.index(label), tlp=label)["object_marking_refs"][0] for label in EXPECTED[standing]}
    assert got == expected
    red = indicator(LABELS.index("red"))["id"]
    one = taxii("GET", f"/taxii2/api/collections/{net.collection.pk}/objects/{red}/", key)
    assert one.status_code == 404
