"""Several stores read together: each at its own labels, events adding up, distinct sources never summed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cyberplan.analytics import metrics, service
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.frames import combined_frames
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, write_store

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

JULY = metrics.Scope(parse_period("2026-07"))
QUARTER = metrics.Scope(parse_period("2026-Q3"))
#: an own store, read by a coordinator's role (every label), and a store granted up to AMBER
OWN_LABELS = ("amber", "amber+strict", "clear", "green", "red")
GRANTED_LABELS = ("amber", "clear", "green")


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    duckdb = DuckDBEngine(threads=1)
    yield duckdb
    duckdb.close()


@pytest.fixture
def stores(tmp_path: Path) -> list[tuple[EventStore, tuple[str, ...]]]:
    """Two stores sharing the addresses .2 and .3; the granted one also holds RED and AMBER+STRICT events."""
    own = write_store(
        tmp_path / "own",
        [
            event("2026-07-02T10:00", ip="192.0.2.1", sector="government"),
            event("2026-07-03T10:00", ip="192.0.2.2", sector="government"),
            event("2026-07-04T10:00", ip="192.0.2.3", tlp="green"),
            event("2026-07-05T10:00", ip="192.0.2.9", tlp="red"),
            event("2026-06-05T10:00", ip="192.0.2.1"),
        ],
    )
    granted = write_store(
        tmp_path / "granted",
        [
            event("2026-07-06T10:00", ip="192.0.2.2"),
            event("2026-07-07T10:00", ip="192.0.2.3", sector="government"),
            event("2026-07-08T10:00", ip="192.0.2.4", tlp="clear"),
            event("2026-07-09T10:00", ip="192.0.2.4"),
            event("2026-07-10T10:00", ip="198.51.100.7", tlp="red"),
            event("2026-07-11T10:00", ip="198.51.100.8", tlp="amber+strict"),
            event("2026-06-11T10:00", ip="192.0.2.2"),
        ],
    )
    return [(own, OWN_LABELS), (granted, GRANTED_LABELS)]


def rows(result: metrics.ResultSet) -> dict[str, list[dict[str, Any]]]:
    return {metric_id: result.rows(metric_id) for metric_id in result.results}


def test_events_add_up_and_distinct_sources_are_the_union(
    stores: list[tuple[EventStore, tuple[str, ...]]], engine: DuckDBEngine
) -> None:
    result = service.compute_together(stores, JULY, engine)
    # 4 own events (RED included: the own store allows it) + 4 granted ones (RED and AMBER+STRICT left out)
    assert result.one("totals")["events"] == 8
    # .1 .2 .3 .9 from the own store, .2 .3 .4 from the granted one: 5 addresses, not 4 + 3 = 7
    assert result.one("sources_total")["sources"] == 5
    # June: .1 (own) and .2 (granted); in July .1 .2 recur, .3 .4 .9 are new
    assert result.one("new_vs_recurring") == {"new": 3, "recurring": 2}
    by_label = {row["sector"]: row["events"] for row in result.rows("by_sector")}
    assert by_label == {"government": 3, "unknown": 5}


def test_labels_above_a_stores_allowance_are_never_counted(
    stores: list[tuple[EventStore, tuple[str, ...]]], engine: DuckDBEngine
) -> None:
    # Asking for RED over the union counts the own store's RED event only, never the granted store's.
    red = service.compute_together(stores, metrics.Scope(JULY.period, tlp_in=("red",)), engine)
    assert red.one("totals")["events"] == 1
    assert red.one("sources_total")["sources"] == 1
    strict = service.compute_together(stores, metrics.Scope(JULY.period, tlp_in=("amber+strict",)), engine)
    assert strict.one("totals")["events"] == 0
    assert strict.one("sources_total")["sources"] == 0


@pytest.mark.parametrize("scope", [JULY, QUARTER, metrics.Scope(JULY.period, sectors=("government",))])
def test_trend_tables_together_equal_the_raw_events_together(
    stores: list[tuple[EventStore, tuple[str, ...]]], engine: DuckDBEngine, scope: metrics.Scope
) -> None:
    tabled = rows(service.compute_together(stores, scope, engine, trend_tables=True))
    raw = rows(service.compute_together(stores, scope, engine, trend_tables=False))
    assert tabled == raw
    assert tabled["totals"][0]["events"] > 0


def test_the_union_never_reads_per_store_source_counts(
    stores: list[tuple[EventStore, tuple[str, ...]]], engine: DuckDBEngine
) -> None:
    """Per-store counts of distinct addresses would be summed: the union has none, so the metrics count
    the addresses themselves (the exact path), and the per-store counts would give the wrong total."""
    for store, _ in stores:
        TrendTables(store).refresh(engine)
    parts = [(TrendTables(store).frames(engine), labels) for store, labels in stores]
    assert all(frames.source_counts is not None for frames, _ in parts)
    together = combined_frames(parts)
    assert together.source_counts is None
    summed = sum(
        metrics.run(engine, frames, metrics.Scope(JULY.period, tlp_in=labels)).one("sources_total")["sources"]
        for frames, labels in parts
    )
    assert summed == 7
    assert metrics.run(engine, together, JULY).one("sources_total")["sources"] == 5


def test_one_store_together_is_that_store(
    stores: list[tuple[EventStore, tuple[str, ...]]], engine: DuckDBEngine
) -> None:
    own, labels = stores[0]
    alone = rows(service.compute(own, metrics.Scope(JULY.period, tlp_in=labels), engine))
    assert rows(service.compute_together([(own, labels)], JULY, engine)) == alone
