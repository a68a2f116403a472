"""The sharing release rule over every TLP label x recipient role x standing in the group x group ceiling.

The expected answers are written out here as tables a reviewer can check against TLP 2.0 by eye, not
computed the way ``cyberplan.core.release`` computes them.
"""

from __future__ import annotations

import itertools

import pytest

from cyberplan.core.release import GROUP_CEILINGS, Standing, labels_released_to, may_release

LABELS = ("clear", "green", "amber", "amber+strict", "red")
ROLES = ("administrator", "coordinator", "analyst", "contributor", "viewer", "external_partner", None)
STANDINGS = ("owner", "need_to_know", "member", "non_member")
CEILINGS = ("clear", "green", "amber", "amber+strict")

# Label -> the standings it may go to ("x" = yes), columns owner / need-to-know / member / non-member.
BY_STANDING = {
    "clear": "x x x x",
    "green": "x x x .",
    "amber": "x x . .",
    "amber+strict": "x . . .",
    "red": ". . . .",
}

# Role -> the labels a reader in that role receives at all (a partner credential, None, reads as its organisation).
BY_ROLE = {
    "administrator": {"clear", "green", "amber", "amber+strict", "red"},
    "coordinator": {"clear", "green", "amber", "amber+strict", "red"},
    "analyst": {"clear", "green", "amber", "amber+strict"},
    "contributor": {"clear", "green", "amber", "amber+strict"},
    "viewer": {"clear", "green", "amber", "amber+strict"},
    "external_partner": {"clear", "green"},
    None: {"clear", "green", "amber", "amber+strict", "red"},
}

# Ceiling -> the labels a group with that ceiling lets through.
BY_CEILING = {
    "clear": {"clear"},
    "green": {"clear", "green"},
    "amber": {"clear", "green", "amber"},
    "amber+strict": {"clear", "green", "amber", "amber+strict"},
}


def expected(label: str, role: str | None, standing: str, ceiling: str) -> bool:
    column = STANDINGS.index(standing)
    return BY_STANDING[label].split()[column] == "x" and label in BY_ROLE[role] and label in BY_CEILING[ceiling]


def test_the_axes_cover_every_value() -> None:
    from cyberplan.core.choices import TLP, Role

    assert set(LABELS) == set(TLP.values)
    assert set(ROLES) - {None} == set(Role.values)
    assert set(STANDINGS) == {s.value for s in Standing}
    assert set(CEILINGS) == set(GROUP_CEILINGS)


@pytest.mark.parametrize(
    ("label", "role", "standing", "ceiling"), list(itertools.product(LABELS, ROLES, STANDINGS, CEILINGS))
)
def test_every_combination(label: str, role: str | None, standing: str, ceiling: str) -> None:
    assert may_release(label=label, standing=standing, role=role, group_ceiling=ceiling) is expected(
        label, role, standing, ceiling
    )


@pytest.mark.parametrize(("role", "standing", "ceiling"), list(itertools.product(ROLES, STANDINGS, CEILINGS)))
def test_label_lists_agree_with_the_single_decision(role: str | None, standing: str, ceiling: str) -> None:
    released = labels_released_to(standing=standing, role=role, group_ceiling=ceiling)
    assert released == [label for label in LABELS if expected(label, role, standing, ceiling)]
    assert "red" not in released


def test_red_never_leaves_even_to_the_owners_administrator_under_the_widest_ceiling() -> None:
    assert not may_release(label="red", standing="owner", role="administrator", group_ceiling="amber+strict")


@pytest.mark.parametrize(
    "bad", [{"label": "white"}, {"standing": "friend"}, {"group_ceiling": "red"}, {"role": "root"}]
)
def test_unknown_values_release_nothing(bad: dict[str, str]) -> None:
    values = {"label": "clear", "standing": "owner", "role": "administrator", "group_ceiling": "amber"} | bad
    assert not may_release(**values)  # type: ignore[arg-type]  # the keys are the keyword parameters
