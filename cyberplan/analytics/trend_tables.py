"""Pre-aggregated trend tables, refreshed incrementally after each import.

Layout, beside the event store of one organisation::

    <root>/trends/watermark.json                   which imports each part covers, and the current
                                                   source counts (written last, atomically)
    <root>/trends/<part>/events.parquet            the events frame grouped by all its dimensions
    <root>/trends/<part>/networks.parquet          the same for the networks frame
    <root>/trends/<part>/sources.parquet           the same for the sources frame
    <root>/trends/<part>/incidents.parquet         the same for the incidents frame
    <root>/trends/<part>/events_by_month.parquet   rollups: the events grouped by month,
    <root>/trends/<part>/networks_by_month.parquet the networks by month (fewer columns),
    <root>/trends/<part>/days.parquet              the events by day, class and TLP label
    <root>/trends/counts-<id>/source_counts.parquet exact distinct source counts per month, quarter
                                                   and year, and per sector, class and country

The watermark is the set of committed imports already aggregated. :meth:`TrendTables.refresh`
aggregates the imports committed since, each into a new part; the event store deduplicates across
imports, so every event is in exactly one import and the parts add up. When there are many parts
they are merged into one (:data:`COMPACT_AFTER`). :meth:`TrendTables.rebuild` starts again from
every committed import and gives the same numbers. Readers use only the parts the watermark lists,
so a refresh killed half-way leaves the previous tables intact.

Distinct counts do not add up across parts (an address may be in two imports), so the source
counts are not a part. What does add up is what each address contributes to them: a refresh counts
only the addresses its new part holds, over the other parts and over every part, for the periods
the part touches, and adds the difference to the previous counts (:meth:`TrendTables._counts_delta_sql`);
the result is written as a new ``counts-<id>`` folder that the new watermark names
(:func:`.frames.source_counts_sql`). Its cost follows the import's addresses, not the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ..pipeline.store import EventStore, import_of
from .engines import DuckDBEngine, Engine, event_schema
from .frames import (
    TABLES,
    Frames,
    addresses_sql,
    periods_and_next_sql,
    raw_frames,
    rollups,
    source_counts_sql,
    trend_frames,
)

#: 2: the sources and incidents tables have the country and feed columns (filters need them).
#: 4: the network columns in a table of their own; rollups by month and by day; addresses beside each
#: part; the source counts (3 was an intermediate layout without some of these).
#: 5: the source counts per month, quarter and year, and per sector, class, or both; the class in the
#: monthly networks.
#: 6: the incidents keep each time to respond (for its median and percentiles) and their status; the
#: victim category follows the owner's type.
#: 7: the malware family in the events and sources tables (events and infected addresses by family).
#: 8: the victim country in the addresses beside each part, in the source counts (within one country too)
#: and in the monthly networks.
#: 9: the malware family and the vulnerable or infected labels in the addresses beside each part; the source
#: counts per family and of remediation (and for the period after the last one with addresses).
VERSION = 9
COMPACT_AFTER = 32
FRAMES = tuple(TABLES)
COUNTS = "source_counts"
#: beside each part: its addresses per month, class, sector and country, with their TLP labels as bits
ADDRESSES = "addresses.parquet"
_COUNTS_SCHEMA = pa.schema(
    [
        ("span", pa.string()),
        ("kind", pa.string()),
        ("start", pa.date32()),
        ("in_sector", pa.string()),
        ("in_taxonomy", pa.string()),
        ("in_country", pa.string()),
        ("key", pa.string()),
        ("day", pa.date32()),
        ("mask", pa.int64()),
        ("before", pa.int64()),
        ("sources", pa.int64()),
    ]
)


@dataclass(frozen=True)
class RefreshSummary:
    imports: int  # imports aggregated by this refresh
    parts: int  # parts listed in the watermark afterwards
    compacted: bool


def import_files(store: EventStore, import_id: str) -> list[Path]:
    """The committed Parquet files of one import (one per month, or several when it was chunked)."""
    return [p for p in store.files() if import_of(p) == import_id]


class TrendTables:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.root = store.root / "trends"  # made by the first write (:meth:`lock`)
        self.watermark_path = self.root / "watermark.json"

    # -- reading ---------------------------------------------------------------------------------

    def watermark(self) -> dict[str, Any]:
        if not self.watermark_path.exists():
            return {"version": VERSION, "parts": {}}
        data: dict[str, Any] = json.loads(self.watermark_path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return {"version": VERSION, "parts": {}}
        return data

    def aggregated_imports(self) -> set[str]:
        return {i for imports in self.watermark()["parts"].values() for i in imports}

    def pending_imports(self) -> list[str]:
        return sorted(self.store.committed_imports() - self.aggregated_imports())

    def frames(self, engine: Engine) -> Frames:
        """The trend tables as the weighted frames (with the monthly networks and the source counts)."""
        watermark = self.watermark()
        parts = sorted(watermark["parts"])
        empty = _empty_rollups()
        tables = {
            name: engine.read_parquet([self.root / part / f"{name}.parquet" for part in parts], empty[name], exact=True)
            for name in FRAMES
        }
        counts = watermark.get("counts")
        source_counts = engine.read_parquet(
            [self.root / counts / f"{COUNTS}.parquet"] if counts else [], _COUNTS_SCHEMA, exact=True
        )
        return trend_frames(tables, source_counts)

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / ".lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def refresh(self, engine: DuckDBEngine | None = None) -> RefreshSummary:
        """Aggregate the imports committed since the watermark; merge parts when there are many."""
        with self.lock():
            watermark = self.watermark()
            pending = sorted(self.store.committed_imports() - self.aggregated_imports())
            own = engine is None
            engine = engine or DuckDBEngine(threads=2)
            try:
                if pending:
                    part = self._write_part(engine, pending)
                    watermark["parts"][part] = pending
                    watermark["counts"] = self._write_counts(engine, watermark, new_part=part)
                    self._save(watermark)
                compacted = False
                if len(watermark["parts"]) > COMPACT_AFTER:
                    self._compact(engine, watermark)
                    compacted = True
                self._remove_unlisted()
            finally:
                if own:
                    engine.close()
            return RefreshSummary(len(pending), len(self.watermark()["parts"]), compacted)

    def rebuild(self, engine: DuckDBEngine | None = None) -> RefreshSummary:
        """Aggregate all committed imports again into one part, then replace every part with it.

        Readers keep the previous tables until the new watermark is written: a rebuild that fails
        or is killed half-way changes nothing they see.
        """
        with self.lock():
            imports = sorted(self.store.committed_imports())
            own = engine is None
            engine = engine or DuckDBEngine(threads=2)
            try:
                parts = {self._write_part(engine, imports): imports} if imports else {}
                watermark: dict[str, Any] = {"version": VERSION, "parts": parts, "counts": None}
                if parts:
                    watermark["counts"] = self._write_counts(engine, watermark, new_part=None)
                self._save(watermark)
                self._remove_unlisted()
            finally:
                if own:
                    engine.close()
            return RefreshSummary(len(imports), len(parts), False)

    def verify_counts(self, engine: DuckDBEngine | None = None) -> tuple[int, int]:
        """The source counts the watermark names, compared with the same counted again from every part
        (as a rebuild counts them): (rows kept, rows that differ, in either). Changes nothing readers see."""
        with self.lock():
            watermark = self.watermark()
            if not watermark["parts"] or not watermark.get("counts"):
                return 0, 0
            own = engine is None
            engine = engine or DuckDBEngine(threads=2)
            name = self._write_counts(engine, watermark, new_part=None)
            try:
                kept = f"read_parquet({_quoted(self.root / watermark['counts'] / f'{COUNTS}.parquet')})"
                again = f"read_parquet({_quoted(self.root / name / f'{COUNTS}.parquet')})"
                row = engine.backend.raw_sql(
                    f"SELECT (SELECT count(*) FROM {kept}), (SELECT count(*) FROM "
                    f"((SELECT * FROM {kept} EXCEPT ALL SELECT * FROM {again}) UNION ALL "
                    f"(SELECT * FROM {again} EXCEPT ALL SELECT * FROM {kept})))"
                ).fetchone()
            finally:
                shutil.rmtree(self.root / name, ignore_errors=True)
                if own:
                    engine.close()
            return int(row[0]), int(row[1])

    def _write_part(self, engine: DuckDBEngine, imports: list[str]) -> str:
        files = [f for import_id in imports for f in import_files(self.store, import_id)]
        raw = engine.read_parquet(files, event_schema())
        tables = rollups(raw_frames(raw))
        return self._write(engine, tables)

    def _compact(self, engine: DuckDBEngine, watermark: dict[str, Any]) -> None:
        part = self._write(engine, rollups(self.frames(engine)))
        imports = sorted({i for listed in watermark["parts"].values() for i in listed})
        # The counts do not change: the same events, in fewer parts.
        self._save({"version": VERSION, "parts": {part: imports}, "counts": watermark.get("counts")})

    def _write(self, engine: DuckDBEngine, tables: dict[str, ir.Table]) -> str:
        part = uuid.uuid4().hex
        staging = self.root / f".{part}"
        staging.mkdir()
        for name in FRAMES:
            expression = tables[name]
            target = str(staging / f"{name}.parquet").replace("'", "''")
            engine.backend.raw_sql(f"COPY ({_typed_sql(expression)}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        written = f"read_parquet({_quoted(staging / 'sources.parquet')})"
        engine.backend.raw_sql(
            f"COPY ({addresses_sql(written)}) TO {_quoted(staging / ADDRESSES)} (FORMAT parquet, COMPRESSION zstd)"
        )
        os.replace(staging, self.root / part)
        return part

    def _write_counts(self, engine: DuckDBEngine, watermark: dict[str, Any], new_part: str | None) -> str:
        """The source counts for the parts ``watermark`` lists, as a new folder; returns its name.

        With ``new_part`` and previous counts, the counts are brought up to date by the difference the
        new part makes (:meth:`_counts_delta_sql`): only the addresses it holds are counted, before and
        after it, for the months, quarters and years it touches and the periods after them. Without,
        every period is counted from every part's addresses and sources rows.
        """
        parts = sorted(watermark["parts"])
        previous = watermark.get("counts")
        temporary: list[str] = []
        if new_part is not None and previous:
            query = self._counts_delta_sql(engine, parts, new_part, previous, temporary)
        else:
            addresses = self._every(parts, ADDRESSES)
            # every period with addresses, and the one after each (where their remediation is counted)
            periods = periods_and_next_sql(addresses)
            query = source_counts_sql(addresses, self._every(parts, "sources.parquet"), periods)
        name = f"counts-{uuid.uuid4().hex}"
        staging = self.root / f".{name}"
        staging.mkdir()
        target = _quoted(staging / f"{COUNTS}.parquet")
        try:
            engine.backend.raw_sql(
                f"COPY (SELECT * FROM ({query}) ORDER BY span, start, in_sector, in_taxonomy, in_country, kind, key, "
                f"day, mask, before) TO {target} (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            for table in temporary:
                engine.backend.raw_sql(f"DROP TABLE IF EXISTS {table}")
        os.replace(staging, self.root / name)
        return name

    def _every(self, parts: list[str], name: str) -> str:
        """DuckDB SQL: the file ``name`` of every part in ``parts``."""
        if not parts:
            raise ValueError("no part to read")
        return "read_parquet([" + ", ".join(_quoted(self.root / part / name) for part in parts) + "])"

    def _counts_delta_sql(
        self, engine: DuckDBEngine, parts: list[str], new_part: str, previous: str, temporary: list[str]
    ) -> str:
        """DuckDB SQL: the previous counts plus the difference ``new_part`` makes to them.

        Every row of the source counts is a number of distinct addresses, and what one address adds
        to each row depends on that address's own rows alone (in the period, its time steps, and the
        period before). So the counts over every part are the previous counts plus, for each address
        of the new part whose labels in a row it changes, one at its labels now (over every part) and
        minus one at its labels before (over the other parts), counted in one pass
        (:func:`.frames.source_counts_sql` signed). Only those addresses' rows are read, once, into
        temporary tables (named in ``temporary``, for the caller to drop), and counted only for the
        periods the new part touches and the periods after them (whose "recurring" rows compare with
        them); within a month or a quarter, only for the time steps it has rows in. The result is the
        counts a rebuild gives, row for row (a row whose count falls to zero is left out, as a
        rebuild has none).
        """
        backend = engine.backend
        suffix = uuid.uuid4().hex
        new_addresses = f"read_parquet({_quoted(self.root / new_part / ADDRESSES)})"
        new_sources = f"read_parquet({_quoted(self.root / new_part / 'sources.parquet')})"
        brought, addresses, sources = (f"{name}_{suffix}" for name in ("brought", "their_addresses", "their_sources"))
        temporary.extend([brought, addresses, sources])
        backend.raw_sql(f"CREATE TEMPORARY TABLE {brought} AS SELECT DISTINCT source_ip FROM {new_addresses}")
        # The weeks the new part has rows in (which hold its days): the only chart steps counted from sources rows.
        weeks = [
            row[0]
            for row in backend.raw_sql(
                f"SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) FROM {new_sources} ORDER BY 1"
            ).fetchall()
        ]
        within_weeks = (
            f"day >= DATE '{weeks[0]}' AND day < DATE '{weeks[-1] + dt.timedelta(days=7)}' AND "
            f"CAST(date_trunc('week', day) AS DATE) IN ({', '.join(f'DATE {chr(39)}{w}{chr(39)}' for w in weeks)})"
            if weeks
            else "false"
        )
        others = [part for part in parts if part != new_part]

        def rows_of(name: str, condition: str = "true") -> str:
            """The rows of ``name`` in every part with the new part's addresses, flagged when in the new part."""
            new = f"SELECT *, true AS new FROM read_parquet({_quoted(self.root / new_part / name)}) WHERE {condition}"
            if not others:
                return new
            return (
                f"SELECT *, false AS new FROM {self._every(others, name)} "
                f"WHERE {condition} AND source_ip IN (SELECT source_ip FROM {brought}) UNION ALL {new}"
            )

        backend.raw_sql(f"CREATE TEMPORARY TABLE {addresses} AS {rows_of(ADDRESSES)}")
        backend.raw_sql(f"CREATE TEMPORARY TABLE {sources} AS {rows_of('sources.parquet', within_weeks)}")
        touched = f"(SELECT DISTINCT month FROM {addresses} WHERE new)"
        periods = periods_and_next_sql(touched)
        buckets = {
            "month": f"(SELECT DISTINCT day FROM {sources} WHERE new)",
            "quarter": f"(SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) FROM {sources} WHERE new)",
        }
        columns = "span, kind, start, in_sector, in_taxonomy, in_country, key, day, mask, before"
        difference = source_counts_sql(addresses, sources, periods, buckets, signed=True)
        union = (
            f"(SELECT {columns}, sources FROM read_parquet({_quoted(self.root / previous / f'{COUNTS}.parquet')})) "
            f"UNION ALL (SELECT {columns}, sources FROM ({difference}))"
        )
        return (
            f"SELECT {columns}, CAST(sum(sources) AS BIGINT) AS sources FROM ({union}) "
            f"GROUP BY {columns} HAVING sum(sources) <> 0"
        )

    def _save(self, watermark: dict[str, Any]) -> None:
        temporary = self.root / "watermark.json.tmp"
        temporary.write_text(json.dumps(watermark, sort_keys=True), encoding="utf-8")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, self.watermark_path)

    def _remove_unlisted(self) -> None:
        watermark = self.watermark()
        listed = set(watermark["parts"]) | {watermark.get("counts")}
        for path in self.root.iterdir():
            if path.is_dir() and path.name not in listed:
                shutil.rmtree(path, ignore_errors=True)


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


_DUCKDB_TYPES = {"int64": "BIGINT", "float64": "DOUBLE", "string": "VARCHAR", "date": "DATE", "boolean": "BOOLEAN"}


def _typed_sql(expression: ir.Table) -> str:
    """The expression's SQL with every column cast to the type Ibis gives it.

    DuckDB sums 64-bit integers into 128-bit ones, which its Parquet writer stores as doubles;
    the trend tables keep counts as 64-bit integers.
    """
    columns = ", ".join(
        f'CAST("{name}" AS {_DUCKDB_TYPES[str(dtype).removeprefix("!")]}) AS "{name}"'
        for name, dtype in expression.schema().items()
    )
    return f"SELECT {columns} FROM ({ibis.to_sql(expression, dialect='duckdb')})"


@functools.cache
def _empty_rollups() -> dict[str, pa.Schema]:
    """The trend tables' schemas, for an organisation with no data yet."""
    tables = rollups(raw_frames(ibis.table(ibis.Schema.from_pyarrow(event_schema()), name="events")))
    return {name: tables[name].schema().to_pyarrow() for name in FRAMES}
