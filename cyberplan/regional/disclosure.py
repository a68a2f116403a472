"""Disclosure control of a statistics package: which counts leave, and which are suppressed.

A count ("cell") leaves as ``{"value": n}`` or, when suppressed, as ``{"suppressed": true}`` with no value,
so that the receiving side knows the cell exists. The rule (docs/reference/statistics-package.md):

* **Primary suppression**: a count from 1 to ``threshold - 1`` is suppressed. Zero is published: it tells of
  nobody.
* **Secondary suppression**: a table publishes its cells, a total per month and a total for the period.
  Each month's cells with their month's total form a group, and the month totals with the period total
  form another. In a group whose total is published, one suppressed member could be recovered as the total
  minus the published members; so wherever exactly one member is suppressed, the smallest other published
  non-zero member is suppressed too (ties: the first in the table's order), and when there is none the
  total itself is suppressed. Suppressing a month total can start the rule again in the period's group; it
  runs until nothing changes.

Every count measure of a table (events, distinct sources, incidents) is controlled on its own, with the
same groups. The module is plain Python, with no Django, so the member side and the receiving side run
the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_THRESHOLD = 10

Cell = dict[str, Any]  # {"value": n} or {"suppressed": True}


def primary(value: int, threshold: int) -> bool:
    """Whether a count is suppressed for itself: from 1 to ``threshold - 1``."""
    return 0 < value < threshold


def cell(value: int, suppressed: bool) -> Cell:
    return {"suppressed": True} if suppressed else {"value": int(value)}


@dataclass
class Table:
    """Rows of one table before control: each row has its keys (``month`` first) and a count per measure."""

    measures: tuple[str, ...]
    rows: list[dict[str, Any]]
    month_totals: dict[str, dict[str, int]]  # month -> measure -> total
    period_total: dict[str, int]  # measure -> total
    hidden: dict[str, set[tuple[str, int]]] = field(default_factory=dict)  # measure -> suppressed slots


# A slot names one count of a table: ("row", index), ("month", index of the month) or ("period", 0).


def _groups(table: Table) -> list[tuple[tuple[str, int], list[tuple[str, int]]]]:
    """(total slot, member slots) of every group, in a fixed order: each month's, then the period's."""
    months = sorted(table.month_totals)
    groups = []
    for index, month in enumerate(months):
        members = [("row", i) for i, row in enumerate(table.rows) if row["month"] == month]
        groups.append((("month", index), members))
    groups.append((("period", 0), [("month", i) for i in range(len(months))]))
    return groups


def _value(table: Table, measure: str, slot: tuple[str, int]) -> int:
    kind, index = slot
    if kind == "row":
        return int(table.rows[index][measure])
    if kind == "month":
        return int(table.month_totals[sorted(table.month_totals)[index]][measure])
    return int(table.period_total[measure])


def suppressed_slots(table: Table, measure: str, threshold: int) -> set[tuple[str, int]]:
    """The slots of ``measure`` suppressed by the primary and then the secondary rule."""
    groups = _groups(table)
    slots = {total for total, _members in groups} | {m for _total, members in groups for m in members}
    hidden = {slot for slot in slots if primary(_value(table, measure, slot), threshold)}
    changed = True
    while changed:
        changed = False
        for total, members in groups:
            if total in hidden or sum(1 for m in members if m in hidden) != 1:
                continue
            candidates = [m for m in members if m not in hidden and _value(table, measure, m) > 0]
            if candidates:
                smallest = min(candidates, key=lambda m: (_value(table, measure, m), members.index(m)))
                hidden.add(smallest)
            else:
                hidden.add(total)
            changed = True
    return hidden


def controlled(table: Table, threshold: int) -> dict[str, Any]:
    """The table as it leaves: rows with their cells, month totals and the period total, suppressed as the rule
    says. Keys of a row other than the measures are copied as they are."""
    hidden = {measure: suppressed_slots(table, measure, threshold) for measure in table.measures}
    table.hidden = hidden
    months = sorted(table.month_totals)

    def cells(slot: tuple[str, int]) -> dict[str, Cell]:
        return {m: cell(_value(table, m, slot), slot in hidden[m]) for m in table.measures}

    rows = []
    for index, row in enumerate(table.rows):
        keys = {k: v for k, v in row.items() if k not in table.measures}
        rows.append({**keys, **cells(("row", index))})
    return {
        "rows": rows,
        "months": [{"month": month, **cells(("month", i))} for i, month in enumerate(months)],
        "total": cells(("period", 0)),
    }


# -- checking a table that arrived -------------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    """Where a received table fails the rule: its place (as a path) and what is wrong."""

    where: str
    reason: str


def _published(value: Mapping[str, Any]) -> int | None:
    return None if value.get("suppressed") else int(value["value"])


def leaks(name: str, table: Mapping[str, Any], measures: Sequence[str], threshold: int) -> Iterable[Leak]:
    """Counts of a received table that the rule would have suppressed: a published count below the threshold,
    or a group whose total is published with exactly one member suppressed."""
    rows, months, total = table.get("rows", []), table.get("months", []), table.get("total", {})
    places = [(f"{name}.rows[{i}]", row) for i, row in enumerate(rows)]
    places += [(f"{name}.months[{i}]", month) for i, month in enumerate(months)]
    places.append((f"{name}.total", total))
    for where, place in places:
        for measure in measures:
            if measure in place and primary(_published(place[measure]) or 0, threshold):
                yield Leak(f"{where}.{measure}", "below-threshold")
    groups = [(f"{name}.months[{i}]", m, [r for r in rows if r["month"] == m["month"]]) for i, m in enumerate(months)]
    groups.append((f"{name}.total", total, months))
    for where, head, members in groups:
        for measure in measures:
            if measure not in head or _published(head[measure]) is None:
                continue
            if sum(1 for member in members if _published(member[measure]) is None) == 1:
                yield Leak(f"{where}.{measure}", "recoverable")
