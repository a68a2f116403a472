"""The event browser as its user meets it: each page of ``/threats/events/`` (the Django view through
the test client), against the code path it replaced, in the same run.

Writes a store of N events (``CYBERPLAN_BENCH_BROWSER_EVENTS``, default 1,000,000) for one
organisation: imports of at most 2,000,000 events each, one file per import and month, in row groups
of 122,880 rows as the importer writes them, every address in 10.0.0.0/12 with a skew (a tenth of
the events come from a thousand addresses), each with the address index the importer now writes at
commit (its build time is printed, per event: the import's job builds it once the import has
committed, outside ``ingest()``, so the ingest rate is unchanged). Memory stays
bounded at any N: each import is one DuckDB statement over a range.

Then times, for a coordinator of the organisation: the first page, a deep page (reached by the Next
link's position and, in the baseline, by its page number), an address, a /24 and a /16 search, and
each other filter, the first time (when the page also counts) and again. The baseline is the code
path before: a new DuckDB connection and file listing for each page, a count for each page, OFFSET
for deep pages, and a scan of every address for an address search; it runs through the same view
(its page function swapped in). Every page's events are checked against a plain DuckDB query over
the raw files written independently here.
"""

# SQL here is built from the bench's own constants and file paths, never from outside input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import duckdb
from django.test import Client
from django.test.utils import setup_test_environment

import cyberplan.threats.views as views
from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Membership, Organisation, User
from cyberplan.pipeline.query import EventFilter, reader
from cyberplan.pipeline.schema import FIELD_NAMES, FIELDS, quoted
from cyberplan.pipeline.store import EventStore
from cyberplan.threats.store import event_store

EVENTS = int(os.environ.get("CYBERPLAN_BENCH_BROWSER_EVENTS", "1000000").replace("_", ""))
PER_IMPORT = 2_000_000
ROUNDS = 3
PAGE = 50
ADDRESSES = 1 << 20  # 10.0.0.0/12
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TYPES = ("scanner", "brute-force", "infected-system", "vulnerable-system", "phishing", "ddos")
SECTORS = ("government", "finance", "health", "energy", "education", None)
TLPS = ("clear", "green", "green", "amber", "red")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _choice(values: tuple[str | None, ...], salt: int) -> str:
    cases = " ".join(f"WHEN {i} THEN {'NULL' if v is None else repr(v)}" for i, v in enumerate(values))
    return f"CASE hash(i, {salt}) % {len(values)} {cases} END"


def write_store(store: EventStore) -> float:
    """Write the events as committed imports, each file with its address index; return the seconds
    spent on the indexes."""
    con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    con.execute("SET TimeZone = 'UTC'")
    index_seconds = 0.0
    seconds_per_event = 365 * 86400 / EVENTS
    for number, first in enumerate(range(0, EVENTS, PER_IMPORT), start=1):
        count = min(PER_IMPORT, EVENTS - first)
        import_id = f"bench-{number:03d}"
        month = (START + dt.timedelta(seconds=first * seconds_per_event)).strftime("%Y-%m")
        columns = {
            "event_id": "md5(CAST(i AS VARCHAR))",
            "time.source": f"TIMESTAMPTZ '{START.isoformat()}' + to_microseconds(CAST(i * {seconds_per_event * 1e6} AS BIGINT))",
            "source.ip": "'10.' || (a // 65536) || '.' || ((a // 256) % 256) || '.' || (a % 256)",
            "source.asn": "64512 + (a // 4096) % 200",
            "source.geolocation.cc": "CASE hash(i, 3) % 4 WHEN 0 THEN 'BR' WHEN 1 THEN NULL ELSE 'PY' END",
            "classification.taxonomy": "CASE WHEN hash(i, 4) % 2 = 0 THEN 'vulnerable' ELSE 'intrusions' END",
            "classification.type": _choice(TYPES, 5),
            "feed.name": "CASE hash(i, 6) % 3 WHEN 0 THEN 'scan_telnet' WHEN 1 THEN 'scan_rdp' ELSE 'honeypot' END",
            "victim.sector": _choice(SECTORS, 7),
            "victim.country": "CASE WHEN hash(i, 8) % 5 = 0 THEN NULL ELSE 'PY' END",
            "tlp": _choice(TLPS, 9),  # type: ignore[arg-type]
            "import_id": f"'{import_id}'",
        }
        select = ", ".join(f"CAST({columns.get(f.name, 'NULL')} AS {f.sql_type}) AS {quoted(f.name)}" for f in FIELDS)
        target = store.events_dir / f"month={month}" / f"{import_id}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        # The address: the cube of a uniform number, so that a few addresses are very noisy.
        draws = f"SELECT i, CAST(floor(pow((hash(i, 1) % 1000003) / 1000003.0, 3) * {ADDRESSES}) AS BIGINT) AS a FROM range({first}, {first + count}) r(i)"
        con.execute(
            f"COPY (SELECT {select} FROM ({draws})) TO '{target}' "
            "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 122880)"
        )
        started = time.perf_counter()
        store.write_address_index(con, target, store.index_file(target))
        index_seconds += time.perf_counter() - started
        record = {"import_id": import_id, "read": count, "stored": count, "duplicates": 0, "quarantined": 0}
        (store.commits_dir / f"{import_id}.json").write_text(json.dumps({**record, "months": [month]}))
    con.close()
    return index_seconds


# -- the code path before ----------------------------------------------------------------------------


def old_page(
    store: EventStore,
    flt: EventFilter,
    *,
    limit: int = 50,
    offset: int = 0,
    columns: Any = FIELD_NAMES,
    after: Any = None,
) -> tuple[list[dict[str, Any]], int]:
    """The page function before: a connection and a file listing per page, a count per page, OFFSET."""
    where, params = flt.where()
    selected = ", ".join(quoted(c) for c in columns)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        store.register(con)
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


# -- the check: a plain query over the raw files -------------------------------------------------------


def expected(store: EventStore, condition: str, offset: int) -> tuple[list[str], int]:
    files = [str(p) for p in sorted(store.events_dir.glob("month=*/*.parquet"))]
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = f"read_parquet({files!r}, hive_partitioning = false)"
    ids = [
        row[0]
        for row in con.execute(
            f'SELECT event_id FROM {relation} WHERE {condition} ORDER BY "time.source" DESC, event_id '
            f"LIMIT {PAGE} OFFSET {offset}"
        ).fetchall()
    ]
    count_row = con.execute(f"SELECT count(*) FROM {relation} WHERE {condition}").fetchone()
    con.close()
    return ids, int(count_row[0]) if count_row else 0


def timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    """Seconds of the first call, the median of the next ones, and the last result."""
    started = time.perf_counter()
    result = function()
    first = time.perf_counter() - started
    again = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = function()
        again.append(time.perf_counter() - started)
    return first, statistics.median(again), result


def main() -> None:
    setup_test_environment()  # the test client then hands back each page's context (its rows and count)
    print(f"  load average before: {load()}")
    organisation = Organisation.objects.create(
        name="Bench CSIRT", slug="bench-csirt", type=OrganisationType.NATIONAL_CSIRT, country="PY"
    )
    user = User.objects.create_user("bench-browser")
    Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
    store = event_store(organisation)
    for directory in (store.events_dir, store.commits_dir):
        directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    index_seconds = write_store(store)
    print(
        f"  {EVENTS:,} events written in {time.perf_counter() - started:.1f} s; address indexes "
        f"{index_seconds:.1f} s ({EVENTS / max(index_seconds, 1e-9):,.0f} events/s: what an import's job "
        f"now adds after the commit)"
    )
    client = Client(SERVER_NAME="localhost")  # a host the settings allow outside the test runner
    client.force_login(user)

    deep_offset = min(EVENTS // 2 // PAGE * PAGE, 2000 * PAGE)
    first_page = client.get("/threats/events/").context
    # The Next link's position for the deep page: the last event before it.
    boundary, _count = expected(store, "true", deep_offset - PAGE)
    con = duckdb.connect()
    files = [str(p) for p in sorted(store.events_dir.glob("month=*/*.parquet"))]
    moment = con.execute(
        f'SELECT "time.source" FROM read_parquet({files!r}) WHERE event_id = ?', [boundary[-1]]
    ).fetchone()
    con.close()
    if moment is None or first_page["total"] != EVENTS:
        raise SystemExit("the store does not hold the events written")
    stamp = (moment[0] - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
    deep_number = deep_offset // PAGE + 1
    cases: list[tuple[str, dict[str, Any], dict[str, Any], str, int]] = [
        ("first page", {}, {}, "true", 0),
        (
            f"deep page {deep_number:,}",
            {"page": deep_number, "after": f"{stamp}.{boundary[-1]}"},
            {"page": deep_number},
            "true",
            deep_offset,
        ),
        ("address 10.0.200.17", {"ip": "10.0.200.17"}, {}, "\"source.ip\" = '10.0.200.17'", 0),
        ("network 10.1.2.0/24", {"ip": "10.1.2.0/24"}, {}, "\"source.ip\" LIKE '10.1.2.%'", 0),
        ("network 10.3.0.0/16", {"ip": "10.3.0.0/16"}, {}, "\"source.ip\" LIKE '10.3.%'", 0),
        ("type brute-force", {"type": "brute-force"}, {}, "\"classification.type\" = 'brute-force'", 0),
        ("class intrusions", {"taxonomy": "intrusions"}, {}, "\"classification.taxonomy\" = 'intrusions'", 0),
        ("sector health", {"sector": "health"}, {}, "\"victim.sector\" = 'health'", 0),
        ("sector unknown", {"sector": "unknown"}, {}, '"victim.sector" IS NULL', 0),
        ("source country BR", {"country": "BR"}, {}, "\"source.geolocation.cc\" = 'BR'", 0),
        ("victim country unknown", {"victim_country": "unknown"}, {}, '"victim.country" IS NULL', 0),
        ("AS 64600", {"asn": 64600}, {}, '"source.asn" = 64600', 0),
        ("feed scan_rdp", {"feed": "scan_rdp"}, {}, "\"feed.name\" = 'scan_rdp'", 0),
        (
            "June",
            {"since": "2026-06-01", "until": "2026-07-01"},
            {},
            "\"time.source\" >= TIMESTAMPTZ '2026-06-01 00:00:00+00' AND \"time.source\" < TIMESTAMPTZ '2026-07-01 00:00:00+00'",
            0,
        ),
        (
            "/16 and type phishing",
            {"ip": "10.3.0.0/16", "type": "phishing"},
            {},
            "\"source.ip\" LIKE '10.3.%' AND \"classification.type\" = 'phishing'",
            0,
        ),
    ]
    new_page = views.event_page
    print(
        f"  {'page':<26} {'new: first':>11} {'again':>8} {'old: first':>11} {'again':>8} {'ratio':>7}  matches  result"
    )
    failures = []
    for name, query, old_query, condition, offset in cases:
        reader().forget()  # a fresh process: no file list, no counts yet
        views.event_page = new_page
        new_first, new_again, response = timed(lambda q=query: client.get("/threats/events/", q))  # type: ignore[misc]
        views.event_page = old_page  # type: ignore[assignment]
        old_first, old_again, old_response = timed(
            lambda q=old_query or query: client.get("/threats/events/", q)  # type: ignore[misc]
        )
        views.event_page = new_page
        ids, count = expected(store, condition, offset)
        got = [row["event_id"] for row in response.context["rows"]]
        old_got = [row["event_id"] for row in old_response.context["rows"]]
        same = got == ids and response.context["total"] == count and old_got == ids
        if not same:
            failures.append(name)
        print(
            f"  {name:<26} {new_first * 1000:>9.0f}ms {new_again * 1000:>6.0f}ms {old_first * 1000:>9.0f}ms "
            f"{old_again * 1000:>6.0f}ms {old_first / new_first:>6.1f}x  {count:>8,}  "
            f"{'equal' if same else 'DIFFERENT'} (load {os.getloadavg()[0]:.2f})",
            flush=True,
        )
    print(f"  load average at the end: {load()}")
    if failures:
        raise SystemExit("pages differ from the plain query: " + ", ".join(failures))


if __name__ == "__main__":
    main()
