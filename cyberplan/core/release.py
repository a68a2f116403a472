"""The one release rule: which TLP labels may cross from an owner organisation to a recipient organisation.

Every door through which one organisation's records reach another calls :func:`released_labels`: the
store grants of the threat evidence today, and outbound sharing (STIX, MISP) later. It follows FIRST's
Traffic Light Protocol 2.0 (https://www.first.org/tlp/):

* ``TLP:CLEAR`` and ``TLP:GREEN`` may cross to any recipient the owner releases to.
* ``TLP:AMBER`` may cross, but only to a recipient the owner named (a grant, a sharing agreement).
* ``TLP:AMBER+STRICT`` is for the owner organisation only, and ``TLP:RED`` for named people only:
  neither ever crosses an organisation's boundary, whatever the owner's ceiling.

The owner sets a ceiling (CLEAR, GREEN or AMBER); the labels released are the crossable ones at or below
it, narrowed to what the reader's role reads inside the recipient organisation (``ROLE_TLP``). The rule
takes organisations and labels, not store or record objects, so each caller keeps its own storage.

Sharing groups (``cyberplan.sharing``: TAXII collections, and MISP feeds later) apply the same protocol to
one object at a time with :func:`may_release`, which also knows the group's need-to-know flag and ceiling.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from .access import ROLE_PERMISSIONS, ROLE_TLP, Permission
from .choices import TLP, TLP_RANK

# Labels that may cross to a recipient the owner named; the most restricted of them is the highest ceiling.
CROSSABLE: tuple[str, ...] = (TLP.CLEAR, TLP.GREEN, TLP.AMBER)
# Labels that never leave the owner organisation.
NEVER_CROSS: frozenset[str] = frozenset({TLP.AMBER_STRICT, TLP.RED})


def is_crossable_ceiling(ceiling: str) -> bool:
    """Whether an owner may set ``ceiling`` on a release (CLEAR, GREEN or AMBER)."""
    return ceiling in CROSSABLE


def released_labels(
    *, owner_id: int, recipient_id: int, ceiling: str, recipient_role: str | None, named: bool = True
) -> list[str]:
    """The labels a reader with ``recipient_role`` in the recipient organisation reads of the owner's records.

    ``named`` says whether the owner named this recipient (a grant): without it only CLEAR and GREEN cross.
    An owner releasing to itself is not a crossing: the caller applies ``ROLE_TLP`` inside the owner
    instead, so this answers nothing. An unknown ceiling, or a role without ``view``, releases nothing.
    The answer is ordered from least to most restricted.
    """
    if owner_id == recipient_id or ceiling not in CROSSABLE:
        return []
    if recipient_role is None or Permission.VIEW not in ROLE_PERMISSIONS.get(recipient_role, frozenset()):
        return []
    limit = TLP_RANK[TLP(ceiling)]
    if not named:
        limit = min(limit, TLP_RANK[TLP.GREEN])
    role_labels = ROLE_TLP[recipient_role]
    return [label for label in CROSSABLE if TLP_RANK[TLP(label)] <= limit and label in role_labels]


def labels_within(labels: Iterable[str], ceiling: str) -> list[str]:
    """The crossable ``labels`` at or below ``ceiling``, least restricted first (for outbound filters)."""
    if ceiling not in CROSSABLE:
        return []
    limit = TLP_RANK[TLP(ceiling)]
    wanted = set(labels)
    return [label for label in CROSSABLE if label in wanted and TLP_RANK[TLP(label)] <= limit]


# -- Sharing groups: one outbound object to one member of a group --------------------------------------------


class Standing(enum.StrEnum):
    """How a recipient stands towards a sharing group and the owner of an object shared in it."""

    OWNER = "owner"  # a member of the organisation that owns the object
    NEED_TO_KNOW = "need_to_know"  # a member organisation of the group with the need-to-know flag
    MEMBER = "member"  # a member organisation of the group
    NON_MEMBER = "non_member"  # allowed to read the collection without being a member of its group


# Group ceilings a sharing group may set: AMBER+STRICT lets the owner's own members read its strict objects
# through the group's collections; nothing ever lets RED out.
GROUP_CEILINGS: tuple[str, ...] = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT)

# The standings each label may go to (TLP 2.0 as a sharing group applies it); RED goes to none.
_STANDINGS_FOR: dict[str, frozenset[Standing]] = {
    TLP.CLEAR: frozenset(Standing),
    TLP.GREEN: frozenset({Standing.OWNER, Standing.NEED_TO_KNOW, Standing.MEMBER}),
    TLP.AMBER: frozenset({Standing.OWNER, Standing.NEED_TO_KNOW}),
    TLP.AMBER_STRICT: frozenset({Standing.OWNER}),
    TLP.RED: frozenset(),
}


def may_release(*, label: str, standing: Standing | str, role: str | None, group_ceiling: str) -> bool:
    """Whether an outbound object marked ``label`` may go to a recipient through a sharing group.

    * ``TLP:RED`` never leaves; ``TLP:AMBER+STRICT`` goes only to the owning organisation's members;
      ``TLP:AMBER`` only to members flagged as needing to know (and the owner); ``TLP:GREEN`` to the
      group; ``TLP:CLEAR`` to anyone allowed to read the collection.
    * Nothing above the group's ceiling goes out, whoever asks.
    * ``role`` is the recipient's role in its organisation (in the owner for ``OWNER``): a role without
      ``view`` receives nothing, and the labels a role does not read at home (``ROLE_TLP``) are not sent
      to it either. ``None`` stands for an organisation reading as a whole (a partner credential), which
      is narrowed by no personal role.
    """
    if label not in _STANDINGS_FOR or group_ceiling not in GROUP_CEILINGS:
        return False
    if TLP_RANK[TLP(label)] > TLP_RANK[TLP(group_ceiling)]:
        return False
    if role is not None:
        if Permission.VIEW not in ROLE_PERMISSIONS.get(role, frozenset()):
            return False
        if label not in ROLE_TLP[role]:
            return False
    try:
        standing = Standing(standing)
    except ValueError:
        return False
    return standing in _STANDINGS_FOR[label]


def labels_released_to(*, standing: Standing | str, role: str | None, group_ceiling: str) -> list[str]:
    """Every label :func:`may_release` lets go to this recipient, least restricted first (for query filters)."""
    return [
        label
        for label in TLP.values
        if may_release(label=label, standing=standing, role=role, group_ceiling=group_ceiling)
    ]
