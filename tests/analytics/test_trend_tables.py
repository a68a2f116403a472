"""Trend tables: the same numbers as the raw events, refreshed incrementally, safe when interrupted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cyberplan.analytics import metrics, service, trend_tables
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, write_store
from tests.analytics.test_metrics_golden import ALL, CURRENT, OUTSIDE, PREVIOUS, YEAR_EARLIER, bf, tg

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

JULY = metrics.Scope(parse_period("2026-07"))


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    duckdb = DuckDBEngine(threads=1)
    yield duckdb
    duckdb.close()


def raw(store: EventStore, engine: DuckDBEngine, scope: metrics.Scope = JULY) -> dict[str, list[dict[str, Any]]]:
    result = service.compute(store, scope, engine, trend_tables=False)
    return {metric_id: result.rows(metric_id) for metric_id in result.results}


def tabled(store: EventStore, engine: DuckDBEngine, scope: metrics.Scope = JULY) -> dict[str, list[dict[str, Any]]]:
    """The metric set read from the trend tables as they are (no refresh)."""
    result = metrics.run(engine, TrendTables(store).frames(engine), scope)
    return {metric_id: result.rows(metric_id) for metric_id in result.results}


def parts_on_disk(tables: TrendTables) -> set[str]:
    return {p.name for p in tables.root.iterdir() if p.is_dir() and not p.name.startswith("counts-")}


def counts_on_disk(tables: TrendTables) -> set[str]:
    """The source counts folders: only the one the watermark names is kept."""
    return {p.name for p in tables.root.iterdir() if p.is_dir() and p.name.startswith("counts-")}


def three_imports(root: Path) -> EventStore:
    """The golden store written as three imports, the second one chunked into part files."""
    write_store(root, CURRENT[:10] + PREVIOUS, "imp-a")
    write_store(root, CURRENT[10:20] + YEAR_EARLIER, "imp-b", chunks=3)
    return write_store(root, CURRENT[20:] + OUTSIDE, "imp-c")


@pytest.mark.parametrize(
    "scope",
    [
        JULY,
        metrics.Scope(parse_period("2026-Q3")),
        metrics.Scope(parse_period("2026")),
        metrics.Scope(parse_period("2026-06-25..2026-07-04"), sectors=("government", "telecommunications")),
        metrics.Scope(parse_period("2026-07"), tlp_in=("clear", "green", "amber"), taxonomies=("vulnerable", "fraud")),
        metrics.Scope(parse_period("2026-07"), countries=("PY",), feeds=("veris", "scan_telnet")),
    ],
    ids=["month", "quarter", "year", "range-sectors", "tlp-taxonomies", "country-feed"],
)
def test_trend_tables_give_the_raw_events_numbers(tmp_path: Path, engine: DuckDBEngine, scope: metrics.Scope) -> None:
    store = three_imports(tmp_path)
    summary = TrendTables(store).refresh(engine)
    assert (summary.imports, summary.parts, summary.compacted) == (3, 1, False)
    assert tabled(store, engine, scope) == raw(store, engine, scope)


def test_chunked_imports_are_aggregated_whole(tmp_path: Path, engine: DuckDBEngine) -> None:
    # imp-b is stored as imp-b.part1..3.parquet in each month: every part file is in the tables.
    store = three_imports(tmp_path)
    assert len(trend_tables.import_files(store, "imp-b")) == 6  # 2 months (2025-07, 2026-07) x 3 parts
    TrendTables(store).refresh(engine)
    totals = tabled(store, engine)["totals"][0]
    assert totals["events"] == len(CURRENT) == 25


def test_import_files_do_not_mix_imports_with_alike_names(tmp_path: Path) -> None:
    write_store(tmp_path, [tg("2026-07-01T10:00:00", "192.0.2.1")], "imp-1")
    store = write_store(tmp_path, [tg("2026-07-02T10:00:00", "192.0.2.1")], "imp-1-2", chunks=2)
    assert [p.name for p in trend_tables.import_files(store, "imp-1")] == ["imp-1.parquet"]
    assert [p.name for p in trend_tables.import_files(store, "imp-1-2")] == [
        "imp-1-2.part1.parquet",
        "imp-1-2.part2.parquet",
    ]


def test_incremental_refresh_after_each_import_equals_a_rebuild(tmp_path: Path, engine: DuckDBEngine) -> None:
    tables = TrendTables(EventStore(tmp_path))
    assert tables.pending_imports() == []
    batches = [CURRENT[:8], CURRENT[8:16] + PREVIOUS[:5], CURRENT[16:] + PREVIOUS[5:], YEAR_EARLIER + OUTSIDE]
    for number, batch in enumerate(batches, start=1):
        store = write_store(tmp_path, batch, f"imp-{number}")
        assert tables.pending_imports() == [f"imp-{number}"]
        summary = tables.refresh(engine)
        assert (summary.imports, summary.parts) == (1, number)
        assert tables.pending_imports() == []
    # Nothing new: a refresh aggregates nothing and keeps the parts.
    assert tables.refresh(engine) == trend_tables.RefreshSummary(0, 4, False)
    incremental = tabled(store, engine)
    assert incremental == raw(store, engine)
    summary = tables.rebuild(engine)
    assert (summary.imports, summary.parts) == (4, 1)
    assert len(parts_on_disk(tables)) == 1
    assert counts_on_disk(tables) == {tables.watermark()["counts"]}
    assert tabled(store, engine) == incremental
    assert tables.aggregated_imports() == {"imp-1", "imp-2", "imp-3", "imp-4"}


def counts_rows(tables: TrendTables) -> list[tuple[Any, ...]]:
    """The source counts the watermark names, as sorted rows."""
    import duckdb

    path = tables.root / tables.watermark()["counts"] / "source_counts.parquet"
    rows: list[tuple[Any, ...]] = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
    return sorted(rows, key=repr)


def test_a_refresh_counts_again_only_the_chart_steps_it_touched(tmp_path: Path, engine: DuckDBEngine) -> None:
    """Imports that add to days and weeks already counted, to new ones, and with a known address: the
    source counts kept and counted again add up to those of a rebuild, row for row."""
    tables = TrendTables(EventStore(tmp_path))
    batches = [
        CURRENT[:12] + PREVIOUS,
        [bf("2026-07-02T23:00:00", "198.51.100.1"), bf("2026-07-02T23:30:00", "198.51.100.77")],  # a counted day
        [tg("2026-07-31T12:00:00", "192.0.2.200")],  # a new day, the last of the month and of a week
        [*CURRENT[12:], tg("2026-06-30T12:00:00", "192.0.2.4")],  # the month before, and the rest
    ]
    for number, batch in enumerate(batches, start=1):
        store = write_store(tmp_path, batch, f"imp-{number}")
        tables.refresh(engine)
    incremental = counts_rows(tables)
    assert tabled(store, engine) == raw(store, engine)
    assert tabled(store, engine, metrics.Scope(parse_period("2026-Q3"))) == raw(
        store, engine, metrics.Scope(parse_period("2026-Q3"))
    )
    tables.rebuild(engine)
    assert counts_rows(tables) == incremental


def test_pending_imports_and_compute_refreshing_first(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = write_store(tmp_path, CURRENT[:5], "imp-1")
    tables = TrendTables(store)
    tables.refresh(engine)
    write_store(tmp_path, CURRENT[5:], "imp-2")
    write_store(tmp_path, PREVIOUS, "imp-3")
    assert tables.pending_imports() == ["imp-2", "imp-3"]
    # Readers of the tables see what was aggregated: the first 5 events.
    assert tabled(store, engine)["totals"][0]["events"] == 5
    # compute(trend_tables=True) refreshes first, then reads: all 25.
    result = service.compute(store, JULY, engine, trend_tables=True)
    assert result.one("totals")["events"] == 25
    assert tables.pending_imports() == []


def test_uncommitted_imports_are_ignored(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = write_store(tmp_path, CURRENT, "imp-1")
    # An import killed before its commit marker: its files are there, invisible.
    write_store(
        tmp_path, [bf(f"2026-07-{day:02d}T10:00:00", "198.51.100.9") for day in range(1, 29)], "imp-2", commit=False
    )
    tables = TrendTables(store)
    assert tables.pending_imports() == ["imp-1"]
    assert tables.refresh(engine).imports == 1
    assert tables.aggregated_imports() == {"imp-1"}
    assert tabled(store, engine) == raw(store, engine)
    assert tabled(store, engine)["totals"][0]["events"] == 25


def test_refresh_killed_before_the_watermark_leaves_readers_on_the_previous_tables(
    tmp_path: Path, engine: DuckDBEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = write_store(tmp_path, CURRENT[:12], "imp-1")
    tables = TrendTables(store)
    tables.refresh(engine)
    before = tabled(store, engine)
    listed = set(tables.watermark()["parts"])
    write_store(tmp_path, CURRENT[12:], "imp-2")

    def killed(self: TrendTables, watermark: dict[str, Any]) -> None:
        raise KeyboardInterrupt("killed after the part was written, before the watermark")

    monkeypatch.setattr(TrendTables, "_save", killed)
    with pytest.raises(KeyboardInterrupt):
        tables.refresh(engine)
    monkeypatch.undo()
    # The new part is on disk but not listed: readers see the previous tables.
    orphans = parts_on_disk(tables) - listed
    assert len(orphans) == 1
    assert set(tables.watermark()["parts"]) == listed
    assert tabled(store, engine) == before
    assert tables.pending_imports() == ["imp-2"]
    # The next refresh aggregates the import again and removes the orphan.
    summary = tables.refresh(engine)
    assert (summary.imports, summary.parts) == (1, 2)
    assert not orphans & parts_on_disk(tables)
    assert parts_on_disk(tables) == set(tables.watermark()["parts"])
    assert counts_on_disk(tables) == {tables.watermark()["counts"]}
    assert tabled(store, engine) == raw(store, engine)


def test_refresh_killed_while_writing_a_part_leaves_a_staging_directory_that_is_ignored(
    tmp_path: Path, engine: DuckDBEngine
) -> None:
    store = write_store(tmp_path, CURRENT, "imp-1")
    tables = TrendTables(store)
    tables.refresh(engine)
    before = tabled(store, engine)
    # What a refresh killed half-way through writing a part leaves: a hidden staging directory with
    # a truncated file, and a temporary watermark that was never moved into place.
    staging = tables.root / ".0123456789abcdef"
    staging.mkdir()
    (staging / "events.parquet").write_bytes(b"PAR1 truncated")
    (tables.root / "watermark.json.tmp").write_text('{"version": 2, "parts": {"nonsense": ["x"]}}')
    assert tabled(store, engine) == before
    write_store(tmp_path, PREVIOUS, "imp-2")
    tables.refresh(engine)
    assert not staging.exists()
    assert tabled(store, engine) == raw(store, engine)


def test_rebuild_killed_half_way_changes_nothing_readers_see(
    tmp_path: Path, engine: DuckDBEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = write_store(tmp_path, CURRENT, "imp-1")
    tables = TrendTables(store)
    tables.refresh(engine)
    before = tabled(store, engine)

    def killed(self: TrendTables, engine: DuckDBEngine, tables: Any) -> str:
        raise KeyboardInterrupt("killed while writing the rebuilt part")

    monkeypatch.setattr(TrendTables, "_write", killed)
    with pytest.raises(KeyboardInterrupt):
        tables.rebuild(engine)
    monkeypatch.undo()
    assert tabled(store, engine) == before
    assert tables.pending_imports() == []
    tables.rebuild(engine)
    assert tabled(store, engine) == before


def test_compaction_after_many_parts_keeps_the_numbers(
    tmp_path: Path, engine: DuckDBEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trend_tables, "COMPACT_AFTER", 3)
    tables = TrendTables(EventStore(tmp_path))
    batches = [ALL[i::5] for i in range(5)]
    summaries = []
    for number, batch in enumerate(batches, start=1):
        store = write_store(tmp_path, batch, f"imp-{number}")
        summaries.append(tables.refresh(engine))
    # Parts 1, 2, 3; the fourth makes 4 > 3: merged into one; the fifth makes 2.
    assert [(s.parts, s.compacted) for s in summaries] == [(1, False), (2, False), (3, False), (1, True), (2, False)]
    assert parts_on_disk(tables) == set(tables.watermark()["parts"])
    assert tables.aggregated_imports() == {f"imp-{n}" for n in range(1, 6)}
    assert tabled(store, engine) == raw(store, engine)


def test_a_watermark_of_an_older_layout_is_rebuilt(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = write_store(tmp_path, CURRENT, "imp-1")
    tables = TrendTables(store)
    old = tables.root / "0ld"
    old.mkdir(parents=True)
    tables.watermark_path.write_text(json.dumps({"version": 1, "parts": {"0ld": ["imp-1"]}}))
    # Tables of another layout are not read: the import is pending again, and the refresh replaces them.
    assert tables.pending_imports() == ["imp-1"]
    tables.refresh(engine)
    assert not old.exists()
    assert tabled(store, engine) == raw(store, engine)


def test_an_organisation_without_events_has_empty_tables(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = EventStore(tmp_path)
    tables = TrendTables(store)
    assert tables.refresh(engine) == trend_tables.RefreshSummary(0, 0, False)
    assert tables.rebuild(engine) == trend_tables.RefreshSummary(0, 0, False)
    assert tabled(store, engine) == raw(store, engine)
    assert tabled(store, engine)["totals"][0]["events"] == 0


def test_the_tables_are_smaller_than_the_events_when_events_repeat(tmp_path: Path, engine: DuckDBEngine) -> None:
    # 300 reports of the same address on the same day by the same feed: one row in each table.
    store = write_store(tmp_path, [event("2026-07-05T10:00:00", ip="192.0.2.7") for _ in range(300)])
    tables = TrendTables(store)
    tables.refresh(engine)
    frames = tables.frames(engine)
    assert [row["n"] for row in engine.rows(frames.events)] == [300]
    assert [row["n"] for row in engine.rows(frames.sources)] == [300]
    assert tabled(store, engine)["totals"][0]["events"] == 300


@pytest.mark.parametrize(
    "tlp_in",
    [None, ("clear", "green"), ("clear", "green", "amber", "amber+strict"), ("red",), ("amber", "unknown")],
    ids=["all", "clear-green", "all-but-red", "red", "amber-unknown"],
)
@pytest.mark.parametrize(
    "period", ["2026-07", "2026-06", "2025-07", "2026-05", "2026-Q3", "2026-Q2", "2025-Q3", "2026", "2025"]
)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"sectors": ("government",)},
        {"taxonomies": ("fraud",)},
        {"sectors": ("unknown",), "taxonomies": ("vulnerable",)},
        {"countries": ("PY",), "taxonomies": ("vulnerable",)},
    ],
    ids=["no-filter", "sector", "class", "sector-class", "country-class"],
)
def test_source_counts_give_the_distinct_sources_of_a_period(
    tmp_path: Path, engine: DuckDBEngine, tlp_in: tuple[str, ...] | None, period: str, filters: dict[str, Any]
) -> None:
    # Three imports, so that the counts of July are computed again when a later import adds to June
    # (its "recurring" rows compare with June); an address reported with a label of no TLP rank too.
    write_store(tmp_path, CURRENT[:10] + YEAR_EARLIER, "imp-a")
    write_store(tmp_path, CURRENT[10:] + PREVIOUS[:6], "imp-b")
    store = write_store(
        tmp_path, [*PREVIOUS[6:], *OUTSIDE, event("2026-07-09T10:00:00", ip="203.0.113.99", tlp="odd")], "imp-c"
    )
    tables = TrendTables(store)
    for _ in range(3):
        tables.refresh(engine)
    scope = metrics.Scope(parse_period(period), tlp_in=tlp_in, **filters)
    assert metrics.context(tables.frames(engine), scope).counts is not None
    assert tabled(store, engine, scope) == raw(store, engine, scope)


@pytest.mark.parametrize(
    "scope",
    [
        metrics.Scope(parse_period("2026-07"), tlp_in=("odd", "amber")),
        metrics.Scope(parse_period("2026-07"), tlp_in=()),
        metrics.Scope(parse_period("2026-07"), sectors=("government", "health")),
        metrics.Scope(parse_period("2026-Q3"), taxonomies=("fraud", "vulnerable")),
        metrics.Scope(parse_period("2026-07"), countries=("PY", "BR")),
        metrics.Scope(parse_period("2026-07"), types=("vulnerable-system",)),
        metrics.Scope(parse_period("2026-07-02..2026-07-31")),
        # A range of whole months compares with the days before it, not with the previous month.
        metrics.Scope(parse_period("2026-07-01..2026-07-31")),
        metrics.Scope(parse_period("2026-06-01..2026-08-31")),
    ],
    ids=[
        "label-without-bit",
        "no-label",
        "two-sectors",
        "two-classes",
        "two-countries",
        "type",
        "part-of-a-month",
        "range-of-a-month",
        "range-of-months",
    ],
)
def test_scopes_the_source_counts_cannot_answer_read_the_sources(
    tmp_path: Path, engine: DuckDBEngine, scope: metrics.Scope
) -> None:
    store = three_imports(tmp_path)
    tables = TrendTables(store)
    tables.refresh(engine)
    assert metrics.context(tables.frames(engine), scope).counts is None
    assert tabled(store, engine, scope) == raw(store, engine, scope)


def test_the_monthly_networks_are_read_for_whole_months(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = three_imports(tmp_path)
    tables = TrendTables(store)
    tables.refresh(engine)
    frames = tables.frames(engine)
    quarter = metrics.context(frames, metrics.Scope(parse_period("2026-Q3")))
    days = metrics.context(frames, metrics.Scope(parse_period("2026-07-02..2026-07-31")))
    assert {row["day"].day for row in engine.rows(quarter.current.networks.select("day").distinct())} == {1}
    assert len(engine.rows(days.current.networks.select("day").distinct())) > 1


def test_metric_queries_are_compiled_once_and_reused_for_other_periods(tmp_path: Path) -> None:
    # The staged rows carry their periods as flags: the metric queries name no date, so a second
    # month (or a second connection) reuses the compiled queries and still gets its own numbers.
    from cyberplan.analytics import engines

    store = three_imports(tmp_path)
    TrendTables(store).refresh()
    engines.forget_compiled()
    july, june = metrics.Scope(parse_period("2026-07")), metrics.Scope(parse_period("2026-06"))

    def compiled() -> tuple[int, int]:
        stages = sum(1 for key in engines._COMPILED if key[0] == "stage")
        return stages, len(engines._COMPILED) - stages

    first = DuckDBEngine(threads=1)
    try:
        july_rows = tabled(store, first, july)
        stages, queries = compiled()
        assert queries == len(metrics.METRICS)
    finally:
        first.close()
    second = DuckDBEngine(threads=1)
    try:
        june_rows = tabled(store, second, june)
        # June's staging queries are new (they name June's days); the metric queries are not.
        assert compiled() == (2 * stages, queries)
        assert june_rows == raw(store, second, june)
        assert july_rows == raw(store, second, july)
    finally:
        second.close()
