"""The interface every importer implements, and the helpers for importers that parse in Python.

An importer reads one source file and fills two DuckDB tables on the connection it is given:

``staged``
    one row per record that parsed, with every field of the event schema (see
    :func:`create_tables`); ``event_key`` may hold the record's identity (for example a VERIS
    incident id), otherwise the pipeline derives it from ``feed.name`` and ``raw``.
``rejects``
    one row per record that could not be parsed or validated: ``file``, ``line`` (or the
    position of the object), ``field``, ``reason`` and ``raw``. Nothing is dropped silently.

``stage`` returns the number of records read, which must equal staged + rejected rows.

The pipeline calls ``chunks``, which by default stages the whole file at once. An importer that
can read a large file piece by piece (the CSV engine) yields one :class:`Chunk` per piece instead,
so that the memory an import needs does not depend on the size of the file.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from ..schema import FIELDS, PIPELINE_FIELDS, quoted

HEAD_BYTES = 64 * 1024


class UnknownFormatError(ValueError):
    """The file's format is unknown or was not recognised."""


class SourceError(ValueError):
    """The whole file is unusable (wrong encoding, truncated, too large, ...); the message says why."""


# An absolute path (POSIX, or Windows with a drive letter) of at least two parts, not part of a URL
# ("https://host/x") or a date ("2026/11/28"); in quotes it may hold spaces.
_QUOTED_PATH = re.compile(r"""(["'])(?:[A-Za-z]:)?[/\\][^"'\n]*?([^"'/\\\n]*)\1""")
_PATH = re.compile(r"""(?<![\w:/.~-])(?:[A-Za-z]:)?[/\\](?:[^\s"'/\\]+[/\\])+([^\s"'/\\]*)""")


def without_paths(text: str) -> str:
    """``text`` (typically a library's error message) with every absolute path shortened to its file
    name: messages are shown to users, who must not learn the server's folders."""
    text = _QUOTED_PATH.sub(lambda match: match.group(1) + match.group(2) + match.group(1), text)
    return _PATH.sub(lambda match: match.group(1), text)


@dataclass(frozen=True)
class Source:
    path: Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.path.name)

    def head(self) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(HEAD_BYTES)


@dataclass(frozen=True)
class ImportOptions:
    report_type: str | None = None  # Shadowserver report type, when the file name does not say it
    mapping: Mapping[str, Any] | None = None  # column mapping for the generic CSV importer
    feed_provider: str | None = None
    tlp: str = "amber"
    max_objects: int = 2_000_000  # JSON importers refuse files with more objects than this
    extra: Mapping[str, Any] = field(default_factory=dict)


class Chunk(abc.ABC):
    """Part of a file, ready to be read: ``relation`` is a SELECT of every staged column (see
    :func:`staged_columns`) and ``_problem`` (NULL for a valid row; otherwise ``field``, chr(31) and
    the reason). The pipeline materialises it into a table that keeps the input's order in its
    ``rowid``, then calls :meth:`finish`."""

    relation: str
    # Whether the chunk's rows may go straight into storage (then :meth:`streamed` is called, and
    # :meth:`finish` only if the chunk had rejects and is read again). Rows with an ``event_key``
    # never are.
    streamable: bool = False
    # Staged fields that hold the same value on every row of the chunk (None: NULL on every row), as
    # the mapping says before anything is read; the store writes such text columns more cheaply.
    constants: Mapping[str, str | float | int | None] = {}

    def streamed(self, rows: int, problems: int) -> bool:
        """The chunk was read straight into storage: ``rows`` rows without and ``problems`` rows with a
        ``_problem`` (those were left out). Whether that was all of it; False: the chunk is read again
        into a table, and :meth:`finish` records its rejects."""
        return False

    @abc.abstractmethod
    def finish(self, table: str) -> int:
        """Add the chunk's rejects to ``rejects`` (the rows of ``table`` with a ``_problem``, and
        anything else refused); return the number of records the chunk read."""


class StagedChunk(Chunk):
    """A whole file staged by :meth:`Importer.stage`: the ``staged`` table as it is."""

    relation = "SELECT *, CAST(NULL AS VARCHAR) AS _problem FROM staged"

    def __init__(self, read: int) -> None:
        self.read = read

    def finish(self, table: str) -> int:
        return self.read


class Importer(abc.ABC):
    format: ClassVar[str]
    label: ClassVar[str]

    @classmethod
    @abc.abstractmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        """Whether the file looks like this importer's format (from its name and first bytes)."""

    @abc.abstractmethod
    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        """Fill ``staged`` and ``rejects`` from the source; return the number of records read."""

    def chunks(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        options: ImportOptions,
        *,
        work_dir: Path,
        chunk_bytes: int,
    ) -> Iterator[Chunk]:
        """The file as chunks of about ``chunk_bytes`` of input, each read before the next is asked for
        (``work_dir`` may hold the pieces). By default the whole file is one chunk."""
        yield StagedChunk(self.stage(con, source, options))


STAGED_EXTRA_COLUMNS = {"event_key": "VARCHAR"}
REJECT_COLUMNS = {"file": "VARCHAR", "line": "BIGINT", "field": "VARCHAR", "reason": "VARCHAR", "raw": "VARCHAR"}


def staged_columns() -> dict[str, str]:
    columns = {f.name: f.sql_type for f in FIELDS}
    columns.update(STAGED_EXTRA_COLUMNS)
    return columns


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create empty ``staged`` and ``rejects`` tables."""
    staged = ", ".join(f"{quoted(name)} {sql_type}" for name, sql_type in staged_columns().items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged ({staged})")
    rejects = ", ".join(f"{name} {sql_type}" for name, sql_type in REJECT_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE rejects ({rejects})")


_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
}


class RowStager:
    """Collects records parsed in Python and appends them to ``staged`` and ``rejects`` in batches."""

    BATCH = 50_000

    def __init__(self, con: duckdb.DuckDBPyConnection, source: Source) -> None:
        self.con = con
        self.source = source
        self.rows: list[dict[str, Any]] = []
        self.rejected: list[dict[str, Any]] = []
        self.read = 0
        create_tables(con)

    def add(self, record: Mapping[str, Any]) -> None:
        unknown = set(record) - set(staged_columns()) - PIPELINE_FIELDS
        if unknown:
            raise KeyError(f"not event fields: {sorted(unknown)}")
        self.read += 1
        self.rows.append(dict(record))
        if len(self.rows) >= self.BATCH:
            self.flush()

    def reject(self, *, line: int | None, field: str, reason: str, raw: Any) -> None:
        self.read += 1
        text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
        self.rejected.append({"file": self.source.name, "line": line, "field": field, "reason": reason, "raw": text})
        if len(self.rejected) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            columns = staged_columns()
            arrays = {}
            for name, sql_type in columns.items():
                values = [row.get(name) for row in self.rows]
                if sql_type == "TIMESTAMPTZ":
                    values = [_utc(v) for v in values]
                arrays[name] = pa.array(values, type=_ARROW_TYPES[sql_type])
            batch = pa.table(arrays)
            self.con.register("_batch", batch)
            self.con.execute("INSERT INTO staged BY NAME SELECT * FROM _batch")
            self.con.unregister("_batch")
            self.rows = []
        if self.rejected:
            batch = pa.Table.from_pylist(
                self.rejected,
                schema=pa.schema(
                    [
                        ("file", pa.string()),
                        ("line", pa.int64()),
                        ("field", pa.string()),
                        ("reason", pa.string()),
                        ("raw", pa.string()),
                    ]
                ),
            )
            self.con.register("_rejects", batch)
            self.con.execute("INSERT INTO rejects BY NAME SELECT * FROM _rejects")
            self.con.unregister("_rejects")
            self.rejected = []

    def finish(self) -> int:
        self.flush()
        return self.read


def _utc(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError("timestamps must carry a time zone")
    return value.astimezone(dt.UTC)


def json_text(value: Any) -> str:
    """Canonical JSON for ``raw`` and ``extra``: sorted keys, no ASCII escaping."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def compact_extra(values: Mapping[str, Any]) -> str | None:
    kept = {k: v for k, v in values.items() if v not in (None, "", [], {})}
    return json_text(kept) if kept else None


def json_path(parts: Iterable[Any]) -> str:
    """A JSON location as people write it: ``Attribute[3].value``, ``timeline.incident.year``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text
