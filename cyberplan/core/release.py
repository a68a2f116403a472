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
"""

from __future__ import annotations

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
