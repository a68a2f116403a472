"""Reading events back: filters shared by the event browser, the API and the export command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .schema import FIELD_NAMES, quoted
from .store import EventStore


def utc_day(value: dt.date | None) -> dt.datetime | None:
    """Midnight UTC at the start of a day, the bound the date filters use."""
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC) if value else None


@dataclass(frozen=True)
class EventFilter:
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    taxonomy: str | None = None
    type: str | None = None
    sector: str | None = None
    country: str | None = None  # the source address's country (source.geolocation.cc)
    victim_country: str | None = None  # the affected party's country (victim.country)
    asn: int | None = None
    feed: str | None = None
    ip: str | None = None
    tlp_in: tuple[str, ...] | None = None  # None: no TLP restriction; (): nothing
    import_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            clauses.append('"time.source" >= ?')
            params.append(self.since)
        if self.until is not None:
            clauses.append('"time.source" < ?')
            params.append(self.until)
        for column, value in (
            ("classification.taxonomy", self.taxonomy),
            ("classification.type", self.type),
            ("feed.name", self.feed),
            ("source.ip", self.ip),
            ("import_id", self.import_id),
        ):
            if value:
                clauses.append(f"{quoted(column)} = ?")
                params.append(value)
        if self.sector:
            if self.sector == "unknown":
                clauses.append('"victim.sector" IS NULL')
            else:
                clauses.append('"victim.sector" = ?')
                params.append(self.sector)
        for column, country in (("source.geolocation.cc", self.country), ("victim.country", self.victim_country)):
            if not country:
                continue
            if country == "unknown":
                clauses.append(f"{quoted(column)} IS NULL")
            else:
                clauses.append(f"{quoted(column)} = ?")
                params.append(country.upper())
        if self.asn is not None:
            clauses.append('"source.asn" = ?')
            params.append(self.asn)
        if self.tlp_in is not None:
            if not self.tlp_in:
                clauses.append("false")
            else:
                clauses.append("tlp IN (" + ", ".join("?" for _ in self.tlp_in) + ")")
                params.extend(self.tlp_in)
        return (" AND ".join(clauses) or "true"), params


def connect(store: EventStore) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    store.register(con)
    return con


def page(
    store: EventStore, flt: EventFilter, *, limit: int = 50, offset: int = 0, columns: Iterable[str] = FIELD_NAMES
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, and the number of events that match."""
    where, params = flt.where()
    selected = ", ".join(quoted(c) for c in columns)
    con = connect(store)
    try:
        total_row = con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()
        cursor = con.execute(
            f'SELECT {selected} FROM events WHERE {where} ORDER BY "time.source" DESC, event_id LIMIT ? OFFSET ?',
            [*params, int(limit), int(offset)],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    return rows, int(total_row[0]) if total_row else 0


def export(store: EventStore, flt: EventFilter, output: Path, fmt: str) -> int:
    """Write matching events with the schema's dotted field names as JSON Lines, CSV or Parquet."""
    where, params = flt.where()
    con = connect(store)
    target = str(output).replace("'", "''")
    columns = ", ".join(quoted(c) for c in FIELD_NAMES)
    try:
        count_row = con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()
        if fmt == "parquet":
            con.execute(
                f"COPY (SELECT {columns} FROM events WHERE {where} ORDER BY \"time.source\") TO '{target}' "
                "(FORMAT parquet, COMPRESSION zstd)",
                params,
            )
        elif fmt == "jsonl":
            con.execute(
                f"COPY (SELECT {columns} FROM events WHERE {where} ORDER BY \"time.source\") TO '{target}' "
                "(FORMAT json, DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%SZ')",
                params,
            )
        elif fmt == "csv":
            # Text cells that a spreadsheet would run as formulas get a leading apostrophe.
            safe = ", ".join(
                f"CASE WHEN regexp_matches(CAST({quoted(c)} AS VARCHAR), '^[=+\\-@\\t\\r]') "
                f"THEN '''' || CAST({quoted(c)} AS VARCHAR) ELSE CAST({quoted(c)} AS VARCHAR) END AS {quoted(c)}"
                if c not in {"time.source", "time.observation"}
                else f"strftime({quoted(c)}, '%Y-%m-%dT%H:%M:%SZ') AS {quoted(c)}"
                for c in FIELD_NAMES
            )
            con.execute(
                f"COPY (SELECT {safe} FROM events WHERE {where} ORDER BY \"time.source\") TO '{target}' "
                "(FORMAT csv, HEADER true)",
                params,
            )
        else:
            raise ValueError(f"unknown export format {fmt!r}")
    finally:
        con.close()
    return int(count_row[0]) if count_row else 0
