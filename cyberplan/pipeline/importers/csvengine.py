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

from collections.abc import Mapping
from dataclasses import dataclass, field

import duckdb

from ..enrich import IPV4_RE
from ..schema import FIELD_TYPES, quoted
from .base import SourceError, create_tables

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
    "ip": Conversion(
        "CASE WHEN contains({c}, ':') THEN lower({c}) ELSE {c} END",
        "(regexp_full_match({v}, '"
        + IPV4_RE.replace("{", "{{").replace("}", "}}")
        + "') OR (contains({v}, ':') AND cp_ipv6_number({v}) IS NOT NULL))",
        "not an IP address",
    ),
    "country": Conversion("upper({c})", "regexp_full_match({v}, '[A-Z]{{2}}')", "not a two-letter country code"),
    "url": Conversion("{c}"),
    "fqdn": Conversion("lower(rtrim({c}, '.'))"),
}


@dataclass(frozen=True)
class ColumnRule:
    field: str
    convert: str = "text"


@dataclass(frozen=True)
class CsvMapping:
    columns: Mapping[str, ColumnRule]
    constants: Mapping[str, str | float | int] = field(default_factory=dict)
    required: tuple[str, ...] = ("time.source",)
    delimiter: str = ","

    def __post_init__(self) -> None:
        for column, rule in self.columns.items():
            if rule.field not in FIELD_TYPES:
                raise ValueError(f"column {column!r} maps to unknown field {rule.field!r}")
            if rule.convert not in CONVERSIONS:
                raise ValueError(f"column {column!r} has unknown conversion {rule.convert!r}")
        for name in self.constants:
            if name not in FIELD_TYPES:
                raise ValueError(f"constant for unknown field {name!r}")


def _literal(value: str | float | int) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def stage_csv(con: duckdb.DuckDBPyConnection, path: str, file_name: str, mapping: CsvMapping) -> int:
    """Read the CSV at ``path`` into ``staged`` and ``rejects``; return the number of records read."""
    from ..enrich import install_functions

    install_functions(con)
    create_tables(con)
    sql_path = path.replace("'", "''")
    delimiter = mapping.delimiter.replace("'", "''")
    reader = (
        f"read_csv('{sql_path}', header = true, all_varchar = true, delim = '{delimiter}', quote = '\"', "
        "escape = '\"', store_rejects = true, rejects_scan = '_scan', rejects_table = '_errors', "
        "strict_mode = true, null_padding = false, parallel = true)"
    )
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    except duckdb.Error as exc:
        raise SourceError(f"{file_name}: not a readable CSV file: {_first_line(exc)}") from None
    missing = [c for c in mapping.columns if c not in columns and mapping.columns[c].field in mapping.required]
    if missing:
        raise SourceError(
            f"{file_name}: the header lacks the column(s) {', '.join(missing)} that the mapping requires "
            f"(header: {', '.join(columns[:30])})"
        )

    # Each mapped column is converted once, into a column named after its field; the checks read
    # those converted columns.
    converted: dict[str, str] = {}  # field -> SQL expression over the raw row
    checks: list[tuple[str, str, str]] = []  # (column, invalid-condition, reason)
    for column, rule in mapping.columns.items():
        if column not in columns or rule.field in converted:
            continue
        raw = f"nullif(trim({quoted(column)}), '')"
        conversion = CONVERSIONS[rule.convert]
        converted[rule.field] = conversion.value.format(c=raw)
        if conversion.valid:
            valid = conversion.valid.format(v=quoted("f:" + rule.field))
            checks.append((column, f"{raw} IS NOT NULL AND NOT coalesce({valid}, false)", conversion.reason))
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

    # One pass over the file: converted fields, the problem if any, extra and raw. Insertion order is
    # preserved, so a row's rowid in _conv is its position among the parsed rows.
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _conv AS
            SELECT {", ".join(quoted("f:" + n) for n in converted)}, {problem} AS _problem,
                   {extra} AS _extra, {raw_json} AS _raw
            FROM (SELECT {conversions}, * FROM {reader})
            """
        )
    except duckdb.Error as exc:
        raise SourceError(f"{file_name}: not a readable CSV file: {_first_line(exc)}") from None
    select = [f"CAST({quoted('f:' + name)} AS {FIELD_TYPES[name]}) AS {quoted(name)}" for name in converted]
    select += [f"CAST({value} AS {FIELD_TYPES[name]}) AS {quoted(name)}" for name, value in constants.items()]
    select += ["_extra AS extra", "_raw AS raw"]
    con.execute(f"INSERT INTO staged BY NAME SELECT {', '.join(select)} FROM _conv WHERE _problem IS NULL")

    # File line of a rejected row: its position, plus the header, plus the unparsable lines before it.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _error_lines AS
        SELECT line - row_number() OVER (ORDER BY line) - 1 AS rows_before FROM (SELECT DISTINCT line FROM _errors)
        """
    )
    file_literal = _literal(file_name)
    con.execute(
        f"""
        INSERT INTO rejects
        SELECT {file_literal}, rowid + 2 + (SELECT count(*) FROM _error_lines e WHERE e.rows_before < rowid + 1),
               split_part(_problem, chr(31), 1), split_part(_problem, chr(31), 2), _raw
        FROM _conv WHERE _problem IS NOT NULL
        """
    )
    con.execute(
        f"""
        INSERT INTO rejects
        SELECT {file_literal}, line, coalesce(first(column_name ORDER BY column_idx), ''),
               first(error_type || ': ' || error_message ORDER BY column_idx), first(csv_line)
        FROM _errors GROUP BY line
        """
    )
    parsed = con.execute("SELECT count(*) FROM _conv").fetchone()
    errors = con.execute("SELECT count(DISTINCT line) FROM _errors").fetchone()
    for table in ("_conv", "_errors", "_scan", "_error_lines"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return int(parsed[0] if parsed else 0) + int(errors[0] if errors else 0)


def _json_key(name: str) -> str:
    import json

    return json.dumps(name, ensure_ascii=False) + ":"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
