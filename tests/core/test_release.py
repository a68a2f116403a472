"""The one release rule (cyberplan/core/release.py), every ceiling, role and label, against FIRST TLP 2.0."""

from __future__ import annotations

import pytest

from cyberplan.core.choices import TLP, Role
from cyberplan.core.release import CROSSABLE, labels_within, released_labels

OWNER, RECIPIENT = 1, 2
CEILINGS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER]
# What a role reads inside the recipient organisation, written out here rather than taken from ROLE_TLP.
ROLE_READS = {
    Role.ADMINISTRATOR: {"clear", "green", "amber", "amber+strict", "red"},
    Role.COORDINATOR: {"clear", "green", "amber", "amber+strict", "red"},
    Role.ANALYST: {"clear", "green", "amber", "amber+strict"},
    Role.CONTRIBUTOR: {"clear", "green", "amber", "amber+strict"},
    Role.VIEWER: {"clear", "green", "amber", "amber+strict"},
    Role.EXTERNAL_PARTNER: {"clear", "green"},
}
UP_TO = {"clear": {"clear"}, "green": {"clear", "green"}, "amber": {"clear", "green", "amber"}}


def expected(ceiling: str, role: str, label: str, *, named: bool) -> bool:
    """The rule as FIRST TLP 2.0 words it: AMBER+STRICT and RED never cross; AMBER only to a named recipient."""
    if label in ("amber+strict", "red"):
        return False
    if label == "amber" and not named:
        return False
    return label in UP_TO[ceiling] and label in ROLE_READS[role]


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("label", TLP.values)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("ceiling", CEILINGS)
def test_every_ceiling_role_and_label(ceiling: str, role: str, label: str, named: bool) -> None:
    released = released_labels(
        owner_id=OWNER, recipient_id=RECIPIENT, ceiling=ceiling, recipient_role=role, named=named
    )
    assert (label in released) is expected(ceiling, role, label, named=named)


@pytest.mark.parametrize("ceiling", ["amber+strict", "red", "", "purple"])
def test_a_ceiling_above_amber_or_unknown_releases_nothing(ceiling: str) -> None:
    for role in Role.values:
        assert released_labels(owner_id=OWNER, recipient_id=RECIPIENT, ceiling=ceiling, recipient_role=role) == []


def test_no_role_or_the_owner_itself_releases_nothing() -> None:
    assert released_labels(owner_id=OWNER, recipient_id=RECIPIENT, ceiling="amber", recipient_role=None) == []
    assert released_labels(owner_id=OWNER, recipient_id=OWNER, ceiling="amber", recipient_role=Role.COORDINATOR) == []


def test_released_labels_are_ordered_least_restricted_first() -> None:
    released = released_labels(owner_id=OWNER, recipient_id=RECIPIENT, ceiling="amber", recipient_role=Role.VIEWER)
    assert released == ["clear", "green", "amber"]
    assert list(CROSSABLE) == ["clear", "green", "amber"]


def test_labels_within_a_ceiling_never_include_strict_or_red() -> None:
    assert labels_within(TLP.values, "amber") == ["clear", "green", "amber"]
    assert labels_within(["red", "green", "amber+strict"], "green") == ["green"]
    assert labels_within(TLP.values, "red") == []
