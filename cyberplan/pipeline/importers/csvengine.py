"""Turning a CSV file into events with a declarative column mapping, entirely inside DuckDB.

Shared by the Shadowserver importer (a mapping per report type) and the generic CSV importer
(a mapping saved by a user). A mapping says, for each column, which event field it fills and
with which conversion; constants fill fields for every row; every column the mapping does not
name goes to ``extra``; the whole row goes to ``raw`` as JSON.

Lines DuckDB cannot parse (wrong number of fields, invalid UTF-8, ...) and values a conversion
refuses (a timestamp that is not one, an address that is not an IP address, a port that is not
a number) become rejects with the line, the column and the reason.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import duckdb
from duckdb.func import FunctionNullHandling

from ..enrich import IPV4_RE, install_functions
from ..schema import FIELD_TYPES, quoted
from .base import REJECT_COLUMNS, Chunk, SourceError, create_tables, staged_columns, without_paths

# Conversions a mapping may name: SQL producing the value from column c, and the test that
# tells a present-but-invalid value (which rejects the row).
TIMESTAMP_FORMATS = (
    "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d']"
)
TIMESTAMPTZ_FORMATS = (
    "['%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%d %H:%M:%S.%f%z']"
)


@dataclass(frozen=True)
class Conversion:
    value: str  # SQL using {c} for the trimmed, non-empty column value
    valid: str | None = None  # SQL that is true when a non-empty value converted correctly
    reason: str = ""


# A column value without the white space around it (space, tab, line breaks), as IntelMQ strips it.
_STRIPPED = "trim({c}, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13))"

CONVERSIONS: dict[str, Conversion] = {
    "text": Conversion("{c}"),
    "lower": Conversion("lower({c})"),
    "upper": Conversion("upper({c})"),
    # Naive timestamps are UTC (Shadowserver's convention); explicit offsets are honoured.
    # The common case (Shadowserver's "2026-11-28 01:02:03") is tried first; coalesce only tries the
    # slower forms on the rows the first one could not read.
    "timestamp": Conversion(
        "coalesce(timezone('UTC', try_strptime({c}, '%Y-%m-%d %H:%M:%S')), "
        "try_strptime(regexp_replace({c}, '(Z| UTC)$', '+0000'), "
        + TIMESTAMPTZ_FORMATS
        + "), timezone('UTC', try_strptime({c}, "
        + TIMESTAMP_FORMATS
        + ")))",
        "{v} IS NOT NULL",
        "not a timestamp",
    ),
    "int": Conversion("TRY_CAST({c} AS BIGINT)", "{v} IS NOT NULL", "not a whole number"),
    "port": Conversion(
        "TRY_CAST({c} AS INTEGER)", "{v} IS NOT NULL AND {v} BETWEEN 0 AND 65535", "not a port number (0-65535)"
    ),
    "float": Conversion("TRY_CAST({c} AS DOUBLE)", "{v} IS NOT NULL", "not a number"),
    "asn": Conversion(
        "TRY_CAST(regexp_replace({c}, '^(?i:AS)', '') AS BIGINT)",
        "{v} IS NOT NULL AND {v} BETWEEN 0 AND 4294967295",
        "not an AS number",
    ),
    # A CASE, not OR/AND: DuckDB evaluates every operand of OR and AND in a projection, and the IPv6
    # check is a Python function, which must only see the few values that contain a colon.
    "ip": Conversion(
        "CASE WHEN contains({c}, ':') THEN lower({c}) ELSE {c} END",
        "CASE WHEN regexp_full_match({v}, '"
        + IPV4_RE.replace("{", "{{").replace("}", "}}")
        + "') THEN true WHEN contains({v}, ':') THEN cp_ipv6_number({v}) IS NOT NULL ELSE false END",
        "not an IP address",
    ),
    "country": Conversion("upper({c})", "regexp_full_match({v}, '[A-Z]{{2}}')", "not a two-letter country code"),
    "url": Conversion("{c}"),
    "fqdn": Conversion("lower(rtrim({c}, '.'))"),
    # A malware family taken from a report's infection/family/tag column: lower case, without
    # surrounding white space (tabs and line breaks too); the placeholders '0', 'unknown', '-' and
    # 'N/A' name no family, so the field stays empty (as IntelMQ reads them).
    "family": Conversion(
        "CASE WHEN "
        + _STRIPPED
        + " IN ('0', 'unknown', '-', 'N/A') THEN NULL ELSE nullif(lower("
        + _STRIPPED
        + "), '') END"
    ),
    # An identifier taken from a column (the attacked service of a brute-force report): lower case,
    # without surrounding white space.
    "identifier": Conversion(
        "CASE WHEN " + _STRIPPED + " IN ('-', 'N/A') THEN NULL ELSE nullif(lower(" + _STRIPPED + "), '') END"
    ),
    # Shadowserver's severity words; "info" is the lowest level of the event schema. A word outside
    # the list is not a reason to lose the record: the event's severity is then unknown (raw keeps it).
    "severity": Conversion(
        "CASE lower({c}) WHEN 'critical' THEN 'critical' WHEN 'high' THEN 'high' WHEN 'medium' THEN 'medium' "
        "WHEN 'low' THEN 'low' WHEN 'info' THEN 'low' ELSE 'unknown' END"
    ),
}

# An address column that may hold a network instead (``198.51.100.0/24`` in a blocklist): the
# network goes to the field named here, the address field stays empty in that row.
NETWORK_FIELDS = {"source.ip": "source.network"}
NETWORK_VALUE = "CASE WHEN contains({c}, '/') THEN cp_network({c}) END"


@dataclass(frozen=True)
class ColumnRule:
    field: str
    convert: str = "text"
    # Further fields the same column fills, each with its own conversion (field -> conversion), for
    # a column that means two things, such as a sinkhole's infection: the family and the identifier.
    also: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_spec(cls, spec: Mapping[str, object]) -> ColumnRule:
        """A rule from its YAML/JSON form: ``{field, convert, also: {field: conversion}}``."""
        unknown = set(spec) - {"field", "convert", "also"}
        if unknown or "field" not in spec:
            raise ValueError(f"a column rule has a field, a conversion and 'also', not {sorted(spec)}")
        also = spec.get("also") or {}
        if not isinstance(also, Mapping):
            raise ValueError(f"'also' of a column rule must map fields to conversions, not {also!r}")
        return cls(
            field=str(spec["field"]),
            convert=str(spec.get("convert", "text")),
            also=tuple((str(name), str(conversion)) for name, conversion in also.items()),
        )

    def targets(self) -> tuple[tuple[str, str], ...]:
        """Every (field, conversion) the column fills, its own field first."""
        return ((self.field, self.convert), *self.also)


@dataclass(frozen=True)
class CsvMapping:
    columns: Mapping[str, ColumnRule]
    constants: Mapping[str, str | float | int] = field(default_factory=dict)
    required: tuple[str, ...] = ("time.source",)
    delimiter: str = ","
    # A row with fewer fields than the header (its last, empty columns left out) reads as empty
    # fields, as IntelMQ reads Shadowserver's reports; when false it is rejected.
    short_rows: bool = False
    # The ``ip`` conversion of a field in NETWORK_FIELDS accepts a network (CIDR) as well.
    networks: bool = False

    def __post_init__(self) -> None:
        for column, rule in self.columns.items():
            for target, convert in rule.targets():
                if target not in FIELD_TYPES:
                    raise ValueError(f"column {column!r} maps to unknown field {target!r}")
                if convert not in CONVERSIONS:
                    raise ValueError(f"column {column!r} has unknown conversion {convert!r}")
            for target, convert in rule.also:
                if CONVERSIONS[convert].valid is not None:
                    # Only the column's own field is checked; a second field must not reject rows.
                    raise ValueError(f"column {column!r}: {target!r} needs a conversion that cannot fail")
        for name in self.constants:
            if name not in FIELD_TYPES:
                raise ValueError(f"constant for unknown field {name!r}")


def _literal(value: str | float | int) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


DEFAULT_CHUNK_BYTES = 128 * 1024 * 1024  # CSV read per chunk: about a million Shadowserver rows
SPLIT_BLOCK = 16 * 1024 * 1024


def split_csv(path: Path, work_dir: Path, chunk_bytes: int) -> Iterator[Path]:
    """Cut a CSV file into pieces of about ``chunk_bytes``, each with the header, at line ends outside
    quoted fields (a quote character toggles; a doubled quote inside a field toggles twice).

    A file no larger than ``chunk_bytes`` is not copied. Each piece is yielded once written and
    removed when the caller asks for the next one.
    """
    if path.stat().st_size <= chunk_bytes:
        yield path
        return
    chunk_bytes = max(chunk_bytes, 1)
    with path.open("rb") as source:
        header = _header(source)
        number = 0
        pending = b""  # read but not yet written
        done = False
        while not done:
            number += 1
            target = work_dir / f"chunk-{number}.csv"
            written = 0
            quotes = 0  # quote characters written in this piece's body
            with target.open("wb") as out:
                out.write(header)
                while True:
                    block = pending or source.read(SPLIT_BLOCK)
                    pending = b""
                    if not block:
                        done = True
                        break
                    cut = _cut(block, chunk_bytes - written, quotes)
                    if cut is None:
                        out.write(block)
                        written += len(block)
                        quotes += block.count(b'"')
                        continue
                    out.write(block[:cut])
                    pending = block[cut:]
                    break
            if not pending:
                pending = source.read(SPLIT_BLOCK)
                done = not pending
            yield target
            target.unlink(missing_ok=True)


def _header(source: BinaryIO) -> bytes:
    """The header line (through its line end), read from the start of ``source``."""
    header = b""
    while True:
        line = source.readline()
        header += line
        if not line or header.count(b'"') % 2 == 0:
            return header


def _cut(block: bytes, wanted: int, quotes: int) -> int | None:
    """Where to end the piece in ``block``: just after the first line end at or past ``wanted`` bytes
    that lies outside quotes, given ``quotes`` quote characters before the block; None: not in this block."""
    position = max(wanted, 1) - 1
    while True:
        position = block.find(b"\n", position)
        if position < 0:
            return None
        if (quotes + block.count(b'"', 0, position)) % 2 == 0:
            return position + 1
        position += 1


class CsvStage(Chunk):
    """One chunk of a CSV file: the SQL of its staged rows, and how to record its rejects.
    ``records_before`` is the number of records (parsed or not) in the file before the chunk; like
    DuckDB's own line numbers, rejects count records, so a quoted line break does not shift them."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        file_name: str,
        relation: str,
        records_before: int,
        constants: Mapping[str, str | float | int | None] | None = None,
    ) -> None:
        self.con = con
        self.file_name = file_name
        self.relation = relation
        self.records_before = records_before
        self.constants = dict(constants or {})
        self.read = 0

    streamable = True

    def streamed(self, rows: int, problems: int) -> bool:
        errors = self.con.execute("SELECT count(*) FROM _errors").fetchone()
        # The tables of unparsable lines start empty for the next read, of this chunk or the next.
        for name in ("_errors", "_scan"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        if problems or (errors and errors[0]):
            return False
        self.read = rows
        return True

    def finish(self, table: str) -> int:
        """Record the rejects of the chunk (rows of ``table``, the chunk's rows as staged, with a
        ``_problem``, and lines DuckDB could not parse) in ``rejects``; return the records read."""
        con = self.con
        # File line of a rejected row: its position, plus the header, plus the unparsable lines before it.
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _error_lines AS
            SELECT line - row_number() OVER (ORDER BY line) - 1 AS rows_before FROM (SELECT DISTINCT line FROM _errors)
            """
        )
        file_literal = _literal(self.file_name)
        offset = int(self.records_before)
        con.execute(
            f"""
            INSERT INTO rejects
            SELECT {file_literal}, {offset} + t.rowid + 2 + (SELECT count(*) FROM _error_lines e WHERE e.rows_before <= t.rowid),
                   split_part(t._problem, chr(31), 1), split_part(t._problem, chr(31), 2), t.raw
            FROM {table} t WHERE t._problem IS NOT NULL
            """
        )
        con.execute(
            f"""
            INSERT INTO rejects
            SELECT {file_literal}, {offset} + line, coalesce(first(column_name ORDER BY column_idx), ''),
                   first(error_type || ': ' || error_message ORDER BY column_idx), first(csv_line)
            FROM _errors GROUP BY line
            """
        )
        parsed = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        errors = con.execute("SELECT count(DISTINCT line) FROM _errors").fetchone()
        for name in ("_errors", "_scan", "_error_lines"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        self.read = int(parsed[0] if parsed else 0) + int(errors[0] if errors else 0)
        return self.read


def csv_chunks(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_name: str,
    mapping: CsvMapping,
    *,
    work_dir: Path | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> Iterator[CsvStage]:
    """The CSV at ``path`` chunk by chunk: for each, the SQL that reads, converts and checks its rows
    (every staged column and ``_problem``, NULL for a valid row) in one pass.

    The caller materialises the relation (any way it likes, as long as the table keeps the input's
    order in its ``rowid``) and then calls :meth:`CsvStage.finish` with that table. Raises
    :class:`SourceError` when the file is not a usable CSV for the mapping.
    """
    install_functions(con)
    install_network_function(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE rejects ({', '.join(f'{n} {t}' for n, t in REJECT_COLUMNS.items())})")
    header = _columns(con, path, file_name, mapping)
    if mapping.short_rows and not _ends_with_line_break(path):
        # A file cut short (a transfer that stopped) ends inside its last record, which must not be
        # read as a short row: such a file is read strictly, every incomplete row quarantined.
        mapping = replace(mapping, short_rows=False)
    pieces = iter([path]) if work_dir is None else split_csv(path, work_dir, chunk_bytes)
    select: str | None = None
    constants: dict[str, str | float | int | None] = {}
    records_before = 0
    for piece in pieces:
        reader = _reader(piece, mapping, header)
        if select is None:
            select, constants = _staged_select(header, file_name, mapping)
        stage = CsvStage(con, file_name, select.replace("{reader}", reader), records_before, constants)
        yield stage
        records_before += stage.read


def _ends_with_line_break(path: Path) -> bool:
    with path.open("rb") as source:
        size = source.seek(0, io.SEEK_END)
        if size == 0:
            return True
        source.seek(size - 1)
        return source.read(1) == b"\n"


def _reader(path: Path, mapping: CsvMapping, header: list[str]) -> str:
    """The reader of one piece, in the known dialect and with the header's columns, so that DuckDB's
    sniffer never sees the piece: a piece cut short (an open quote at the end of a truncated file)
    would make it give up on the whole piece, where the reader only rejects the broken line."""
    sql_path = str(path).replace("'", "''")
    delimiter = mapping.delimiter.replace("'", "''")
    columns = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header)
    # DuckDB's parallel reader cannot pad short rows when a quoted field holds a line break, so a
    # mapping that pads reads each piece in one thread (a piece is at most ``chunk_bytes``).
    padding = "null_padding = true, parallel = false" if mapping.short_rows else "null_padding = false, parallel = true"
    return (
        f"read_csv('{sql_path}', auto_detect = false, header = true, columns = {{{columns}}}, "
        f"delim = '{delimiter}', quote = '\"', escape = '\"', store_rejects = true, rejects_scan = '_scan', "
        f"rejects_table = '_errors', strict_mode = true, {padding})"
    )


def _columns(con: duckdb.DuckDBPyConnection, path: Path, file_name: str, mapping: CsvMapping) -> list[str]:
    """The column names of the CSV at ``path``, read from its header line in the known dialect (the
    mapping's delimiter, double quotes, a header row). DuckDB's dialect sniffer is never asked: it
    gives up on some valid files (a small file cut inside a quoted field, a report whose first rows
    look like another dialect), and one odd row must never cost the whole file."""
    return _header_columns(path, file_name, mapping.delimiter)


def _header_columns(path: Path, file_name: str, delimiter: str) -> list[str]:
    """The header line of the CSV at ``path`` as column names (an empty name becomes ``column<i>``, a
    repeated one gets ``_1``, ``_2``... as with DuckDB's sniffer)."""
    with path.open("rb") as source:
        line = _header(source)
    if not line.strip():
        raise SourceError(f"{file_name}: the file is empty; a CSV file starts with a header line")
    if line.count(b'"') % 2:
        raise SourceError(f"{file_name}: the header line (line 1) is cut short inside a quoted column name")
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{file_name}: the header line (line 1) is not UTF-8 text (byte {exc.start})") from None
    cells = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True), [])
    names: list[str] = []
    for index, cell in enumerate(cells):
        name = cell or f"column{index}"
        base, suffix = name, 0
        while name in names:
            suffix += 1
            name = f"{base}_{suffix}"
        names.append(name)
    return names


def _staged_select(
    columns: list[str], file_name: str, mapping: CsvMapping
) -> tuple[str, dict[str, str | float | int | None]]:
    """The SELECT (with ``{reader}`` standing for the CSV reader of a file with the header ``columns``)
    of every staged column and ``_problem``, and the staged fields that are the same on every row (the
    mapping's constants; None: always NULL)."""
    missing = [c for c in mapping.columns if c not in columns and mapping.columns[c].field in mapping.required]
    if missing:
        raise SourceError(
            f"{file_name}: the header lacks the column(s) {', '.join(missing)} that the mapping requires "
            f"(header: {', '.join(columns[:30])})"
        )

    converted, checks = _conversions(columns, mapping)
    constants = {name: _literal(value) for name, value in mapping.constants.items() if name not in converted}
    for required in mapping.required:
        if required not in converted and required not in constants:
            raise SourceError(f"{file_name}: no column fills the required field {required}")

    unmapped = [c for c in columns if c not in mapping.columns]
    if unmapped:
        # concat_ws skips NULLs, so empty cells leave no key behind.
        pairs = ", ".join(
            f"CASE WHEN nullif(trim({quoted(c)}), '') IS NOT NULL "
            f"THEN {_literal(_json_key(c))} || to_json(trim({quoted(c)})) END"
            for c in unmapped
        )
        extra = f"nullif('{{' || concat_ws(',', {pairs}) || '}}', '{{}}')"
    else:
        extra = "NULL"
    raw_json = "to_json(struct_pack(" + ", ".join(f"{quoted(c)} := {quoted(c)}" for c in columns) + "))"
    problems = [
        f"WHEN {condition} THEN {_literal(column)} || chr(31) || {_literal(reason)} || ': ' || {quoted(column)}"
        for column, condition, reason in checks
    ]
    problems += [
        f"WHEN {quoted('f:' + name)} IS NULL THEN {_literal(name)} || chr(31) || 'missing: the field is required'"
        for name in mapping.required
        if name in converted
    ]
    problem = ("CASE " + " ".join(problems) + " END") if problems else "NULL"
    conversions = ", ".join(f"{expr} AS {quoted('f:' + name)}" for name, expr in converted.items())
    values: dict[str, str] = {name: quoted("f:" + name) for name in converted}
    values.update(constants)
    values["extra"] = extra
    values["raw"] = raw_json
    select = [
        f"CAST({values.get(name, 'NULL')} AS {sql_type}) AS {quoted(name)}"
        for name, sql_type in staged_columns().items()
    ]
    select.append(f"{problem} AS _problem")
    fixed: dict[str, str | float | int | None] = {
        name: mapping.constants.get(name) for name in staged_columns() if name not in converted and name in FIELD_TYPES
    }
    fixed.pop("extra", None)
    fixed.pop("raw", None)
    # One pass over the file: converted fields, the problem if any, extra and raw.
    return f"SELECT {', '.join(select)} FROM (SELECT {conversions}, * FROM {{reader}})", fixed


def _conversions(columns: list[str], mapping: CsvMapping) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Each mapped column of the header converted once, into a column named after its field (field ->
    SQL over the raw row), and the checks on those converted columns: (column, invalid-condition, reason)."""
    converted: dict[str, str] = {}
    checks: list[tuple[str, str, str]] = []
    mapped = {rule.field for column, rule in mapping.columns.items() if column in columns}
    for column, rule in mapping.columns.items():
        if column not in columns or rule.field in converted:
            continue
        raw = f"nullif(trim({quoted(column)}), '')"
        conversion = CONVERSIONS[rule.convert]
        network = NETWORK_FIELDS.get(rule.field) if mapping.networks and rule.convert == "ip" else None
        if network is not None and network not in mapped:
            # An address or a network: each fills its own field, the other stays empty.
            address = quoted("f:" + rule.field)
            converted[rule.field] = f"CASE WHEN NOT contains({raw}, '/') THEN {conversion.value.format(c=raw)} END"
            converted[network] = NETWORK_VALUE.format(c=raw)
            valid = (
                f"CASE WHEN contains({raw}, '/') THEN true ELSE {(conversion.valid or 'true').format(v=address)} END"
            )
            checks.append((column, f"{raw} IS NOT NULL AND NOT coalesce({valid}, false)", conversion.reason))
            is_network = f"contains({raw}, '/') AND {quoted('f:' + network)} IS NULL"
            checks.append((column, f"{raw} IS NOT NULL AND {is_network}", "not a network (address/prefix length)"))
            continue
        converted[rule.field] = conversion.value.format(c=raw)
        if conversion.valid:
            valid = conversion.valid.format(v=quoted("f:" + rule.field))
            checks.append((column, f"{raw} IS NOT NULL AND NOT coalesce({valid}, false)", conversion.reason))
        for target, convert in rule.also:
            # A second field of the same column; a column that names the field itself comes first.
            if target not in converted and target not in mapped:
                converted[target] = CONVERSIONS[convert].value.format(c=raw)
    return converted, checks


def _network(value: str | None) -> str | None:
    """``value`` as a canonical network (``198.51.100.0/24``; host bits cleared), or None when it is not one."""
    if value is None:
        return None
    try:
        return str(ipaddress.ip_network(value.strip(), strict=False))
    except ValueError:
        return None


def install_network_function(con: duckdb.DuckDBPyConnection) -> None:
    """``cp_network(text)``: see :func:`_network` (registered once per connection)."""
    try:
        con.create_function("cp_network", _network, ["VARCHAR"], "VARCHAR", null_handling=FunctionNullHandling.SPECIAL)
    except duckdb.NotImplementedException as exc:  # DuckDB's way of saying it exists already
        if "already created" not in str(exc):
            raise


def stage_csv(con: duckdb.DuckDBPyConnection, path: str, file_name: str, mapping: CsvMapping) -> int:
    """Read the CSV at ``path`` into ``staged`` and ``rejects``; return the number of records read."""
    create_tables(con)
    read = 0
    for stage in csv_chunks(con, Path(path), file_name, mapping):
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _conv AS {stage.relation}")
        except duckdb.Error as exc:
            raise SourceError(f"{file_name}: not a readable CSV file: {_first_line(exc)}") from None
        read += stage.finish("_conv")
        con.execute("INSERT INTO staged BY NAME SELECT * EXCLUDE (_problem) FROM _conv WHERE _problem IS NULL")
        con.execute("DROP TABLE _conv")
    return read


def _json_key(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=False) + ":"


def _first_line(exc: Exception) -> str:
    text = without_paths(str(exc)).strip().splitlines()
    return text[0] if text else type(exc).__name__
