"""Disclosure control: primary and secondary suppression, and the check of a table that arrived."""

from __future__ import annotations

import copy
from typing import Any

from cyberplan.regional import disclosure
from tests.regional.support import threat_table


def events_of(controlled: dict[str, Any], place: str = "rows") -> list[Any]:
    return [row["events"] for row in controlled[place]]


def test_counts_below_the_threshold_are_suppressed_and_zero_is_published() -> None:
    table = threat_table(
        ("2026-01", "a", 9, 0), ("2026-01", "b", 5, 10), ("2026-01", "c", 50, 1), ("2026-01", "d", 60, 3)
    )
    out = disclosure.controlled(table, 10)
    assert events_of(out) == [{"suppressed": True}, {"suppressed": True}, {"value": 50}, {"value": 60}]
    assert [row["sources"] for row in out["rows"]] == [
        {"value": 0},
        {"value": 10},
        {"suppressed": True},
        {"suppressed": True},
    ]


def test_a_lone_suppressed_cell_takes_the_smallest_other_cell_of_its_month_with_it() -> None:
    table = threat_table(
        ("2026-01", "a", 4, 0), ("2026-01", "b", 30, 0), ("2026-01", "c", 12, 0), ("2026-02", "a", 40, 0)
    )
    out = disclosure.controlled(table, 10)
    assert events_of(out)[:3] == [{"suppressed": True}, {"value": 30}, {"suppressed": True}]
    assert out["months"][0]["events"] == {"value": 46}  # 46 - 30 = 16 = a + c: neither can be told
    assert events_of(out)[3] == {"value": 40}


def test_when_no_other_cell_can_hide_it_the_month_total_is_suppressed_and_then_another_month() -> None:
    table = threat_table(("2026-01", "a", 12, 0), ("2026-02", "a", 40, 0), ("2026-03", "a", 25, 0))
    tiny = threat_table(("2026-01", "a", 3, 0), ("2026-02", "a", 40, 0), ("2026-03", "a", 25, 0))
    assert disclosure.controlled(table, 10)["months"][0]["events"] == {"value": 12}
    out = disclosure.controlled(tiny, 10)
    # January's only cell is suppressed: its total would give it away, so it goes too; the period total would
    # then give January's total away, so the smallest other month (March) is suppressed as well.
    assert out["months"][0]["events"] == {"suppressed": True}
    assert out["months"][2]["events"] == {"suppressed": True}
    assert out["months"][1]["events"] == {"value": 40}
    assert out["total"]["events"] == {"value": 68}


def test_a_controlled_table_has_no_leak_and_a_tampered_one_has() -> None:
    table = threat_table(("2026-01", "a", 4, 2), ("2026-01", "b", 30, 15), ("2026-01", "c", 12, 11))
    out = disclosure.controlled(table, 10)
    assert list(disclosure.leaks("threats", out, ("events", "sources"), 10)) == []
    small = copy.deepcopy(out)
    small["rows"][0]["events"] = {"value": 4}
    assert next(leak.reason for leak in disclosure.leaks("threats", small, ("events",), 10)) == "below-threshold"
    recoverable = copy.deepcopy(out)
    recoverable["rows"][2]["events"] = {"value": 12}
    found = list(disclosure.leaks("threats", recoverable, ("events",), 10))
    assert [(leak.where, leak.reason) for leak in found] == [("threats.months[0].events", "recoverable")]


def test_the_threshold_is_the_members() -> None:
    table = threat_table(("2026-01", "a", 4, 0), ("2026-01", "b", 30, 0))
    assert events_of(disclosure.controlled(table, 3)) == [{"value": 4}, {"value": 30}]
