"""One import, end to end: unpack safely, parse, normalise, enrich, deduplicate, store.

Called by the threats app (from the command line or the worker) with an import id it has
recorded; returns the summary (read = stored + duplicates + quarantined).
"""

from __future__ import annotations

import bz2
import functools
import gzip
import lzma
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

import duckdb
import pyarrow as pa

from . import importers
from .enrich import MmdbLookup, constituency_joins, enriched_expressions, install_mmdb, prepare
from .importers.base import Chunk, ImportOptions, Source, SourceError, without_paths
from .importers.csvengine import DEFAULT_CHUNK_BYTES
from .schema import FIELD_TYPES, FIELDS, PIPELINE_FIELDS, quoted
from .store import CommitSummary, EventStore, ImportWriter

# What one import may read, and what a compressed file may unpack to. A daily national feed comes as
# one file per report; a million Shadowserver rows take about 137 MiB, so 1 GiB is some 7.5 million
# rows in one file, well above the largest daily report of a national CSIRT (see the configuration
# reference, CYBERPLAN_MAX_IMPORT_MB).
DEFAULT_MAX_BYTES = 1024**3
# Free disk an unpacking must leave for what follows it (DuckDB's spill files, the Parquet written).
DEFAULT_MIN_FREE_BYTES = 512 * 1024**2
COPY_CHUNK = 1024 * 1024

Progress = Callable[[str], None]


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int = DEFAULT_MAX_BYTES  # the file itself, and what it unpacks to
    memory_limit: str = "1500MB"  # DuckDB's working memory; it spills to disk beyond this
    threads: int = 2
    chunk_bytes: int = DEFAULT_CHUNK_BYTES  # input read, normalised and written at a time
    min_free_bytes: int = DEFAULT_MIN_FREE_BYTES  # free disk left in the work folder while unpacking


def _mib(size: int) -> str:
    return f"{size / 1024**2:,.1f} MiB" if size % 1024**2 else f"{size // 1024**2:,} MiB"


def _too_large(name: str, limit: int) -> SourceError:
    return SourceError(
        f"{name}: unpacks to more than {_mib(limit)}, the limit of one import; refused as a possible "
        "decompression bomb (raise CYBERPLAN_MAX_IMPORT_MB if the file is genuine)"
    )


def _check_disk(name: str, folder: Path, needed: int, limits: IngestLimits) -> None:
    """Refuse to go on when writing ``needed`` more bytes in ``folder`` would leave less free disk
    than ``limits.min_free_bytes``."""
    free = shutil.disk_usage(folder).free
    if free - needed < limits.min_free_bytes:
        raise SourceError(
            f"{name}: not enough free disk space to unpack it ({_mib(max(free, 0))} free; "
            f"{_mib(limits.min_free_bytes)} must stay free for the import); nothing was imported"
        )


def _declared_size(source: Source, head: bytes) -> int | None:
    """What a gzip file says it unpacks to (its last member's size modulo 4 GiB, so never more than
    the truth for a well-formed file), or None."""
    if not head.startswith(b"\x1f\x8b"):
        return None
    with source.path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < 18:
            return None
        handle.seek(-4, 2)
        return int.from_bytes(handle.read(4), "little")


@contextmanager
def unpacked(source: Source, work_dir: Path, limits: IngestLimits) -> Iterator[Source]:
    """The source as a plain file: gzip, bzip2, xz and single-member zip archives are unpacked to
    ``work_dir``. A file that declares more than ``limits.max_bytes`` (a zip member's size, a gzip
    trailer) is refused before anything is written; the rest is counted as it is written and stopped
    as soon as it passes the limit (a decompression bomb), or when the disk would keep less than
    ``limits.min_free_bytes`` free. A refused file leaves nothing behind."""
    size = source.path.stat().st_size
    if size > limits.max_bytes:
        raise SourceError(
            f"{source.name}: the file is {_mib(size)}; the limit of one import is {_mib(limits.max_bytes)}"
        )
    head = source.head()[:8]
    opener: Callable[[], BinaryIO] | None = None
    inner_name = source.name
    for suffix in (".gz", ".bz2", ".xz", ".zip"):
        if inner_name.lower().endswith(suffix):
            inner_name = inner_name[: -len(suffix)]
    archive: zipfile.ZipFile | None = None
    declared = _declared_size(source, head)
    if head.startswith(b"\x1f\x8b"):
        opener = functools.partial(gzip.open, source.path, "rb")  # type: ignore[assignment]  # a binary stream, though typeshed does not call its class BinaryIO
    elif head.startswith(b"BZh"):
        opener = functools.partial(bz2.open, source.path, "rb")  # type: ignore[assignment]  # a binary stream, though typeshed does not call its class BinaryIO
    elif head.startswith(b"\xfd7zXZ\x00"):
        opener = functools.partial(lzma.open, source.path, "rb")  # type: ignore[assignment]  # a binary stream, though typeshed does not call its class BinaryIO
    elif head.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(source.path)
        except zipfile.BadZipFile:
            raise SourceError(f"{source.name}: a damaged or truncated zip archive") from None
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            archive.close()
            raise SourceError(f"{source.name}: a zip archive must hold exactly one file; it holds {len(members)}")
        inner_name = Path(members[0].filename).name
        declared = members[0].file_size
        opener = functools.partial(archive.open, members[0], "r")  # type: ignore[assignment]  # a binary stream, though typeshed does not call its class BinaryIO
    if opener is None:
        yield source
        return
    target = work_dir / ("unpacked-" + (inner_name or "data"))
    try:
        if declared is not None and declared > limits.max_bytes:
            raise _too_large(source.name, limits.max_bytes)
        _check_disk(source.name, work_dir, declared or 0, limits)
        _copy_within_limits(opener, target, source.name, limits)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        if archive is not None:
            archive.close()
    try:
        yield Source(path=target, name=inner_name)
    finally:
        target.unlink(missing_ok=True)


def _copy_within_limits(opener: Callable[[], BinaryIO], target: Path, name: str, limits: IngestLimits) -> None:
    """Unpack to ``target`` chunk by chunk; each chunk is counted and the free disk checked before it
    is written, so no more than ``limits.max_bytes`` is ever written."""
    written = 0
    try:
        with opener() as stream, target.open("wb") as out:
            while chunk := stream.read(COPY_CHUNK):
                written += len(chunk)
                if written > limits.max_bytes:
                    raise _too_large(name, limits.max_bytes)
                _check_disk(name, target.parent, len(chunk), limits)
                try:
                    out.write(chunk)
                except OSError as exc:  # the disk filled up all the same, or a quota
                    raise SourceError(f"{name}: the unpacked file could not be written ({_first_line(exc)})") from None
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        raise SourceError(f"{name}: the compressed file is damaged or truncated ({_first_line(exc)})") from None
    except NotImplementedError:
        raise SourceError(f"{name}: the zip archive uses a compression method that is not supported") from None


def ingest(
    source: Source,
    store: EventStore,
    import_id: str,
    *,
    format: str = "auto",
    options: ImportOptions | None = None,
    constituency: pa.Table | None = None,
    limits: IngestLimits | None = None,
    progress: Progress | None = None,
    observed_at: str | None = None,
    mmdb: Path | None = None,
) -> CommitSummary:
    """Run one import. Raises :class:`SourceError` (nothing stored) when the whole file is unusable.

    The file is read in chunks of about ``limits.chunk_bytes``; each chunk is parsed, normalised and
    enriched in one statement, deduplicated on a narrow table and streamed into Parquet, and the
    import becomes visible at once, when every chunk is written (one commit marker). ``mmdb`` is
    an optional MaxMind DB for the countries and AS numbers nothing else gave.
    """
    options = options or ImportOptions()
    limits = limits or IngestLimits()
    say = progress or (lambda _message: None)
    work_root = store.root / ".work"
    work_root.mkdir(parents=True, exist_ok=True)
    lookup = MmdbLookup(mmdb) if mmdb is not None else None
    with tempfile.TemporaryDirectory(dir=work_root, prefix=f"{import_id}-") as work:
        work_dir = Path(work)
        con = duckdb.connect(str(work_dir / "work.duckdb"))
        try:
            # No progress bar: a long statement would draw one on the command's or the worker's output.
            con.execute("SET enable_progress_bar = false")
            con.execute(f"SET memory_limit = '{limits.memory_limit}'")
            con.execute(f"SET threads = {int(limits.threads)}")
            con.execute(f"SET temp_directory = '{str(work_dir / 'spill').replace(chr(39), chr(39) * 2)}'")
            con.execute("SET TimeZone = 'UTC'")
            if lookup is not None:
                install_mmdb(con, lookup)
            with unpacked(source, work_dir, limits) as plain:
                importer = importers.detect(plain) if format == "auto" else importers.get(format)
                say(f"parsing {plain.name} as {importer.label}")
                pieces = work_dir / "pieces"
                pieces.mkdir()
                chunks = importer.chunks(con, plain, options, work_dir=pieces, chunk_bytes=limits.chunk_bytes)
                summary = _run(
                    con, chunks, store, import_id, plain.name, options, constituency, lookup, observed_at, say
                )
        finally:
            con.close()
            if lookup is not None:
                lookup.close()
    say(f"stored {summary.stored:,}, duplicates {summary.duplicates:,}, quarantined {summary.quarantined:,}")
    return summary


def _run(
    con: duckdb.DuckDBPyConnection,
    chunks: Iterator[Chunk],
    store: EventStore,
    import_id: str,
    file_name: str,
    options: ImportOptions,
    constituency: pa.Table | None,
    lookup: MmdbLookup | None,
    observed_at: str | None,
    say: Progress,
) -> CommitSummary:
    """Normalise, enrich, deduplicate and store each chunk; commit them as one import."""
    read = 0
    select: str | None = None
    fixed: dict[str, str] = {}
    writer_context = None
    writer: ImportWriter | None = None
    problems = _install_problem_counter(con)
    try:
        for number, chunk in enumerate(chunks, start=1):
            # Progress: the steps once, then (for a file read in parts) "storing: ..." for each further part.
            if select is None:
                say("normalising")
                say("enriching")
                select = _normalise_sql(con, import_id, options, constituency, lookup is not None, observed_at)
                fixed = constant_text(chunk.constants, import_id, options)
            else:
                say(f"storing: reading part {number}")
            relation = select.replace("{relation}", chunk.relation)
            if chunk.streamable:
                # Straight from the input into Parquet; only a part with rejects is read again, below.
                if writer is None:
                    writer_context = store.writer(con, import_id)
                    writer = writer_context.__enter__()
                problems.clear()
                keep = "CASE WHEN _problem IS NULL THEN true ELSE cp_problem(_problem) END"
                part, rows = _guarded(file_name, functools.partial(writer.stream, relation, keep, fixed))
                if chunk.streamed(rows, len(problems)):
                    say("storing" if number == 1 else f"storing: writing part {number}")
                    writer.adopt(part)
                    read += rows
                    continue
                shutil.rmtree(part, ignore_errors=True)
            _guarded(file_name, functools.partial(con.execute, f"CREATE OR REPLACE TEMP TABLE _part AS {relation}"))
            con.execute("DROP TABLE IF EXISTS staged")
            read += chunk.finish("_part")
            if writer is None:
                say("storing")
                writer_context = store.writer(con, import_id)
                writer = writer_context.__enter__()
            else:
                say(f"storing: writing part {number}")
            writer.add("_part", "rejects", valid="_problem IS NULL")
            con.execute("DROP TABLE _part")
            con.execute("DELETE FROM rejects")
        if writer is None:  # no chunk at all
            say("storing")
            writer_context = store.writer(con, import_id)
            writer = writer_context.__enter__()
        summary = writer.commit(read)
    except BaseException as exc:
        if writer_context is not None:
            writer_context.__exit__(type(exc), exc, exc.__traceback__)
        raise
    if writer_context is not None:
        writer_context.__exit__(None, None, None)
    return summary


T = TypeVar("T")


def _guarded(file_name: str, action: Callable[[], T]) -> T:
    """Run a statement that reads the input; DuckDB's errors about the input become a SourceError."""
    try:
        return action()
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.InterruptException):
            raise
        raise SourceError(f"{file_name}: not a readable file: {_first_line(exc)}") from None


def _install_problem_counter(con: duckdb.DuckDBPyConnection) -> list[str]:
    """``cp_problem(reason)``: notes a rejected row and is false. In the filter of a streamed part,
    inside a CASE, so that DuckDB calls it only for the rows that have a problem; the returned list
    holds what it noted."""
    noted: list[str] = []

    def note(reason: str) -> bool:
        noted.append(reason)
        return False

    con.create_function("cp_problem", note, ["VARCHAR"], "BOOLEAN", side_effects=True)
    return noted


def constant_text(
    staged: Mapping[str, str | float | int | None], import_id: str, options: ImportOptions
) -> dict[str, str]:
    """The text fields of the events that :func:`_normalise_sql` makes the same on every row of a chunk
    whose staged fields ``staged`` are constant (None: NULL on every row): field -> value. Only fields
    whose value cannot depend on the row are named; the enriched fields never are."""
    values: dict[str, str | None] = {"import_id": import_id}
    defaults: dict[str, str | None] = {
        "tlp": options.tlp,
        "feed.provider": options.feed_provider,
        "severity": "unknown",
        "time.precision": "second",
    }
    for name, default in defaults.items():
        if name in staged:
            values[name] = str(staged[name]) if staged[name] is not None else default
    enriched = set(enriched_expressions(True, True)) | PIPELINE_FIELDS
    for name, value in staged.items():
        if name not in values and name not in enriched and value is not None:
            values[name] = str(value)
    return {name: value for name, value in values.items() if value and FIELD_TYPES.get(name) == "VARCHAR"}


def _normalise_sql(
    con: duckdb.DuckDBPyConnection,
    import_id: str,
    options: ImportOptions,
    constituency: pa.Table | None,
    mmdb: bool,
    observed_at: str | None,
) -> str:
    """The SELECT that turns a chunk's staged rows (``{relation}``) into events: every schema field,
    ``keyed`` and ``_problem``."""
    lengths = prepare(con, constituency)
    expressions = enriched_expressions(bool(lengths), mmdb)
    expressions.update(
        {
            "time.observation": f"TIMESTAMPTZ '{observed_at}'" if observed_at else "current_timestamp",
            "import_id": _literal(import_id),
            "tlp": f"coalesce(s.tlp, {_literal(options.tlp)})",
            "feed.provider": f'coalesce(s."feed.provider", {_literal(options.feed_provider)})',
            "severity": "coalesce(s.severity, 'unknown')",
            "time.precision": "coalesce(s.\"time.precision\", 'second')",
            "event_id": ("md5(coalesce(s.event_key, coalesce(s.\"feed.name\", '') || chr(31) || coalesce(s.raw, '')))"),
        }
    )
    columns = ", ".join(
        f"CAST({expressions.get(f.name, 's.' + quoted(f.name))} AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS
    )
    if lengths:
        source = '(SELECT *, cp_ip_number("source.ip") AS _number FROM ({relation})) s'
        joins = constituency_joins(lengths, "s._number")
    else:
        source = "({relation}) s"
        joins = ""
    return f"SELECT {columns}, s.event_key IS NOT NULL AS keyed, s._problem FROM {source} {joins}"


def _first_line(exc: Exception) -> str:
    text = without_paths(str(exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _literal(value: str | None) -> str:
    """A SQL string literal (views cannot take parameters)."""
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def copy_upload(stream: BinaryIO, target: Path, max_bytes: int) -> int:
    """Copy an uploaded stream to ``target``, refusing it past ``max_bytes``."""
    written = 0
    with target.open("wb") as out:
        while chunk := stream.read(COPY_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise SourceError(f"the upload is larger than the limit of {max_bytes:,} bytes")
            out.write(chunk)
    return written


__all__ = ["IngestLimits", "copy_upload", "ingest", "unpacked"]
