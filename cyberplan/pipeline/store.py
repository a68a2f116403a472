"""The event store: Parquet files partitioned by month under the data directory.

Layout::

    <root>/events/month=2026-11/<import_id>.parquet   events of one import for one month
    <root>/events/_commits/<import_id>.json           written last, atomically: the import is visible
    <root>/quarantine/<import_id>.parquet             rejected records with file, line, field, reason
    <root>/.lock                                      one import writes at a time

Readers only see files whose import has a commit marker, so an import killed half-way leaves
nothing visible; the next import removes its leftovers. Deduplication is by ``event_id``, within
an import and against everything already committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from .schema import FIELD_NAMES, FIELDS, quoted

MONTH_EXPR = "strftime(timezone('UTC', \"time.source\"), '%Y-%m')"


@dataclass(frozen=True)
class CommitSummary:
    import_id: str
    read: int
    stored: int
    duplicates: int
    quarantined: int
    months: list[str]


class EventStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.events_dir = self.root / "events"
        self.commits_dir = self.events_dir / "_commits"
        self.quarantine_dir = self.root / "quarantine"
        for directory in (self.events_dir, self.commits_dir, self.quarantine_dir):
            directory.mkdir(parents=True, exist_ok=True)

    # -- reading ---------------------------------------------------------------------------------

    def committed_imports(self) -> set[str]:
        return {p.stem for p in self.commits_dir.glob("*.json")}

    def commit_record(self, import_id: str) -> dict[str, object] | None:
        path = self.commits_dir / f"{import_id}.json"
        if not path.exists():
            return None
        data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def files(self, months: list[str] | None = None) -> list[Path]:
        """Parquet files of committed imports, optionally only for some months."""
        committed = self.committed_imports()
        result: list[Path] = []
        for month_dir in sorted(self.events_dir.glob("month=*")):
            if months is not None and month_dir.name.removeprefix("month=") not in months:
                continue
            result.extend(p for p in sorted(month_dir.glob("*.parquet")) if p.stem in committed)
        return result

    def register(self, con: duckdb.DuckDBPyConnection, name: str = "events") -> None:
        """Create the view ``name`` over every committed event (empty, with the schema, when there is none)."""
        files = self.files()
        if files:
            listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (month) "
                f"FROM read_parquet([{listing}], hive_partitioning = true, union_by_name = true)"
            )
        else:
            columns = ", ".join(f"CAST(NULL AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns} WHERE false")

    def _drop_known(self, con: duckdb.DuckDBPyConnection, months: list[str]) -> None:
        """Remove from ``_keep`` the events already in the store.

        An event identified by its content (no ``event_key``) can only match a stored event of the same
        feed and the same ``time.source``, so only row groups in that time window are read; an event
        with a key (a STIX id, a MISP uuid, a VERIS incident id) is looked for in every month.
        """
        bounds = con.execute("SELECT min(t), max(t), list(DISTINCT feed) FROM _keep WHERE NOT keyed").fetchone()
        month_files = self.files(months)
        if bounds and bounds[0] is not None and month_files:
            con.execute(
                f"""
                DELETE FROM _keep WHERE NOT keyed AND event_id IN (
                  SELECT event_id FROM read_parquet({_listing(month_files)})
                  WHERE "time.source" BETWEEN ? AND ? AND list_contains(?, "feed.name"))
                """,
                [bounds[0], bounds[1], bounds[2]],
            )
        keyed = con.execute("SELECT list(DISTINCT feed) FROM _keep WHERE keyed").fetchone()
        all_files = self.files()
        if keyed and keyed[0] and all_files:
            con.execute(
                f"""
                DELETE FROM _keep WHERE keyed AND event_id IN (
                  SELECT event_id FROM read_parquet({_listing(all_files)}) WHERE list_contains(?, "feed.name"))
                """,
                [keyed[0]],
            )

    def quarantine_file(self, import_id: str) -> Path:
        return self.quarantine_dir / f"{import_id}.parquet"

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's write lock (one import writes at a time, across processes)."""
        handle = (self.root / ".lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def remove_uncommitted(self) -> int:
        """Delete files left by imports that never committed (killed or crashed). Call under the lock."""
        committed = self.committed_imports()
        removed = 0
        for path in self.events_dir.glob("month=*/*.parquet"):
            if path.stem not in committed:
                path.unlink()
                removed += 1
        for path in self.quarantine_dir.glob("*.parquet"):
            if path.stem not in committed:
                path.unlink()
                removed += 1
        staging = self.root / ".staging"
        if staging.exists():
            shutil.rmtree(staging)
        return removed

    def commit(
        self,
        con: duckdb.DuckDBPyConnection,
        import_id: str,
        staged_table: str,
        rejects_table: str,
        read: int,
    ) -> CommitSummary:
        """Deduplicate ``staged_table`` and write it and the rejects; then make the import visible.

        ``staged_table`` has every schema field; ``rejects_table`` has file, line, field, reason, raw.
        """
        with self.lock():
            self.remove_uncommitted()
            if import_id in self.committed_imports():
                raise ValueError(f"import {import_id} is already committed")
            staged_count = _count(con, staged_table)
            # A narrow table of the rows to keep: the first row of each event_id. The wide rows are read
            # once more, by the Parquet write, in the input's order (reports come nearly sorted by time,
            # so the row groups stay time-clustered without a sort).
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE _keep AS
                SELECT min(rowid) AS rid, event_id, bool_or(keyed) AS keyed, min("time.source") AS t,
                       any_value("feed.name") AS feed, any_value({MONTH_EXPR}) AS month
                FROM {staged_table} GROUP BY event_id
                """
            )
            months = [row[0] for row in con.execute("SELECT DISTINCT month FROM _keep ORDER BY 1").fetchall()]
            self._drop_known(con, months)
            months = [row[0] for row in con.execute("SELECT DISTINCT month FROM _keep ORDER BY 1").fetchall()]
            stored = _count(con, "_keep")
            quarantined = _count(con, rejects_table)
            staging = self.root / ".staging" / import_id
            staging.mkdir(parents=True, exist_ok=True)
            columns = ", ".join(quoted(name) for name in FIELD_NAMES)
            written: list[tuple[Path, Path]] = []
            for month in months:
                part = staging / f"{month}.parquet"
                con.execute(
                    f"COPY (SELECT {columns} FROM {staged_table} "
                    f"WHERE rowid IN (SELECT rid FROM _keep WHERE month = ?)) "
                    f"TO '{_sql_path(part)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 250000)",
                    [month],
                )
                written.append((part, self.events_dir / f"month={month}" / f"{import_id}.parquet"))
            if quarantined:
                con.execute(
                    f"COPY (SELECT * FROM {rejects_table} ORDER BY file, line) "
                    f"TO '{_sql_path(staging / 'quarantine.parquet')}' (FORMAT parquet, COMPRESSION zstd)"
                )
            # Move into place; invisible until the commit marker exists.
            for part, target in written:
                target.parent.mkdir(exist_ok=True)
                os.replace(part, target)
            if quarantined:
                os.replace(staging / "quarantine.parquet", self.quarantine_file(import_id))
            summary = CommitSummary(
                import_id=import_id,
                read=read,
                stored=stored,
                duplicates=staged_count - stored,
                quarantined=quarantined,
                months=months,
            )
            marker = self.commits_dir / f"{import_id}.json.tmp"
            marker.write_text(json.dumps(asdict(summary)), encoding="utf-8")
            with marker.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(marker, self.commits_dir / f"{import_id}.json")
            shutil.rmtree(staging, ignore_errors=True)
            con.execute("DROP TABLE IF EXISTS _keep")
            return summary


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _listing(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + _sql_path(p) + "'" for p in paths) + "]"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
