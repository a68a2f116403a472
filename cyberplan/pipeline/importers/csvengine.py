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
    "timestamp": Conversion(
        "coalesce(try_strptime(regexp_replace({c}, '(Z| UTC)$', '+0000'), "
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
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _raw AS
            SELECT row_number() OVER () AS _row, *
            FROM read_csv('{sql_path}', header = true, all_varchar = true, delim = '{delimiter}', quote = '"',
                          escape = '"', store_rejects = true, rejects_scan = '_scan', rejects_table = '_errors',
                          strict_mode = true, null_padding = false, sample_size = -1, parallel = true)
            """
        )
    except duckdb.Error as exc:
        raise SourceError(f"{file_name}: not a readable CSV file: {_first_line(exc)}") from None
    columns = [
        row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE _raw) WHERE column_name <> '_row'").fetchall()
    ]
    missing = [c for c in mapping.columns if c not in columns and mapping.columns[c].field in mapping.required]
    if missing:
        raise SourceError(
            f"{file_name}: the header lacks the column(s) {', '.join(missing)} that the mapping requires "
            f"(header: {', '.join(columns[:30])})"
        )

    values: dict[str, str] = {}
    checks: list[tuple[str, str, str]] = []  # (column, invalid-condition, reason)
    for column, rule in mapping.columns.items():
        if column not in columns:
            continue
        raw = f"nullif(trim({quoted(column)}), '')"
        conversion = CONVERSIONS[rule.convert]
        expression = conversion.value.format(c=raw)
        values.setdefault(rule.field, expression)
        if conversion.valid:
            valid = conversion.valid.format(v=f"({expression})")
            checks.append((column, f"{raw} IS NOT NULL AND NOT coalesce({valid}, false)", conversion.reason))
    for name, value in mapping.constants.items():
        values.setdefault(name, _literal(value))
    for required in mapping.required:
        if required not in values:
            raise SourceError(f"{file_name}: no column fills the required field {required}")

    unmapped = [c for c in columns if c not in mapping.columns]
    extra = (
        "to_json(map_from_entries(list_filter(["
        + ", ".join(f"{{'k': {_literal(c)}, 'v': nullif(trim({quoted(c)}), '')}}" for c in unmapped)
        + "], lambda x: x.v IS NOT NULL)))"
        if unmapped
        else "NULL"
    )
    values["extra"] = f"CASE WHEN {extra} = '{{}}' THEN NULL ELSE {extra} END" if unmapped else "NULL"
    values["raw"] = "to_json(struct_pack(" + ", ".join(f"{quoted(c)} := {quoted(c)}" for c in columns) + "))"

    # First failing check of each row names the column and the reason.
    if checks:
        reason_case = (
            "CASE "
            + " ".join(
                f"WHEN {condition} THEN {_literal(column)} || '\\x1f' || {_literal(reason)} || ': ' || {quoted(column)}"
                for column, condition, reason in checks
            )
            + " END"
        )
    else:
        reason_case = "NULL"
    required_case = " ".join(
        f"WHEN ({values[name]}) IS NULL THEN {_literal(name)} || '\\x1f' || 'missing: the field is required'"
        for name in mapping.required
    )
    # File line of each parsed row: its position, plus the header, plus the unparsable lines before it.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _error_lines AS
        SELECT line, line - row_number() OVER (ORDER BY line) - 1 AS rows_before
        FROM (SELECT DISTINCT line FROM _errors)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _checked AS
        SELECT r._row + 1 + coalesce(shift.n, 0) AS _line,
               coalesce({reason_case}, CASE {required_case} END) AS _problem, r.*
        FROM _raw r
        LEFT JOIN (
          SELECT r2._row, count(*) AS n FROM _raw r2 JOIN _error_lines e ON e.rows_before < r2._row GROUP BY r2._row
        ) shift ON shift._row = r._row
        """
    )
    select = ", ".join(
        f"CAST({values[name]} AS {FIELD_TYPES[name]}) AS {quoted(name)}" for name in values if name in FIELD_TYPES
    )
    con.execute(f"INSERT INTO staged BY NAME SELECT {select} FROM _checked WHERE _problem IS NULL")
    file_literal = _literal(file_name)
    con.execute(
        f"""
        INSERT INTO rejects
        SELECT {file_literal}, _line, split_part(_problem, '\\x1f', 1), split_part(_problem, '\\x1f', 2),
               {values["raw"]}
        FROM _checked WHERE _problem IS NOT NULL
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
    parsed = con.execute("SELECT count(*) FROM _raw").fetchone()
    errors = con.execute("SELECT count(DISTINCT line) FROM _errors").fetchone()
    for table in ("_raw", "_checked", "_errors", "_scan", "_error_lines"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return int(parsed[0] if parsed else 0) + int(errors[0] if errors else 0)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
