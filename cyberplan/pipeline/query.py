"""Reading events back: filters shared by the event browser, the API and the export command.

The browser and the API read through one DuckDB connection per process (:func:`reader`), a cursor
per request, and one list of each store's committed files, read again only when an import commits
(its commit marker is the store's version). Counts are computed once per filter and version.
An address or network filter reads the stores' address indexes (see ``pipeline.store``) instead of
every event's address; pages deeper than the first can be reached by a cursor (keyset paging).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .schema import FIELD_NAMES, FIELDS, quoted
from .store import EventStore, address_key, ipv6_hex

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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
    ip: str | None = None  # an address, or a network in CIDR notation
    tlp_in: tuple[str, ...] | None = None  # None: no TLP restriction; (): nothing
    import_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def network(self) -> Network:
        """The address filter as a network (an address is a network of one); ValueError if it is neither."""
        return parse_network(self.ip or "")

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
            ("import_id", self.import_id),
        ):
            if value:
                clauses.append(f"{quoted(column)} = ?")
                params.append(value)
        if self.ip:
            clause, values = address_clause(self.network())
            clauses.append(clause)
            params.extend(values)
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


def parse_network(text: str) -> Network:
    """An address (``192.0.2.1``, ``2001:db8::1``) or a network (``192.0.2.0/24``, ``2001:db8::/32``);
    host bits of a network are ignored. ValueError for anything else."""
    value = text.strip()
    try:
        if not value or len(value) > 50:
            raise ValueError(value)
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not an address or a network") from None


def address_clause(network: Network) -> tuple[str, list[Any]]:
    """SQL over ``"source.ip"``: the address is in ``network`` (a plain scan, exact for both families)."""
    column = '"source.ip"'
    if network.num_addresses == 1:
        return f"{column} = ?", [network.network_address.compressed]
    if network.version == 4:
        return (
            f"(NOT contains({column}, ':') AND ({address_key(column)}) BETWEEN ? AND ?)",
            [int(network.network_address), int(network.broadcast_address)],
        )
    return (
        f"(contains({column}, ':') AND {ipv6_hex(column)} BETWEEN ? AND ?)",
        [f"{int(network.network_address):032x}", f"{int(network.broadcast_address):032x}"],
    )


# -- the process's reader ---------------------------------------------------------------------------

COUNT_CACHE = 256  # filters whose count each store version remembers
FIRST_READ = 4096  # a page reads first the newest row groups holding at least this many events
INDEX_CANDIDATES = 200_000  # beyond this many index hits, a page reads the event files instead
COUNT_BY_ROWS = 5_000  # up to this many index hits, a count with other filters reads just those rows
_CURSOR = re.compile(r"^(-?[0-9]{1,20})\.([0-9A-Za-z:._-]{1,200})$")


@dataclass
class _Snapshot:
    """One store's committed files at one version (the set of committed imports)."""

    version: tuple[str, ...]
    files: list[Path]
    indexes: dict[str, Path]  # index file -> its event file, when every event file has one
    counts: dict[tuple[Any, ...], int] = field(default_factory=dict)
    # Read from the files' footers on first use: whether every file has every schema field, and each
    # row group's newest and oldest time.source and its rows, newest first.
    uniform: bool | None = None
    groups: list[tuple[dt.datetime, dt.datetime, int]] | None = None

    def describe(self, cursor: duckdb.DuckDBPyConnection) -> None:
        if self.groups is not None or not self.files:
            self.uniform, self.groups = True, self.groups or []
            return
        listing = _listing(self.files)
        fields = cursor.execute(
            f"SELECT file_name, count(DISTINCT name) FROM parquet_schema({listing}) "
            "WHERE name IN (SELECT unnest(?)) GROUP BY file_name",
            [list(FIELD_NAMES)],
        ).fetchall()
        self.uniform = len(fields) == len(self.files) and all(int(n) == len(FIELD_NAMES) for _f, n in fields)
        self.groups = [
            (high, low, int(rows))
            for high, low, rows in cursor.execute(
                f"SELECT TRY_CAST(stats_max AS TIMESTAMPTZ) AS high, TRY_CAST(stats_min AS TIMESTAMPTZ), "
                f"row_group_num_rows FROM parquet_metadata({listing}) WHERE path_in_schema = 'time.source' "
                "ORDER BY high DESC NULLS FIRST"
            ).fetchall()
        ]

    def relation(self) -> str:
        """SQL: every committed event, with every schema field (NULL where a file predates it)."""
        columns = ", ".join(f"CAST(NULL AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS)
        if not self.files:
            return f"(SELECT {columns} WHERE false)"
        if self.uniform:
            # Every file has every field: read them as they are (quicker than the union by name).
            return f"read_parquet({_listing(self.files)}, hive_partitioning = false)"
        return (
            f"(SELECT * EXCLUDE (month) FROM read_parquet({_listing(self.files)}, hive_partitioning = true, "
            f"union_by_name = true) UNION ALL BY NAME SELECT {columns} WHERE false)"
        )

    def thresholds(
        self, wanted: int, after: dt.datetime | None, until: dt.datetime | None = None
    ) -> Iterator[dt.datetime | None]:
        """Times T from the newest down such that the row groups holding events at T or later (by their
        statistics) hold some multiple of ``wanted`` events, growing; then None (everything). A page
        read with ``"time.source" >= T`` that finds ``wanted`` events is the page: every event before
        T comes after them, and the condition lets DuckDB skip the older row groups."""
        need = max(wanted * 4, FIRST_READ)
        covered = 0
        for high, low, rows in self.groups or []:
            if high is None or low is None:
                break  # a row group without statistics: no bound is safe beyond this point
            if (after is not None and low > after) or (until is not None and low >= until):
                continue  # wholly after the position or the period: none of its events is on this page
            covered += rows
            if covered >= need:
                yield high
                need *= 8
        yield None


class EventReader:
    """The process's DuckDB connection (a cursor per request, so threads do not share one) and the
    file list of each store it has read, kept until the store's version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._snapshots: dict[Path, _Snapshot] = {}

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                con = duckdb.connect()
                con.execute("SET TimeZone = 'UTC'")
                con.execute("SET enable_progress_bar = false")
                con.execute("SET parquet_metadata_cache = true")  # footers are read once per file
                self._con = con
            cursor = self._con.cursor()
        cursor.execute("SET TimeZone = 'UTC'")
        return cursor

    def snapshot(self, store: EventStore) -> _Snapshot:
        """The store's committed files, read again when an import has committed (or been removed), and
        its address indexes, looked for again until every file has one (``cyberplan events reindex``)."""
        version = _version(store)
        with self._lock:
            cached = self._snapshots.get(store.root)
        if cached is not None and cached.version == version and (cached.indexes or not cached.files):
            return cached
        files = cached.files if cached is not None and cached.version == version else store.files()
        indexes = {store.index_file(path): path for path in files}
        fresh = _Snapshot(
            version=version,
            files=files,
            indexes={str(k): v for k, v in indexes.items()} if all(i.exists() for i in indexes) else {},
        )
        if cached is not None and cached.version == version:
            fresh.counts = cached.counts
        with self._lock:
            self._snapshots[store.root] = fresh
        return fresh

    def forget(self) -> None:
        """Drop every file list and the connection (tests; a process that changed its data directory)."""
        with self._lock:
            self._snapshots.clear()
            if self._con is not None:
                self._con.close()
            self._con = None


_READER = EventReader()


def _version(store: EventStore) -> tuple[str, ...]:
    """The store's committed imports, each with its marker's time: changes when an import commits or
    goes, and when a store is made again at the same place."""
    marks = []
    for path in store.commits_dir.glob("*.json"):
        try:
            marks.append(f"{path.stem}@{path.stat().st_mtime_ns}")
        except FileNotFoundError:
            continue
    return tuple(sorted(marks))


def reader() -> EventReader:
    return _READER


def encode_cursor(row: dict[str, Any]) -> str:
    """The position after ``row`` in the browser's order (newest first, then by event id)."""
    moment: dt.datetime = row["time.source"]
    stamp = (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    return f"{stamp}.{row['event_id']}"


def decode_cursor(text: str) -> tuple[dt.datetime, str]:
    """The position :func:`encode_cursor` wrote; ValueError for anything else."""
    match = _CURSOR.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a position in the event list")
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(match.group(1)))
    return moment, match.group(2)


def _after_clause(after: tuple[dt.datetime, str] | None) -> tuple[str, list[Any]]:
    if after is None:
        return "true", []
    moment, event_id = after
    # The redundant first bound is what DuckDB pushes down to the files' statistics.
    return (
        '"time.source" <= ? AND ("time.source" < ? OR ("time.source" = ? AND event_id > ?))',
        [moment, moment, moment, event_id],
    )


ORDER = 'ORDER BY "time.source" DESC, event_id'


def page(
    store: EventStore,
    flt: EventFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    columns: Iterable[str] = FIELD_NAMES,
    after: tuple[dt.datetime, str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, and the number of events that match (exact; computed once per
    filter and store version). ``after`` starts the page after a position (:func:`encode_cursor`)
    instead of ``offset`` rows in."""
    snap = reader().snapshot(store)
    selected = [*dict.fromkeys([*columns, "time.source", "event_id"])]
    cursor = reader().cursor()
    try:
        if flt.ip and snap.indexes:
            try:
                found = _indexed_page(cursor, snap, flt, limit, offset, selected, after)
            except duckdb.IOException:
                # An index file went away (removed by hand): scan, and look for the indexes again next time.
                snap.indexes = {}
                found = None
            if found is not None:
                return _trim(found[0], columns), found[1]
        if snap.groups is None:
            snap.describe(cursor)
        where, params = flt.where()
        total = _count(cursor, snap, flt)
        after_sql, after_params = _after_clause(after)
        rows: list[dict[str, Any]] = []
        for bound in snap.thresholds(offset + limit, after[0] if after else None, flt.until):
            since, since_params = ('"time.source" >= ?', [bound]) if bound is not None else ("true", [])
            result = cursor.execute(
                f"SELECT {', '.join(quoted(c) for c in selected)} FROM {snap.relation()} "
                f"WHERE {where} AND {after_sql} AND {since} {ORDER} LIMIT ? OFFSET ?",
                [*params, *after_params, *since_params, int(limit), int(offset)],
            )
            rows = _dicts(result)
            if len(rows) == limit or bound is None:
                break
        return _trim(rows, columns), total
    finally:
        cursor.close()


def _trim(rows: list[dict[str, Any]], columns: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(columns)
    return [{c: row[c] for c in wanted} for row in rows]


def _dicts(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _count(cursor: duckdb.DuckDBPyConnection, snap: _Snapshot, flt: EventFilter) -> int:
    key = ("scan", *sorted((k, repr(v)) for k, v in flt.__dict__.items()))
    if key in snap.counts:
        return snap.counts[key]
    where, params = flt.where()
    row = cursor.execute(f"SELECT count(*) FROM {snap.relation()} WHERE {where}", params).fetchone()
    return _remember(snap, key, int(row[0]) if row else 0)


def _remember(snap: _Snapshot, key: tuple[Any, ...], value: int) -> int:
    if len(snap.counts) >= COUNT_CACHE:
        snap.counts.clear()
    snap.counts[key] = value
    return value


def _indexed_page(
    cursor: duckdb.DuckDBPyConnection,
    snap: _Snapshot,
    flt: EventFilter,
    limit: int,
    offset: int,
    selected: list[str],
    after: tuple[dt.datetime, str] | None,
) -> tuple[list[dict[str, Any]], int] | None:
    """A page for an address or network filter read through the address indexes: the index rows in the
    network's number range (and within the dates and labels), newest first, then only those rows of
    the event files, filtered again in full. None when the network matches too many events for that
    to pay (the caller scans instead).

    Long: over 80 lines because the index query, its bound on candidates and the read-back of the
    matching rows share one set of bind parameters and one cursor; split, each part would rebuild them."""
    network = flt.network()
    v6 = network.version == 6
    shift = 64 if v6 else 0
    low, high = int(network.network_address) >> shift, int(network.broadcast_address) >> shift
    clauses = ["k BETWEEN ? AND ?", "v6 = ?"]
    params: list[Any] = [low, high, v6]
    if flt.tlp_in is not None:
        clauses.append("tlp IN (" + ", ".join("?" for _ in flt.tlp_in) + ")" if flt.tlp_in else "false")
        params.extend(flt.tlp_in)
    if flt.since is not None:
        clauses.append("t >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("t < ?")
        params.append(flt.until)
    index = f"read_parquet({_listing([Path(p) for p in snap.indexes])}, filename = true)"
    where_index = " AND ".join(clauses)
    # Every index condition is exact unless the network is an IPv6 one longer than /64 (the index
    # holds an IPv6 address's first 64 bits): then the event files' rows decide.
    others = EventFilter(
        ip=flt.ip,
        taxonomy=flt.taxonomy,
        type=flt.type,
        sector=flt.sector,
        country=flt.country,
        victim_country=flt.victim_country,
        asn=flt.asn,
        feed=flt.feed,
        import_id=flt.import_id,
    )
    index_exact = (not v6 or network.prefixlen <= 64) and others == EventFilter(ip=flt.ip)
    key = ("index", *sorted((k, repr(v)) for k, v in flt.__dict__.items()))
    hits_row = cursor.execute(f"SELECT count(*) FROM {index} WHERE {where_index}", params).fetchone()
    hits = int(hits_row[0]) if hits_row else 0
    where, where_params = flt.where()
    after_sql, after_params = _after_clause(after)
    if after is not None:
        where_index += " AND t <= ?"
        params.append(after[0])
    wanted = offset + limit
    # Only the newest candidates are read from the event files (their row groups are decoded whole).
    batch = wanted if index_exact else max(wanted * 4, 500)
    while True:
        edge = cursor.execute(
            f"SELECT t FROM {index} WHERE {where_index} ORDER BY t DESC LIMIT 1 OFFSET ?", [*params, batch - 1]
        ).fetchone()
        # The candidates: every index row from the batch-th newest on (ties included), or all of them.
        bound, bound_params = ("t >= ?", [edge[0]]) if edge else ("true", [])
        candidates = cursor.execute(
            f"SELECT filename, list(row ORDER BY row) FROM {index} WHERE {where_index} AND {bound} GROUP BY filename",
            [*params, *bound_params],
        ).fetchall()
        rows = _fetch(
            cursor, snap, candidates, selected, f"{where} AND {after_sql}", [*where_params, *after_params], wanted
        )
        if len(rows) >= wanted or edge is None:
            break
        if batch >= INDEX_CANDIDATES:
            return None  # the other filters keep too few of the network's events: a scan is quicker
        batch *= 4
    if key in snap.counts:
        total = snap.counts[key]
    elif index_exact:
        total = _remember(snap, key, hits)
    elif hits > COUNT_BY_ROWS:  # many candidates: one scan of the filter columns is quicker
        total = _count(cursor, snap, flt)
    else:
        every = cursor.execute(
            f"SELECT filename, list(row ORDER BY row) FROM {index} WHERE {' AND '.join(clauses)} GROUP BY filename",
            params[: len(params) - (1 if after is not None else 0)],
        ).fetchall()
        total = _remember(snap, key, _fetch_count(cursor, snap, every, where, where_params))
    return rows[offset:wanted], total


def _candidate_relation(snap: _Snapshot, candidates: list[tuple[str, list[int]]]) -> str:
    columns = ", ".join(f"CAST(NULL AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS)
    parts = [
        f"SELECT * FROM read_parquet('{_sql_path(snap.indexes[index_file])}', file_row_number = true, "
        f"hive_partitioning = false) WHERE file_row_number BETWEEN {int(min(rows))} AND {int(max(rows))} "
        f"AND file_row_number IN ({', '.join(str(int(r)) for r in rows)})"
        for index_file, rows in candidates
    ]
    return "(" + " UNION ALL BY NAME ".join([*parts, f"SELECT {columns} WHERE false"]) + ")"


def _fetch(
    cursor: duckdb.DuckDBPyConnection,
    snap: _Snapshot,
    candidates: list[tuple[str, list[int]]],
    selected: list[str],
    where: str,
    params: list[Any],
    limit: int,
) -> list[dict[str, Any]]:
    if not candidates:
        return []
    result = cursor.execute(
        f"SELECT {', '.join(quoted(c) for c in selected)} FROM {_candidate_relation(snap, candidates)} "
        f"WHERE {where} {ORDER} LIMIT ?",
        [*params, int(limit)],
    )
    return _dicts(result)


def _fetch_count(
    cursor: duckdb.DuckDBPyConnection,
    snap: _Snapshot,
    candidates: list[tuple[str, list[int]]],
    where: str,
    params: list[Any],
) -> int:
    if not candidates:
        return 0
    row = cursor.execute(
        f"SELECT count(*) FROM {_candidate_relation(snap, candidates)} WHERE {where}", params
    ).fetchone()
    return int(row[0]) if row else 0


def _listing(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + _sql_path(p) + "'" for p in paths) + "]"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def connect(store: EventStore) -> duckdb.DuckDBPyConnection:
    """A connection of its own with the view ``events`` over the store (commands that run once)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    store.register(con)
    return con


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
