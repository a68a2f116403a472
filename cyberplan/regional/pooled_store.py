"""The pooled event store of a regional programme, and the member's export file that feeds it. Django-free.

**The export file** (member side) is Parquet with exactly the columns of
:data:`.pooled_metrics.POOLED_FIELDS`, in the event store's types, holding only the member's TLP:CLEAR and
TLP:GREEN events, and key-value metadata saying what it is (:data:`FORMAT_KEY`), the member's country and
STIX identity, when it was exported and how many events it holds.

**The pool** (regional side) is one folder per member (``member=XX``) of Parquet files with those columns and
the ``member`` country. A file enters the pool only whole (written aside, then renamed), holds only events
whose ids the member's pool does not have yet, and is named after the export's hash: importing the same
export again, or an export overlapping an earlier one, gives the same pool.
"""

# The SQL here is assembled from quoted file paths and this module's own constants.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .pooled_metrics import MEMBER_COLUMN, POOL_LABELS, POOLED_FIELDS, export_schema

#: The metadata key that marks a pooled-events export, and the format's version.
FORMAT_KEY = "cyberplan.pooled_events"
FORMAT_VERSION = "1"
COUNTRY = re.compile(r"^[A-Z]{2}$")


class PoolRefusedError(Exception):
    """An export the pool does not take: a short code and a reason for people."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class ExportClaims:
    """What an export file says about itself."""

    country: str
    identity: str
    exported_at: str
    rows: int


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _listing(paths: list[Path]) -> str:
    return "[" + ", ".join(_quoted(str(p)) for p in paths) + "]"


def write_export(files: list[Path], output: Path, country: str, identity: str) -> int:
    """Write a member's export of the events in the event store's ``files``: CLEAR and GREEN only. Returns the
    number of events written. The file is written aside and renamed, so a half-written export never exists."""
    columns = ", ".join(f'CAST("{name}" AS {_duck_type(name)}) AS "{name}"' for name in POOLED_FIELDS)
    nulls = ", ".join(f'CAST(NULL AS {_duck_type(name)}) AS "{name}"' for name in POOLED_FIELDS)
    labels = ", ".join(_quoted(label) for label in POOL_LABELS)
    exported_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    partial = output.with_name(output.name + ".partial")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        source = (
            f"SELECT {columns} FROM read_parquet({_listing(files)}, union_by_name = true) "
            f"WHERE lower(tlp) IN ({labels}) ORDER BY event_id"
            if files
            else f"SELECT {nulls} WHERE false"
        )
        con.execute(f"CREATE TEMP TABLE export AS {source}")
        found = con.execute("SELECT count(*) FROM export").fetchone()
        count = int(found[0]) if found else 0
        metadata = {
            FORMAT_KEY: FORMAT_VERSION,
            "country": country,
            "identity": identity,
            "exported_at": exported_at,
            "rows": str(count),
        }
        kv = ", ".join(f"{_quoted(key)}: {_quoted(value)}" for key, value in metadata.items())
        con.execute(f"COPY export TO {_quoted(str(partial))} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{kv}}})")
    finally:
        con.close()
    os.replace(partial, output)
    return count


def _duck_type(name: str) -> str:
    from cyberplan.pipeline.schema import FIELD_TYPES

    return FIELD_TYPES[name]


def read_claims(path: Path) -> ExportClaims:
    """The export's metadata, or a refusal saying what is wrong with the file."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as exc:
        raise PoolRefusedError("not-parquet", f"The file is not a readable Parquet file ({exc}).") from None
    values = {key.decode("utf-8", "replace"): value.decode("utf-8", "replace") for key, value in metadata.items()}
    if values.get(FORMAT_KEY) != FORMAT_VERSION:
        raise PoolRefusedError(
            "format",
            f"The file is not a cyberplan pooled-events export of format version {FORMAT_VERSION} "
            f"(metadata key {FORMAT_KEY!r} is {values.get(FORMAT_KEY)!r}).",
        )
    country = values.get("country", "")
    if not COUNTRY.match(country):
        raise PoolRefusedError("metadata", f"The export's metadata 'country' is {country!r}, not a two-letter code.")
    identity = values.get("identity", "")
    if not identity.startswith("identity--"):
        raise PoolRefusedError("metadata", f"The export's metadata 'identity' is {identity!r}, not a STIX identity.")
    try:
        rows = int(values.get("rows", ""))
    except ValueError:
        raise PoolRefusedError("metadata", "The export's metadata 'rows' is not a number.") from None
    return ExportClaims(country, identity, values.get("exported_at", ""), rows)


def _schema_problems(schema: pa.Schema) -> list[str]:
    expected = export_schema()
    problems = [f"column {name!r} is missing" for name in expected.names if name not in schema.names]
    problems += [
        f"column {name!r} is not one the pool takes (only {', '.join(expected.names)})"
        for name in schema.names
        if name not in expected.names
    ]
    for field in expected:
        if field.name in schema.names and not schema.field(field.name).type.equals(field.type):
            problems.append(f"column {field.name!r} is {schema.field(field.name).type}, not {field.type}")
    return problems


def _first(mask: pa.ChunkedArray) -> int:
    """The 1-based row number of the first true value."""
    return int(pc.index(mask, True).as_py()) + 1


def read_export(path: Path, claims: ExportClaims) -> pa.Table:
    """The export's events, checked whole: schema, labels, ids and times. Any problem refuses the whole file."""
    table = pq.read_table(path)
    problems = _schema_problems(table.schema)
    if problems:
        raise PoolRefusedError("schema", "The export's columns do not match the pool's: " + "; ".join(problems) + ".")
    if table.num_rows != claims.rows:
        raise PoolRefusedError(
            "rows", f"The export says it holds {claims.rows} events but the file holds {table.num_rows}."
        )
    if table.num_rows == 0:
        raise PoolRefusedError("empty", "The export holds no events.")
    labels = pc.fill_null(pc.utf8_lower(table["tlp"]), "")
    outside = pc.invert(pc.is_in(labels, value_set=pa.array(POOL_LABELS)))
    if pc.any(outside).as_py():
        found = sorted({str(v) or "no label" for v in pc.unique(pc.filter(labels, outside)).to_pylist()})
        raise PoolRefusedError(
            "labels",
            f"{pc.sum(outside).as_py()} events (the first at row {_first(outside)}) are labelled "
            f"{', '.join(found)}: only TLP:CLEAR and TLP:GREEN events may be pooled. Nothing was pooled.",
        )
    for column, what in (("event_id", "no event id"), ("time.source", "no time")):
        missing = pc.is_null(table[column])
        if pc.any(missing).as_py():
            raise PoolRefusedError("schema", f"Row {_first(missing)} has {what} ({column!r}). Nothing was pooled.")
    if pc.count_distinct(table["event_id"]).as_py() != table.num_rows:
        raise PoolRefusedError("duplicates", "The export holds the same event id more than once. Nothing was pooled.")
    return table


class PoolStore:
    """The pooled events of one regional programme: a folder per member."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def member_dir(self, country: str) -> Path:
        return self.root / f"member={country}"

    def files(self, countries: list[str] | None = None) -> list[Path]:
        """The pool's files, of every member or of ``countries``, in a stable order."""
        if not self.root.is_dir():
            return []
        wanted = None if countries is None else {f"member={c}" for c in countries}
        return sorted(
            path
            for folder in self.root.iterdir()
            if folder.is_dir() and (wanted is None or folder.name in wanted)
            for path in folder.glob("*.parquet")
        )

    def add(self, country: str, table: pa.Table, content_hash: str) -> tuple[int, Path | None]:
        """Pool the events of ``table`` the member's pool does not hold yet; returns how many were added and the
        file written (None when there was nothing new)."""
        folder = self.member_dir(country)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{content_hash[:32]}.parquet"
        if target.exists():
            return 0, None
        existing = self.files([country])
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET enable_progress_bar = false")
            con.register("incoming", table)
            known = (
                f"WHERE event_id NOT IN (SELECT event_id FROM read_parquet({_listing(existing)}))" if existing else ""
            )
            fresh: pa.Table = con.sql(
                f"SELECT *, CAST({_quoted(country)} AS VARCHAR) AS {MEMBER_COLUMN} FROM incoming {known} ORDER BY event_id"
            ).to_arrow_table()
        finally:
            con.close()
        if fresh.num_rows == 0:
            return 0, None
        partial = folder / f".{target.name}.partial"
        pq.write_table(fresh, partial, compression="zstd")
        os.replace(partial, target)
        return fresh.num_rows, target

    def counts(self) -> Mapping[str, int]:
        """Events pooled per member."""
        result: dict[str, int] = {}
        for path in self.files():
            country = path.parent.name.split("=", 1)[1]
            result[country] = result.get(country, 0) + pq.ParquetFile(path).metadata.num_rows
        return result


def pool_labels(paths: list[Path]) -> list[str]:
    """The TLP labels (lower case) the pool files ``paths`` hold, sorted; read as a stream, one column."""
    if not paths:
        return []
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        found = con.execute(f"SELECT DISTINCT lower(tlp) FROM read_parquet({_listing(paths)}) ORDER BY 1").fetchall()
    finally:
        con.close()
    return [str(row[0]) for row in found if row[0] is not None]
