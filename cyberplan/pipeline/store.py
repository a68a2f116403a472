"""The event store: Parquet files partitioned by month under the data directory.

Layout::

    <root>/events/month=2026-11/<import_id>.parquet          events of one import for one month
    <root>/events/month=2026-11/<import_id>.part<k>.parquet  the same, for an import written in parts
    <root>/events/_commits/<import_id>.json                  written last, atomically: the import is visible
    <root>/events/_index/month=2026-11/<event file name>     the address index of one event file
    <root>/quarantine/<import_id>.parquet                    rejected records with file, line, field, reason
    <root>/.lock                                             one import writes at a time

A large file is ingested in chunks, and each chunk adds one or more part files; all of them become
visible together, when the import's commit marker is written. Readers only see files whose import
has a commit marker, so an import killed half-way leaves nothing visible; the next import removes
its leftovers. Deduplication is by ``event_id``, within an import (across its chunks) and against
everything already committed.

Address index: next to each event file, a small Parquet file holds one row per event with an
address: the address as a number (``k``: an IPv4 address's 32-bit value, an IPv6 address's first
64 bits, with ``v6`` telling them apart), the event's ``time.source`` (``t``), its TLP and its row
number in the event file, sorted by ``k`` in row groups of a few thousand rows. An address or
network search reads only the index row groups whose minimum and maximum enclose it, then the
matching rows of the event files (``pipeline.query``). Written after the import commits, by the
import's job (:meth:`EventStore.index_import`), so that building it never slows the import down;
until every file of a store has its index (imports from before the index get one with
``cyberplan events reindex``), its address searches scan the addresses instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from .schema import FIELD_NAMES, FIELDS, quoted

MONTH_EXPR = "strftime(timezone('UTC', \"time.source\"), '%Y-%m')"

# How event files are written. zstd at level 1 compresses these columns almost as well as the
# default level 3 (raw JSON and hex event ids dominate) for noticeably less CPU.
# Row groups of 122,880 rows (DuckDB's own size): the last row group of a statement is encoded by
# one thread while the other waits, so smaller groups keep both CPUs busy; measured 14 % faster on a
# million-row part than 250,000 (docs/performance.md).
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 122880"
STREAM_ROW_GROUPS_PER_FILE = 2  # a streamed part is written as files of about 245,000 events
INDEX_ROW_GROUP_SIZE = 8192  # small row groups: their min/max of the address number are what prunes


def _ipv6_groups(column: str) -> str:
    """SQL: the eight 16-bit groups (hex text) of the canonical IPv6 text in ``column``, '::' expanded."""
    left = f"list_filter(string_split(split_part({column}, '::', 1), ':'), lambda g: g <> '')"
    right = (
        f"CASE WHEN contains({column}, '::') "
        f"THEN list_filter(string_split(split_part({column}, '::', 2), ':'), lambda g: g <> '') ELSE [] END"
    )
    return f"list_concat({left}, list_transform(range(8 - len({left}) - len({right})), lambda z: '0'), {right})"


def ipv6_hex(column: str) -> str:
    """SQL: the IPv6 address in ``column`` as 32 hex digits (text that sorts as the number does)."""
    return f"array_to_string(list_transform({_ipv6_groups(column)}, lambda g: lpad(lower(g), 4, '0')), '')"


def address_key(column: str) -> str:
    """SQL: the index number of the address in ``column`` (UBIGINT): an IPv4 address's value, an IPv6
    address's first 64 bits; NULL for no address or text that is not one."""
    v4 = " + ".join(f"(TRY_CAST(split_part({column}, '.', {i + 1}) AS UBIGINT) << {24 - 8 * i})" for i in range(4))
    v6 = f"TRY_CAST('0x' || left({ipv6_hex(column)}, 16) AS UBIGINT)"
    return f"CASE WHEN contains({column}, ':') THEN {v6} ELSE {v4} END"


def _written(name: str, constant: str | None) -> str:
    """The column ``name`` as written to Parquet: a text column holding ``constant`` on every row goes
    through a one-value ENUM."""
    if constant is None:
        return quoted(name)
    literal = "'" + constant.replace("'", "''") + "'"
    return f"CAST({quoted(name)} AS ENUM({literal})) AS {quoted(name)}"


_PART = re.compile(r"\.part\d+(-\d+)?$")


def import_of(path: Path) -> str:
    """The import an event file belongs to: ``<import_id>.parquet`` or ``<import_id>.part<k>[-<j>].parquet``."""
    return _PART.sub("", path.name.removesuffix(".parquet"))


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
        # The folders are made by the first write (:meth:`lock`): reading a store that has none,
        # such as an organisation's that never imported, leaves the data directory as it is.

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
            result.extend(p for p in sorted(month_dir.glob("*.parquet")) if import_of(p) in committed)
        return result

    def index_file(self, event_file: Path) -> Path:
        """The address index of an event file (which may not exist, for an import written before the index)."""
        return self.events_dir / "_index" / event_file.parent.name / event_file.name

    def write_address_index(self, con: duckdb.DuckDBPyConnection, event_file: Path, target: Path) -> None:
        """Write the address index of ``event_file`` (see the module's notes) to ``target``, through a
        temporary name: a half-written index is never read."""
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".tmp")
        con.execute(
            f"""COPY (SELECT k, v6, t, tlp, row FROM (
                    SELECT {address_key('"source.ip"')} AS k, contains("source.ip", ':') AS v6,
                           "time.source" AS t, tlp, file_row_number AS row
                    FROM read_parquet('{_sql_path(event_file)}', file_row_number = true, hive_partitioning = false))
                WHERE k IS NOT NULL ORDER BY k, t)
            TO '{_sql_path(partial)}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1,
                ROW_GROUP_SIZE {INDEX_ROW_GROUP_SIZE})"""
        )
        os.replace(partial, target)

    def reindex(self, import_id: str | None = None) -> int:
        """Write the address index of every committed event file (of one import, if given) that has none;
        return how many were written. Under the write lock: no import commits meanwhile."""
        written = 0
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            with self.lock():
                for path in self.files():
                    target = self.index_file(path)
                    if (import_id is None or import_of(path) == import_id) and not target.exists():
                        self.write_address_index(con, path, target)
                        written += 1
        finally:
            con.close()
        return written

    def index_import(self, import_id: str) -> int:
        """Write the address indexes of one committed import (its job does, once it has committed)."""
        return self.reindex(import_id)

    def register(self, con: duckdb.DuckDBPyConnection, name: str = "events") -> None:
        """Create the view ``name`` over every committed event (empty, with the schema, when there is none)."""
        files = self.files()
        columns = ", ".join(f"CAST(NULL AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS)
        if files:
            # Files written before a field was added to the schema read it as NULL: the empty
            # relation with every field, united by name with the files, upgrades them on reading.
            listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * EXCLUDE (month) "
                f"FROM read_parquet([{listing}], hive_partitioning = true, union_by_name = true) "
                f"UNION ALL BY NAME SELECT {columns} WHERE false"
            )
        else:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {columns} WHERE false")

    def quarantine_file(self, import_id: str) -> Path:
        return self.quarantine_dir / f"{import_id}.parquet"

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's write lock (one import writes at a time, across processes)."""
        for directory in (self.events_dir, self.commits_dir, self.quarantine_dir):
            directory.mkdir(parents=True, exist_ok=True)
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
            if import_of(path) not in committed:
                path.unlink()
                removed += 1
        for path in self.quarantine_dir.glob("*.parquet"):
            if path.stem not in committed:
                path.unlink()
                removed += 1
        for path in (self.events_dir / "_index").glob("month=*/*.parquet*"):
            if path.name.endswith(".tmp") or import_of(Path(path.name)) not in committed:
                path.unlink()
                removed += 1
        for leftover in self.commits_dir.glob("*.json.tmp"):
            leftover.unlink()
        staging = self.root / ".staging"
        if staging.exists():
            shutil.rmtree(staging)
        return removed

    @contextlib.contextmanager
    def writer(self, con: duckdb.DuckDBPyConnection, import_id: str) -> Iterator[ImportWriter]:
        """Write one import, chunk by chunk, under the store's lock; nothing is visible until
        :meth:`ImportWriter.commit`. If the block raises, what was written is removed."""
        if _PART.search(import_id) or "/" in import_id:
            raise ValueError(f"{import_id!r} cannot name an import: it would read as a part file's name")
        with self.lock():
            self.remove_uncommitted()
            if import_id in self.committed_imports():
                raise ValueError(f"import {import_id} is already committed")
            writer = ImportWriter(self, con, import_id)
            try:
                yield writer
            finally:
                shutil.rmtree(writer.staging, ignore_errors=True)
                for table in ("_keep", "_chunk_rejects"):
                    con.execute(f"DROP TABLE IF EXISTS {table}")

    def commit(
        self,
        con: duckdb.DuckDBPyConnection,
        import_id: str,
        staged_table: str,
        rejects_table: str,
        read: int,
    ) -> CommitSummary:
        """Deduplicate ``staged_table`` (every schema field and ``keyed``), write it and the rejects, and
        make the import visible: an import in one chunk."""
        with self.writer(con, import_id) as writer:
            writer.add(staged_table, rejects_table)
            return writer.commit(read)


class ImportWriter:
    """The parts of one import not yet committed: event files per chunk and month, and rejects.

    Each :meth:`add` deduplicates one chunk on a narrow table (row id and ``event_id`` of the rows
    to keep), against what is committed and against the chunks already added, then streams the
    kept rows into Parquet, one file per month. :meth:`commit` moves everything into place and
    writes the commit marker last.
    """

    def __init__(self, store: EventStore, con: duckdb.DuckDBPyConnection, import_id: str) -> None:
        self.store = store
        self.con = con
        self.import_id = import_id
        self.staging = store.root / ".staging" / import_id
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self.parts: list[tuple[str, Path]] = []  # (month, file) written so far, in order
        self.reject_parts: list[Path] = []
        self.chunks = 0
        self.candidates = 0  # valid rows offered
        self.stored = 0
        self.quarantined = 0

    def add(self, table: str, rejects_table: str | None = None, valid: str = "true") -> None:
        """Add the rows of ``table`` for which the SQL condition ``valid`` holds (every schema field and
        ``keyed``), and the rows of ``rejects_table`` (file, line, field, reason, raw), if given."""
        con = self.con
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _keep AS
            SELECT min(rowid) AS rid, event_id, bool_or(keyed) AS keyed, min("time.source") AS t,
                   any_value("feed.name") AS feed, any_value({MONTH_EXPR}) AS month, count(*) AS n
            FROM {table} WHERE {valid} GROUP BY event_id
            """
        )
        counts = con.execute("SELECT coalesce(sum(n), 0) FROM _keep").fetchone()
        offered = int(counts[0]) if counts else 0
        self.candidates += offered
        months = [row[0] for row in con.execute("SELECT DISTINCT month FROM _keep ORDER BY 1").fetchall()]
        self._drop_known(months)
        kept = _count(con, "_keep")
        self.stored += kept
        self.chunks += 1
        months = [row[0] for row in con.execute("SELECT DISTINCT month FROM _keep ORDER BY 1").fetchall()]
        columns = ", ".join(quoted(name) for name in FIELD_NAMES)
        # Without duplicates (the common case) every valid row is written, without the row filter.
        where = valid if kept == offered else "rowid IN (SELECT rid FROM _keep)"
        for month in months:
            # One COPY per month (DuckDB's PARTITION_BY costs about twice the CPU); most chunks hold one month.
            in_month = f" AND {MONTH_EXPR} = ?" if len(months) > 1 else ""
            part = self.staging / f"{month}-{self.chunks}.parquet"
            con.execute(
                f"COPY (SELECT {columns} FROM {table} WHERE {where}{in_month}) TO '{_sql_path(part)}' ({PARQUET_OPTIONS})",
                [month] if in_month else [],
            )
            self.parts.append((month, part))
        if rejects_table is not None:
            quarantined = _count(con, rejects_table)
            if quarantined:
                part = self.staging / f"rejects{len(self.reject_parts)}.parquet"
                con.execute(f"COPY {rejects_table} TO '{_sql_path(part)}' (FORMAT parquet, COMPRESSION zstd)")
                self.reject_parts.append(part)
                self.quarantined += quarantined

    def stream(self, relation: str, valid: str, constants: Mapping[str, str] | None = None) -> tuple[Path, int]:
        """Write the rows of the SELECT ``relation`` (every schema field and ``keyed``) for which ``valid``
        holds straight to Parquet in the staging folder, without a table in between: a folder of files
        of a few row groups each, in the input's order. Return the folder and the number of rows; the
        caller then :meth:`adopt`\\s the folder (or removes it).

        ``constants`` names text fields that hold the same value on every row (field -> value): they
        are written through a one-value ENUM, which Parquet stores as the same dictionary-encoded
        text at a fraction of the cost (DuckDB reads them back as VARCHAR)."""
        self.chunks += 1
        folder = self.staging / f"stream-{self.chunks}"
        columns = ", ".join(_written(name, (constants or {}).get(name)) for name in FIELD_NAMES)
        row = self.con.execute(
            f"COPY (SELECT {columns} FROM ({relation}) WHERE {valid}) TO '{_sql_path(folder)}' "
            f"({PARQUET_OPTIONS}, ROW_GROUPS_PER_FILE {STREAM_ROW_GROUPS_PER_FILE}, FILENAME_PATTERN 'p{{i}}')"
        ).fetchone()
        return folder, int(row[0]) if row else 0

    def adopt(self, folder: Path) -> None:
        """Take the files written by :meth:`stream` into the import, deduplicated like :meth:`add` on a
        narrow table read from them. A file without duplicates and of one month is kept as it is; the
        others (rare: a report repeats a row, or spans a month's end) are copied without the rows to
        drop, per month. Files of a few row groups keep such a copy small."""
        con = self.con
        files = sorted(folder.glob("p*.parquet"), key=lambda path: int(path.stem[1:]))
        if not files:
            shutil.rmtree(folder, ignore_errors=True)
            return
        source = f"read_parquet({_listing(files)}, filename = true, file_row_number = true, hive_partitioning = false)"
        # rid: the file's number in the high bits, the row's number in that file in the low 32 bits.
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _keep AS
            SELECT min(CAST(regexp_extract(filename, 'p([0-9]+)\\.parquet$', 1) AS BIGINT) * 4294967296
                       + file_row_number) AS rid,
                   event_id, false AS keyed, min("time.source") AS t, any_value("feed.name") AS feed,
                   any_value({MONTH_EXPR}) AS month, count(*) AS n
            FROM {source} GROUP BY event_id
            """
        )
        counts = con.execute("SELECT coalesce(sum(n), 0) FROM _keep").fetchone()
        offered = int(counts[0]) if counts else 0
        self.candidates += offered
        months = [row[0] for row in con.execute("SELECT DISTINCT month FROM _keep ORDER BY 1").fetchall()]
        self._drop_known(months)
        kept = _count(con, "_keep")
        self.stored += kept
        if kept == offered and len(months) == 1:
            self.parts.extend((months[0], path) for path in files)
            return
        per_file = {
            int(index): (int(count), list(file_months))
            for index, count, file_months in con.execute(
                "SELECT rid // 4294967296, count(*), list(DISTINCT month ORDER BY month) FROM _keep GROUP BY 1"
            ).fetchall()
        }
        columns = ", ".join(quoted(name) for name in FIELD_NAMES)
        for path in files:
            index = int(path.stem[1:])
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{_sql_path(path)}')").fetchone()
            count, file_months = per_file.get(index, (0, []))
            if rows and count == rows[0] and len(file_months) == 1:
                self.parts.append((file_months[0], path))
                continue
            for month in file_months:
                target = self.staging / f"{month}-{self.chunks}-{index}.parquet"
                con.execute(
                    f"COPY (SELECT {columns} FROM read_parquet('{_sql_path(path)}', file_row_number = true) "
                    "WHERE file_row_number IN (SELECT rid % 4294967296 FROM _keep "
                    f"WHERE rid // 4294967296 = ? AND month = ?)) TO '{_sql_path(target)}' ({PARQUET_OPTIONS})",
                    [index, month],
                )
                self.parts.append((month, target))
            path.unlink()

    def _drop_known(self, months: list[str]) -> None:
        """Remove from ``_keep`` the events already in the store or in an earlier chunk of this import.

        An event identified by its content (no ``event_key``) can only match an event of the same
        feed and the same ``time.source``, so only row groups in that time window are read; an event
        with a key (a STIX id, a MISP uuid, a VERIS incident id) is looked for in every month.
        """
        con = self.con
        own = [path for month, path in self.parts if month in months]
        bounds = con.execute("SELECT min(t), max(t), list(DISTINCT feed) FROM _keep WHERE NOT keyed").fetchone()
        month_files = self.store.files(months) + own
        if bounds and bounds[0] is not None and month_files:
            con.execute(
                f"""
                DELETE FROM _keep WHERE NOT keyed AND event_id IN (
                  SELECT event_id FROM read_parquet({_listing(month_files)}, hive_partitioning = false)
                  WHERE "time.source" BETWEEN ? AND ? AND list_contains(?, "feed.name"))
                """,
                [bounds[0], bounds[1], bounds[2]],
            )
        keyed = con.execute("SELECT list(DISTINCT feed) FROM _keep WHERE keyed").fetchone()
        all_files = self.store.files() + [path for _month, path in self.parts]
        if keyed and keyed[0] and all_files:
            con.execute(
                f"""
                DELETE FROM _keep WHERE keyed AND event_id IN (
                  SELECT event_id FROM read_parquet({_listing(all_files)}, hive_partitioning = false)
                  WHERE list_contains(?, "feed.name"))
                """,
                [keyed[0]],
            )

    def commit(self, read: int) -> CommitSummary:
        """Move every part into place and write the commit marker (the import becomes visible)."""
        store = self.store
        con = self.con
        months = sorted({month for month, _path in self.parts})
        single = {month: sum(1 for m, _p in self.parts if m == month) == 1 for month in months}
        moves: list[tuple[Path, Path]] = []
        numbers: dict[str, int] = {}
        for month, path in self.parts:
            if single[month]:
                name = f"{self.import_id}.parquet"
            else:
                numbers[month] = numbers.get(month, 0) + 1
                name = f"{self.import_id}.part{numbers[month]}.parquet"
            moves.append((path, store.events_dir / f"month={month}" / name))
        quarantine = None
        if self.reject_parts:
            quarantine = self.staging / "quarantine.parquet"
            con.execute(
                f"COPY (SELECT * FROM read_parquet({_listing(self.reject_parts)}) ORDER BY file, line) "
                f"TO '{_sql_path(quarantine)}' (FORMAT parquet, COMPRESSION zstd)"
            )
        # Move into place; invisible until the commit marker exists.
        for part, target in moves:
            target.parent.mkdir(exist_ok=True)
            os.replace(part, target)
        if quarantine is not None:
            os.replace(quarantine, store.quarantine_file(self.import_id))
        summary = CommitSummary(
            import_id=self.import_id,
            read=read,
            stored=self.stored,
            duplicates=self.candidates - self.stored,
            quarantined=self.quarantined,
            months=months,
        )
        marker = store.commits_dir / f"{self.import_id}.json.tmp"
        marker.write_text(json.dumps(asdict(summary)), encoding="utf-8")
        with marker.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(marker, store.commits_dir / f"{self.import_id}.json")
        return summary


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def _listing(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + _sql_path(p) + "'" for p in paths) + "]"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
