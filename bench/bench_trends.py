"""Trend analytics on a large event store: the metric set on DuckDB, on trend tables and on Spark.

Builds N events (``CYBERPLAN_BENCH_TREND_EVENTS``, default 10,000,000) directly as Parquet in the
event schema with DuckDB SQL and a fixed seed (every random column is a hash of the row number or of
the address, so the data is the same on every run and machine), in a temporary event store laid out
and committed as :class:`cyberplan.pipeline.store.EventStore` expects (one file per month partition,
named after its import, and a commit marker per import). The data: June 2026 (the period measured,
60 % of the events), May 2026 (the previous period, 30 %) and June 2025 (a year earlier, 10 %);
eight feeds, each with its classes, types and severities; fifteen sectors plus 20 % unknown, about
2,500 organisations, five countries plus unknown, 300 autonomous systems, all decided by the source
address's network; up to a million addresses (skewed: a few very noisy ones, a long tail of quiet
ones); four TLP labels; and one incident record (VERIS feed, no address, 70 % with
``response_hours``) per 2,500 events.

Then, in this process, for the period 2026-06:

c. the trend tables: a full build of the three imports, then an incremental refresh after a small
   fourth import (1 % of N, June);
a. the reference path: the whole metric set with Ibis on DuckDB over the raw events (all four
   imports);
b. the same metric set written by hand in DuckDB SQL over the raw events, rows checked equal, and
   the ratio a/b;
c. the metric set as cyberplan computes it for the dashboard and the report: from the trend tables,
   in a new DuckDB connection each time (a cold dashboard page), for all labels and for the labels a
   viewer reads; beside it the same metric set written by hand in DuckDB SQL over the same trend
   tables, and the ratio; rows of both checked equal to the raw events'; other pages (the month
   filtered on a sector, a class or both, a quarter, a year, with and without a filter: target
   300 ms; a country filter and a range of days, which read the sources table: no target), rows
   checked equal to the raw events';
d. the same metric set on Spark in local mode, over the raw events and over the trend tables;
e. one PDF report of the period, when ``cyberplan.trends.report`` exists.

Standalone: ``.venv/bin/python bench/bench_trends.py`` (it needs no Django unless the report
module is there).
"""

# The SQL here is assembled from this file's own constants, column names and quoted file paths.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from cyberplan.analytics import metrics, service  # noqa: E402
from cyberplan.analytics.engines import DuckDBEngine, Engine, forget_compiled  # noqa: E402
from cyberplan.analytics.periods import parse_period  # noqa: E402
from cyberplan.analytics.trend_tables import TrendTables  # noqa: E402
from cyberplan.pipeline.schema import FIELDS, quoted  # noqa: E402
from cyberplan.pipeline.store import EventStore  # noqa: E402

PERIOD = "2026-06"
SEED = 2026
TARGET_RAW_SECONDS = 5.0
TARGET_RATIO = 1.5
TARGET_PAGE_MS = 300.0
#: the refresh after a daily import (issue 21): seconds at up to 10 M events, and above
TARGET_REFRESH_SECONDS = (2.0, 5.0)
#: a filtered dashboard page: milliseconds at up to 10 M events, and above
TARGET_FILTER_MS = (300.0, 1000.0)
DAILY_EVENTS = 30_000
#: DuckDB's memory limit in every step measured here, so that 100 M events run in bounded memory (it spills)
MEMORY = os.environ.get("CYBERPLAN_BENCH_TREND_MEMORY", "6GB")
#: the steps to run, comma-separated (``CYBERPLAN_BENCH_TREND_STEPS``): all by default; ``refresh,pages``
#: leaves out the raw-event reference (a, b, whose rows the pages are also checked against), Spark and the PDF
STEPS = ("refresh", "reference", "pages", "spark", "pdf")
ROUNDS = 3
RAW_ROUNDS = 2
PAGE_ROUNDS = 5
#: what a viewer, analyst or contributor reads (every label but red)
DASHBOARD_LABELS = ("clear", "green", "amber", "amber+strict")
TABLE_NAMES = ("events", "events_by_month", "days", "networks", "networks_by_month", "sources", "incidents")

#: (first day, days, share of the events, import id)
MONTHS = (
    (dt.date(2025, 6, 1), 30, 0.10, "bench-2025-06"),
    (dt.date(2026, 5, 1), 31, 0.30, "bench-2026-05"),
    (dt.date(2026, 6, 1), 30, 0.60, "bench-2026-06"),
)

#: feed, provider, weight: the share of the events each feed brings
FEEDS = (
    ("scan_telnet", "Shadowserver", 26),
    ("scan_smb", "Shadowserver", 14),
    ("scan_rdp", "Shadowserver", 10),
    ("event4_honeypot_brute_force", "Shadowserver", 24),
    ("stix", "CERT-PY", 8),
    ("misp", "CERT-PY", 8),
    ("phishing-feed", "Abuse.ch", 6),
    ("ddos-reports", "Team Cymru", 4),
)
#: what each feed reports: (taxonomy, type, identifier, severity, weight within the feed)
CLASSES = {
    "scan_telnet": (("vulnerable", "vulnerable-system", "telnet", "medium", 1),),
    "scan_smb": (("vulnerable", "vulnerable-system", "smb", "high", 1),),
    "scan_rdp": (("vulnerable", "vulnerable-system", "rdp", "high", 1),),
    "event4_honeypot_brute_force": (
        ("intrusion-attempts", "brute-force", "ssh", "high", 7),
        ("intrusion-attempts", "brute-force", "telnet", "high", 3),
    ),
    "stix": (
        ("malicious-code", "c2-server", "cobaltstrike", "critical", 3),
        ("malicious-code", "infected-system", "emotet", "high", 7),
    ),
    "misp": (
        ("malicious-code", "infected-system", "mirai", "high", 8),
        ("malicious-code", "infected-system", "qakbot", "high", 2),
    ),
    "phishing-feed": (("fraud", "phishing", "phishing", "medium", 1),),
    "ddos-reports": (("availability", "ddos", "ntp-amplification", "low", 1),),
}
#: TLP by feed: Shadowserver's reports are amber; sharing platforms mix labels; public feeds are clear.
TLPS = {
    "stix": (("green", 5), ("amber", 4), ("red", 1)),
    "misp": (("green", 6), ("amber", 3), ("red", 1)),
    "phishing-feed": (("clear", 1),),
    "ddos-reports": (("green", 1),),
}
#: sector of the organisation holding a /24 network; None: not in the constituency table
SECTORS = (
    ("telecommunications", 22),
    ("individuals", 10),
    ("government", 9),
    ("education", 8),
    ("finance", 6),
    ("health", 5),
    ("energy", 4),
    ("transport", 3),
    ("retail", 3),
    ("manufacturing", 3),
    ("defence", 1),
    ("justice", 1),
    ("media", 2),
    ("water", 1),
    ("agriculture", 2),
    (None, 20),
)
COUNTRIES = (("PY", 93), ("AR", 2), ("BR", 2), ("UY", 1), (None, 2))
INCIDENT_TYPES = (
    ("fraud", "phishing", "phishing", "medium", 4),
    ("malicious-code", "infected-system", "ransomware", "critical", 2),
    ("intrusions", "system-compromise", "webshell", "high", 2),
    ("availability", "ddos", "ddos", "high", 1),
    ("information-content-security", "data-leak", "leak", "high", 1),
)
REPORTERS = (("vcdb", 2), ("cert-py", 5), ("mitic", 3))
INCIDENT_EVERY = 2500
ASNS = 300
IPS = 1_000_000


# -- data -------------------------------------------------------------------------------------------


def _u(salt: int, key: str = "i") -> str:
    """A uniform number in [0, 1) from ``key`` (the row number by default) and a salt: deterministic."""
    return f"((hash({key}, {SEED}, {salt}) % 1000003) / 1000003.0)"


def _literal(value: Any) -> str:
    return "NULL" if value is None else "'" + str(value).replace("'", "''") + "'"


def _pick(values: tuple[tuple[Any, ...], ...], salt: int, column: int = 0, key: str = "i") -> str:
    """A SQL CASE choosing one value by weight (the last element of each tuple)."""
    total = sum(v[-1] for v in values)
    parts, cumulative = [], 0
    for value in values:
        cumulative += value[-1]
        parts.append(f"WHEN {_u(salt, key)} < {cumulative / total:.6f} THEN {_literal(value[column])}")
    return "CASE " + " ".join(parts) + " END"


def _by_feed(table: dict[str, tuple[tuple[Any, ...], ...]], salt: int, column: int, default: str) -> str:
    cases = " ".join(
        f"WHEN feed = {_literal(feed)} THEN {_pick(values, salt, column)}" for feed, values in table.items()
    )
    return f"CASE {cases} ELSE {default} END"


def generate(store: EventStore, events: int) -> list[str]:
    """Write ``events`` events as one import per month and commit them; returns the import ids.

    As in real reports, what is known about an address depends on the address: its /24 network
    decides the AS (per /20), the sector, the organisation and the country; the feed decides the
    class, the type, the severity and mostly the TLP. A few addresses are very noisy: the address
    index is the cube of a uniform number, so 10 % of the events come from 1,000 addresses.
    """
    con = duckdb.connect(config={"threads": 2, "memory_limit": "4GB"})
    con.execute("SET TimeZone = 'UTC'")
    imports = []
    start_row = 0
    for first, days, share, import_id in MONTHS:
        count = round(events * share) if import_id != MONTHS[-1][3] else events - start_row
        month = first.strftime("%Y-%m")
        target = store.events_dir / f"month={month}" / f"{import_id}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        incident = f"i % {INCIDENT_EVERY} = 0"
        response = f"CASE WHEN {_u(10)} < 0.7 THEN round({_u(11)} * 96, 1) END"
        draws = f"""
            SELECT i, CAST(floor(pow({_u(1)}, 3) * {IPS}) AS BIGINT) AS ip,
                   {_pick(FEEDS, 5)} AS feed, {_pick(FEEDS, 5, 1)} AS provider
            FROM range({start_row}, {start_row + count}) AS r(i)"""
        network = "ip // 256"
        columns = {
            "event_id": f"md5(CAST(i AS VARCHAR) || '-{SEED}')",
            "time.source": (
                f"TIMESTAMPTZ '{first.isoformat()} 00:00:00+00' + "
                f"to_microseconds(CAST(((i - {start_row}) * {days} * 86400000000.0) / {count} AS BIGINT))"
            ),
            "source.ip": "'10.' || (ip // 65536) || '.' || ((ip // 256) % 256) || '.' || (ip % 256)",
            "source.port": f"CAST(1024 + hash(i, {SEED}, 2) % 60000 AS INTEGER)",
            "source.asn": f"64512 + hash(ip // 4096, {SEED}, 3) % {ASNS}",
            "source.as_name": f"'AS-NET-' || (hash(ip // 4096, {SEED}, 3) % {ASNS})",
            "source.network": "'10.' || (ip // 65536) || '.' || ((ip // 256) % 256) || '.0/24'",
            "classification.taxonomy": f"CASE WHEN {incident} THEN {_pick(INCIDENT_TYPES, 13, 0)} ELSE {_by_feed(CLASSES, 4, 0, 'NULL')} END",
            "classification.type": f"CASE WHEN {incident} THEN {_pick(INCIDENT_TYPES, 13, 1)} ELSE {_by_feed(CLASSES, 4, 1, 'NULL')} END",
            "classification.identifier": f"CASE WHEN {incident} THEN {_pick(INCIDENT_TYPES, 13, 2)} ELSE {_by_feed(CLASSES, 4, 2, 'NULL')} END",
            # the sharing platforms' malware reports name the family (their identifier)
            "malware.name": f"CASE WHEN NOT ({incident}) AND feed IN ('stix', 'misp') THEN {_by_feed(CLASSES, 4, 2, 'NULL')} END",
            "severity": f"CASE WHEN {incident} THEN {_pick(INCIDENT_TYPES, 13, 3)} ELSE {_by_feed(CLASSES, 4, 3, 'NULL')} END",
            "feed.name": f"CASE WHEN {incident} THEN 'veris' ELSE feed END",
            "feed.provider": f"CASE WHEN {incident} THEN {_pick(REPORTERS, 12)} ELSE provider END",
            "tlp": f"CASE WHEN {incident} THEN 'amber' ELSE {_by_feed(TLPS, 6, 0, _literal('amber'))} END",
            "victim.sector": _pick(SECTORS, 7, key=network),
            "victim.organisation": f"CASE WHEN {_pick(SECTORS, 7, key=network)} IS NULL THEN NULL ELSE 'org-' || ({network} % 2500) END",
            "victim.country": _pick(COUNTRIES, 8, key=network),
            "extra": (
                f"CASE WHEN {incident} AND {response} IS NOT NULL "
                f'THEN \'{{"response_hours":\' || {response} || \',"severity_basis":"bench"}}\' END'
            ),
            "import_id": _literal(import_id),
        }
        # Incident records (VERIS) carry no source address.
        columns["source.ip"] = f"CASE WHEN {incident} THEN NULL ELSE {columns['source.ip']} END"
        select = ", ".join(
            f"CAST({columns.get(field.name, 'NULL')} AS {field.sql_type}) AS {quoted(field.name)}" for field in FIELDS
        )
        path = str(target).replace("'", "''")
        con.execute(
            f"COPY (SELECT {select} FROM ({draws}) ORDER BY i) TO '{path}' "
            "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 250000)"
        )
        commit(store, import_id, count, [month])
        imports.append(import_id)
        start_row += count
    con.close()
    return imports


def commit(store: EventStore, import_id: str, count: int, months: list[str]) -> None:
    record = {"import_id": import_id, "read": count, "stored": count, "duplicates": 0, "quarantined": 0}
    record["months"] = months
    store.commits_dir.mkdir(parents=True, exist_ok=True)
    (store.commits_dir / f"{import_id}.json").write_text(json.dumps(record), encoding="utf-8")


def small_import(store: EventStore, source: Path, count: int, import_id: str = "bench-late") -> str:
    """A later import: ``count`` events copied from June with new identifiers, as a daily feed would add."""
    target = store.events_dir / "month=2026-06" / f"{import_id}.parquet"
    con = duckdb.connect(config={"threads": 2})
    con.execute(
        f"COPY (SELECT * REPLACE (md5(event_id || '-{import_id}') AS event_id, '{import_id}' AS import_id) "
        f"FROM read_parquet('{str(source).replace(chr(39), chr(39) * 2)}') LIMIT {count}) "
        f"TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT parquet, COMPRESSION zstd)"
    )
    con.close()
    commit(store, import_id, count, ["2026-06"])
    return import_id


# -- the hand-written baseline -------------------------------------------------------------------------


def baseline(store: EventStore, threads: int = 2) -> dict[str, list[dict[str, Any]]]:
    """The metric set written by hand in DuckDB SQL, for the same period, in one process.

    One narrow table of the three months concerned is read from Parquet once; each metric is then
    a plain GROUP BY over it. The change metrics get the same statistics as cyberplan's (the test is
    applied in Python to the counts, as cyberplan does), so that the rows can be compared whole.
    """
    from cyberplan.analytics import stats

    period = parse_period(PERIOD)
    previous, year = period.previous(), period.year_earlier()
    con = duckdb.connect(config={"threads": threads})
    con.execute("SET TimeZone = 'UTC'")
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in store.files())

    def unknown(column: str) -> str:
        return f"coalesce(nullif(CAST({quoted(column)} AS VARCHAR), ''), 'unknown')"

    con.execute(
        f"""
        CREATE TEMP TABLE f AS
        SELECT CAST("time.source" AS DATE) AS day,
               {unknown("classification.taxonomy")} AS taxonomy, {unknown("classification.type")} AS type,
               {unknown("classification.identifier")} AS identifier, {unknown("victim.sector")} AS sector,
               {unknown("victim.organisation")} AS organisation, {unknown("victim.country")} AS country,
               CAST("source.asn" AS BIGINT) AS asn, {unknown("source.as_name")} AS as_name,
               {unknown("source.network")} AS network, {unknown("feed.name")} AS feed,
               {unknown("feed.provider")} AS provider, {unknown("tlp")} AS tlp, {unknown("severity")} AS severity,
               CASE WHEN {unknown("victim.sector")} IN ('individuals', 'telecommunications') THEN 'individuals'
                    WHEN {unknown("victim.sector")} IN ('government', 'defence', 'justice') THEN 'government'
                    WHEN {unknown("victim.sector")} = 'unknown' THEN 'unknown' ELSE 'private' END AS category,
               "source.ip" AS source_ip,
               ({unknown("feed.name")} IN ('veris') OR coalesce(extra, '') LIKE '%"incident_types"%'
                 OR ({unknown("feed.name")} = 'stix' AND coalesce(extra, '') LIKE '%"stix.type":"incident"%'))
                 AS incident,
               CAST(nullif(regexp_extract(coalesce(extra, ''), '"response_hours": ?([0-9]+(?:\\.[0-9]+)?)', 1), '')
                    AS DOUBLE) AS response_hours,
               coalesce(nullif(lower(regexp_extract(coalesce(extra, ''), '"status": ?"([^"]*)"', 1)), ''),
                        nullif(lower(regexp_extract(coalesce(extra, ''), '"investigation_status": ?"([^"]*)"', 1)), ''),
                        nullif(lower(regexp_extract(coalesce(extra, ''), '"security_incident": ?"([^"]*)"', 1)), ''),
                        'unknown') AS status
        FROM read_parquet([{files}])
        WHERE "time.source" >= TIMESTAMPTZ '{year.start} 00:00:00+00' AND "time.source" < TIMESTAMPTZ '{period.end} 00:00:00+00'
        """
    )
    cur = f"day >= DATE '{period.start}' AND day < DATE '{period.end}'"
    prev = f"day >= DATE '{previous.start}' AND day < DATE '{previous.end}'"
    yr = f"day >= DATE '{year.start}' AND day < DATE '{year.end}'"
    bucket = (
        "day"
        if period.granularity() == "day"
        else "CAST(date_trunc('{}', day) AS DATE)".format("week" if period.granularity() == "week" else "month")
    )

    def q(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count_by(keys: str, where: str = cur, top: int | None = None) -> str:
        limit = f" LIMIT {top}" if top else ""
        return (
            f"SELECT {keys}, count(*) AS events FROM f WHERE {where} GROUP BY {keys} "
            f"ORDER BY events DESC, {keys}{limit}"
        )

    def sources_by(key: str) -> str:
        return (
            f"SELECT {key}, count(DISTINCT source_ip) AS sources FROM f WHERE {cur} AND source_ip IS NOT NULL "
            f"GROUP BY {key} ORDER BY sources DESC, {key}"
        )

    def compare(other: str) -> str:
        parts = [
            f"""SELECT '{d}' AS dimension, series, sum(c) AS current, sum(p) AS previous FROM (
                  SELECT {d} AS series, CAST({cur} AS INT) AS c, CAST({other} AS INT) AS p FROM f
                  WHERE ({cur}) OR ({other})) GROUP BY series"""
            for d in ("type", "sector")
        ]
        return " UNION ALL ".join(parts) + " ORDER BY dimension, series"

    inc = f"{cur} AND incident"
    out: dict[str, list[dict[str, Any]]] = {}
    out["totals"] = q(
        f"""SELECT count(*) AS events, count(DISTINCT feed) AS feeds, count(DISTINCT day) AS days,
                   min(day) AS first_day, max(day) AS last_day,
                   count(DISTINCT organisation) FILTER (WHERE organisation <> 'unknown') AS organisations,
                   count(*) FILTER (WHERE organisation <> 'unknown') AS attributed
            FROM f WHERE {cur}"""
    )
    out["sources_total"] = q(f"SELECT count(DISTINCT source_ip) AS sources FROM f WHERE {cur}")
    out["timeline"] = q(
        f"SELECT {bucket} AS bucket, taxonomy, count(*) AS events FROM f WHERE {cur} GROUP BY ALL ORDER BY 1, 2"
    )
    out["sources_timeline"] = q(
        f"SELECT {bucket} AS bucket, count(DISTINCT source_ip) AS sources FROM f WHERE {cur} "
        "AND source_ip IS NOT NULL GROUP BY ALL ORDER BY 1"
    )
    out["by_class"] = q(count_by("taxonomy, type"))
    out["sources_by_class"] = q(sources_by("taxonomy"))
    out["by_identifier"] = q(count_by("identifier", top=10))
    out["by_category"] = q(count_by("category"))
    out["by_sector"] = q(count_by("sector"))
    out["sources_by_sector"] = q(sources_by("sector"))
    out["by_country"] = q(count_by("country", top=10))
    out["by_severity"] = q(count_by("severity"))
    out["by_feed"] = q(count_by("feed, provider"))
    out["top_asn"] = q(count_by("asn, as_name", top=10))
    out["top_networks"] = q(count_by("network", top=10))
    out["top_organisations"] = q(count_by("organisation, sector", f"{cur} AND organisation <> 'unknown'", 10))
    out["new_vs_recurring"] = q(
        f"""WITH now AS (SELECT DISTINCT source_ip FROM f WHERE {cur} AND source_ip IS NOT NULL),
                 seen AS (SELECT DISTINCT source_ip FROM f WHERE {prev} AND source_ip IS NOT NULL)
            SELECT count(*) FILTER (WHERE seen.source_ip IS NULL) AS new,
                   count(seen.source_ip) AS recurring
            FROM now LEFT JOIN seen USING (source_ip)"""
    )
    out["incidents_by_type"] = q(count_by("taxonomy, type", inc))
    out["incidents_by_sector"] = q(count_by("sector", inc))
    out["incidents_by_severity"] = q(count_by("severity", inc))
    out["incidents_by_reporter"] = q(
        f"SELECT provider AS reporter, count(*) AS events FROM f WHERE {inc} GROUP BY 1 ORDER BY events DESC, reporter"
    )
    out["incident_response"] = q(
        f"""SELECT type, count(*) AS incidents, count(response_hours) AS with_time,
                   round(avg(response_hours), 2) AS mean_hours
            FROM f WHERE {inc} GROUP BY type ORDER BY incidents DESC, type"""
    )
    out["change_previous"] = stats.annotate_changes(q(compare(prev)), period.days, previous.days)
    out["change_year"] = stats.annotate_changes(q(compare(yr)), period.days, year.days)
    out.update(annual_baseline(q, cur, prev, "f", "count(*)", per_row=True))
    # The bench's data lies between a year earlier and the period: every year of the history is in f.
    out["history"] = q(
        f"SELECT CAST(year(day) AS BIGINT) AS year, taxonomy, count(*) AS events FROM f "
        f"WHERE day < DATE '{period.end.year + 1}-01-01' GROUP BY ALL ORDER BY 1, 2"
    )
    con.close()
    return out


def annual_baseline(
    q: Callable[[str], list[dict[str, Any]]], cur: str, prev: str, table: str, weight: str, *, per_row: bool
) -> dict[str, list[dict[str, Any]]]:
    """The annual-report metrics by hand: incident status, time to close, remediation, exposure.

    ``table`` holds the incidents' and the addresses' columns (the raw frame ``f``, or the trend tables'
    incidents ``i`` and sources ``s``), ``weight`` counts its rows (``count(*)`` or ``sum(n)``). The median
    and 90th percentile by nearest rank: over single incidents (``per_row``), the time of the
    ceil(q * n)-th shortest; over weighted rows, the first time whose running total reaches q * n.
    """
    incidents = f"{table} WHERE {cur}" + (" AND incident" if per_row else "")
    sources = "f" if per_row else "s"
    out: dict[str, list[dict[str, Any]]] = {}
    out["incidents_by_status"] = q(
        f"SELECT status, {weight} AS events FROM {incidents} GROUP BY 1 ORDER BY events DESC, status"
    )
    if per_row:
        ranked = f"""SELECT type, response_hours,
                            row_number() OVER (PARTITION BY type ORDER BY response_hours) AS k,
                            row_number() OVER (ORDER BY response_hours) AS k_all,
                            count(*) OVER (PARTITION BY type) AS n, count(*) OVER () AS n_all
                     FROM {incidents} AND response_hours IS NOT NULL"""
        pick = ("k >= ceil(n * 0.5)", "k >= ceil(n * 0.9)", "k_all >= ceil(n_all * 0.5)", "k_all >= ceil(n_all * 0.9)")
    else:
        ranked = f"""SELECT type, response_hours,
                            sum(w) OVER (PARTITION BY type ORDER BY response_hours) AS k,
                            sum(w) OVER (ORDER BY response_hours) AS k_all,
                            sum(w) OVER (PARTITION BY type) AS n, sum(w) OVER () AS n_all
                     FROM (SELECT type, response_hours, sum(n) AS w FROM {incidents} AND response_hours IS NOT NULL
                           GROUP BY ALL)"""
        pick = ("k * 2 >= n", "k * 10 >= n * 9", "k_all * 2 >= n_all", "k_all * 10 >= n_all * 9")
    with_time = "count(response_hours)" if per_row else "sum(response_n)"
    hours = "sum(response_hours)" if per_row else "sum(response_sum)"
    out["incident_times"] = q(
        f"""WITH r AS ({ranked}),
                 per AS (SELECT type, {weight} AS incidents, {with_time} AS with_time,
                                round({hours} / nullif({with_time}, 0), 2) AS mean_hours
                         FROM {incidents} GROUP BY type),
                 qt AS (SELECT type, min(response_hours) FILTER (WHERE {pick[0]}) AS median_hours,
                               min(response_hours) FILTER (WHERE {pick[1]}) AS p90_hours FROM r GROUP BY type)
            SELECT * FROM (
              SELECT TRUE AS overall, NULL AS type, sum(incidents) AS incidents, sum(with_time) AS with_time,
                     round(sum(mean_hours * with_time) / nullif(sum(with_time), 0), 2) AS mean_hours,
                     (SELECT min(response_hours) FILTER (WHERE {pick[2]}) FROM r) AS median_hours,
                     (SELECT min(response_hours) FILTER (WHERE {pick[3]}) FROM r) AS p90_hours
              FROM per HAVING sum(incidents) > 0
              UNION ALL
              SELECT FALSE, per.type, incidents, with_time, mean_hours, median_hours, p90_hours
              FROM per LEFT JOIN qt USING (type))
            ORDER BY overall DESC, incidents DESC, type"""
    )
    held = "source_ip IS NOT NULL AND (taxonomy = 'vulnerable' OR type = 'infected-system')"
    parts = [
        f"""SELECT '{d}' AS dimension, b.series, count(*) AS seen, count(*) FILTER (WHERE a.series IS NULL) AS gone
            FROM (SELECT DISTINCT {d} AS series, source_ip FROM {sources} WHERE {prev} AND {held}) b
            LEFT JOIN (SELECT DISTINCT {d} AS series, source_ip FROM {sources} WHERE {cur} AND {held}) a
              ON a.series = b.series AND a.source_ip = b.source_ip
            GROUP BY b.series"""
        for d in ("taxonomy", "sector")
    ]
    remediation = q(" UNION ALL ".join(parts) + " ORDER BY dimension, seen DESC, series")
    out["remediation"] = [{**r, "share": round(r["gone"] / r["seen"], 4) if r["seen"] else None} for r in remediation]
    out["exposure"] = q(
        f"SELECT country, count(DISTINCT source_ip) AS sources FROM {sources} WHERE {cur} AND source_ip IS NOT NULL "
        "AND country <> 'unknown' GROUP BY country ORDER BY sources DESC, country LIMIT 10"
    )
    return out


def baseline_tables(
    tables: TrendTables, labels: tuple[str, ...] | None = None, threads: int = 2
) -> dict[str, list[dict[str, Any]]]:
    """The metric set written by hand in DuckDB SQL over the same trend tables cyberplan reads.

    What a developer would write knowing the layout and the scope (a month, no filter but TLP): the
    monthly events and networks tables, the days table, the incidents and the source counts of the
    month (an address counts when its TLP mask has a readable label), read straight from the Parquet
    files the watermark lists, in a new connection (as a dashboard page opens one). ``labels``: the
    TLP labels readable (None: all).
    """
    from cyberplan.analytics import stats
    from cyberplan.analytics.frames import OTHER_LABEL, TLP_BITS

    period = parse_period(PERIOD)
    previous, year = period.previous(), period.year_earlier()
    watermark = tables.watermark()
    parts = sorted(watermark["parts"])
    con = duckdb.connect(config={"threads": threads})
    con.execute("SET TimeZone = 'UTC'")

    def files(name: str) -> str:
        return "read_parquet([" + ", ".join(f"'{tables.root / part / name}.parquet'" for part in parts) + "])"

    if labels is None:
        tlp, masks = "TRUE", f"mask BETWEEN 1 AND {2 * OTHER_LABEL - 1}"
        bits = 2 * OTHER_LABEL - 1
    else:
        tlp = "tlp IN (" + ", ".join(f"'{label}'" for label in labels) + ")"
        bits = sum(TLP_BITS[label] for label in labels)
        masks = f"(mask & {bits}) <> 0"
    span = f"day >= DATE '{year.start}' AND day < DATE '{period.end}' AND {tlp}"
    con.execute(f"CREATE TEMP TABLE e AS SELECT * FROM {files('events_by_month')} WHERE {span}")
    con.execute(
        f"CREATE TEMP TABLE d AS SELECT * FROM {files('days')} "
        f"WHERE day >= DATE '{period.start}' AND day < DATE '{period.end}' AND {tlp}"
    )
    con.execute(f"CREATE TEMP TABLE i AS SELECT * FROM {files('incidents')} WHERE {span}")
    con.execute(
        f"CREATE TEMP TABLE w AS SELECT * FROM {files('networks_by_month')} WHERE day = DATE '{period.start}' AND {tlp}"
    )
    counts = tables.root / watermark["counts"] / "source_counts.parquet"
    con.execute(
        f"CREATE TEMP TABLE c AS SELECT * FROM read_parquet('{counts}') WHERE span = 'month' "
        f"AND start = DATE '{period.start}' AND in_sector = '' AND in_taxonomy = '' AND in_country = '' AND {masks}"
    )
    cur = f"day >= DATE '{period.start}' AND day < DATE '{period.end}'"
    prev = f"day >= DATE '{previous.start}' AND day < DATE '{previous.end}'"
    yr = f"day >= DATE '{year.start}' AND day < DATE '{year.end}'"

    def q(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count_by(keys: str, table: str = "e", where: str = cur, top: int | None = None) -> str:
        limit = f" LIMIT {top}" if top else ""
        return (
            f"SELECT {keys}, sum(n) AS events FROM {table} WHERE {where} GROUP BY {keys} "
            f"ORDER BY events DESC, {keys}{limit}"
        )

    def counted(kind: str) -> str:
        return (
            f"SELECT key AS {kind}, sum(sources) AS sources FROM c WHERE kind = '{kind}' "
            f"GROUP BY key ORDER BY sources DESC, {kind}"
        )

    def compare(other: str) -> str:
        parts = [
            f"""SELECT '{d}' AS dimension, {d} AS series, coalesce(sum(n) FILTER (WHERE {cur}), 0) AS current,
                       coalesce(sum(n) FILTER (WHERE {other}), 0) AS previous
                FROM e WHERE ({cur}) OR ({other}) GROUP BY {d}"""
            for d in ("type", "sector")
        ]
        return " UNION ALL ".join(parts) + " ORDER BY dimension, series"

    out: dict[str, list[dict[str, Any]]] = {}
    out["totals"] = q(
        f"""SELECT coalesce(sum(n), 0) AS events, count(DISTINCT feed) AS feeds,
                   (SELECT count(DISTINCT day) FROM d) AS days, (SELECT min(day) FROM d) AS first_day,
                   (SELECT max(day) FROM d) AS last_day,
                   (SELECT count(DISTINCT organisation) FROM w WHERE organisation <> 'unknown') AS organisations,
                   (SELECT coalesce(sum(n), 0) FROM w WHERE organisation <> 'unknown') AS attributed
            FROM e WHERE {cur}"""
    )
    out["sources_total"] = q("SELECT coalesce(sum(sources), 0) AS sources FROM c WHERE kind = 'total'")
    out["timeline"] = q("SELECT day AS bucket, taxonomy, sum(n) AS events FROM d GROUP BY ALL ORDER BY 1, 2")
    out["sources_timeline"] = q(
        "SELECT day AS bucket, sum(sources) AS sources FROM c WHERE kind = 'day' GROUP BY ALL ORDER BY 1"
    )
    out["by_class"] = q(count_by("taxonomy, type"))
    out["sources_by_class"] = q(counted("taxonomy"))
    out["by_identifier"] = q(count_by("identifier", top=10))
    out["by_category"] = q(count_by("category"))
    out["by_sector"] = q(count_by("sector"))
    out["sources_by_sector"] = q(counted("sector"))
    out["by_country"] = q(count_by("country", top=10))
    out["by_severity"] = q(count_by("severity"))
    out["by_feed"] = q(count_by("feed, provider"))
    out["top_asn"] = q(count_by("asn, as_name", "w", "TRUE", 10))
    out["top_networks"] = q(count_by("network", "w", "TRUE", 10))
    out["top_organisations"] = q(count_by("organisation, sector", "w", "organisation <> 'unknown'", 10))
    out["new_vs_recurring"] = q(
        f"""SELECT coalesce(sum(sources) FILTER (WHERE (before & {bits}) = 0), 0) AS new,
                   coalesce(sum(sources) FILTER (WHERE (before & {bits}) <> 0), 0) AS recurring
            FROM c WHERE kind = 'recurring'"""
    )
    out["incidents_by_type"] = q(count_by("taxonomy, type", "i"))
    out["incidents_by_sector"] = q(count_by("sector", "i"))
    out["incidents_by_severity"] = q(count_by("severity", "i"))
    out["incidents_by_reporter"] = q(count_by("reporter", "i"))
    out["incident_response"] = q(
        f"""SELECT type, sum(n) AS incidents, sum(response_n) AS with_time,
                   round(sum(response_sum) / nullif(sum(response_n), 0), 2) AS mean_hours
            FROM i WHERE {cur} GROUP BY type ORDER BY incidents DESC, type"""
    )
    out["change_previous"] = stats.annotate_changes(q(compare(prev)), period.days, previous.days)
    out["change_year"] = stats.annotate_changes(q(compare(yr)), period.days, year.days)
    con.execute(f"CREATE TEMP TABLE s AS SELECT * FROM {files('sources')} WHERE {span}")
    out.update(annual_baseline(q, cur, prev, "i", "sum(n)", per_row=False))
    out["history"] = q(
        f"SELECT CAST(year(day) AS BIGINT) AS year, taxonomy, sum(n) AS events FROM {files('events_by_month')} "
        f"WHERE day < DATE '{period.end.year + 1}-01-01' AND {tlp} GROUP BY ALL ORDER BY 1, 2"
    )
    con.close()
    return out


# -- measuring ------------------------------------------------------------------------------------------


def timed(function: Callable[[], Any], rounds: int = ROUNDS) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def describe(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"


def comparable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def plain(value: Any) -> Any:
        if isinstance(value, float):
            return None if math.isnan(value) else round(value, 9)
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    return [{key: plain(value) for key, value in row.items()} for row in rows]


def same(left: dict[str, list[dict[str, Any]]], right: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [metric for metric in left if comparable(left[metric]) != comparable(right.get(metric, []))]


def run_set(engine: Engine, frames: Any, scope: metrics.Scope) -> dict[str, list[dict[str, Any]]]:
    result = metrics.run(engine, frames, scope)
    return {metric: result.rows(metric) for metric in result.results}


def per_metric(engine: Engine, frames: Any, scope: metrics.Scope) -> list[tuple[str, float]]:
    times = []
    for metric in metrics.METRICS:
        started = time.perf_counter()
        metrics.run(engine, frames, scope, only=[metric.id])
        times.append((metric.id, time.perf_counter() - started))
    return sorted(times, key=lambda item: -item[1])


def rows_of(tables: TrendTables, name: str) -> int:
    files = [tables.root / part / f"{name}.parquet" for part in tables.watermark()["parts"]]
    con = duckdb.connect()
    try:
        listed = ", ".join(f"'{f}'" for f in files)
        row = con.execute(f"SELECT count(*) FROM read_parquet([{listed}])").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def commit_name() -> str:
    """The commit measured, and whether cyberplan's code differs from it (read-only git)."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    try:
        head = subprocess.run(
            [git, "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        status = subprocess.run(
            [git, "status", "--porcelain", "--", "cyberplan/analytics"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + (" (cyberplan/analytics modified)" if status.stdout.strip() else "")


def pdf_hook(store: EventStore) -> None:
    """Time one PDF report of the period when the report module exists (it is being built).

    The report reads Django records (the organisation), so this needs Django set up: it runs under
    ``bench/run.py`` (``make bench``), not when this file runs alone.
    """
    if importlib.util.find_spec("cyberplan.trends.report") is None:
        print("  e. PDF report: not available (cyberplan.trends.report does not exist yet)")
        return
    from django.apps import apps

    if not apps.ready:
        print("  e. PDF report: needs Django; run this benchmark through bench/run.py (make bench)")
        return
    from django.utils import translation

    from cyberplan.core.choices import OrganisationType
    from cyberplan.core.models import Organisation

    report = importlib.import_module("cyberplan.trends.report")
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-authority",
        defaults={"name": "Bench authority", "type": OrganisationType.NATIONAL_AUTHORITY, "country": "PY"},
    )
    try:
        with translation.override("en"):
            started = time.perf_counter()
            content = report.build_report(organisation, store, parse_period(PERIOD), "amber")
            built = time.perf_counter() - started
            pdf = report.render_report(content, "pdf")
            seconds = time.perf_counter() - started
    except Exception as error:  # a module under construction: say what happened, keep the other figures
        print(f"  e. PDF report: failed: {type(error).__name__}: {error}")
        return
    print(
        f"  e. PDF report of {PERIOD}: {seconds:.2f} s (content {built:.2f} s, rendering {seconds - built:.2f} s), "
        f"{len(pdf) / 1e6:.1f} MB; target < 15 s: {'met' if seconds < 15 else 'MISSED'}"
    )


def spark_figures(store: EventStore, scope: metrics.Scope, expected: dict[str, list[dict[str, Any]]]) -> None:
    try:
        from cyberplan.analytics.engines import SparkEngine
    except ImportError as error:  # pragma: no cover - the spark extra is missing
        print(f"  d. Spark: not available ({error})")
        return
    started = time.perf_counter()
    try:
        spark = SparkEngine()
    except Exception as error:  # no Java, no PySpark: say so, keep the DuckDB figures
        print(f"  d. Spark: could not start ({type(error).__name__}: {error})")
        return
    print(
        f"  d. Spark {spark.session.version}, master {spark.session.sparkContext.master}: "
        f"session start {time.perf_counter() - started:.1f} s (not counted)"
    )
    try:
        frames = service.store_frames(store, spark)
        times, rows = timed(lambda: run_set(spark, frames, scope), rounds=1)
        differing = same(expected, rows)
        print(
            f"     metric set, raw events: {describe(times)}; rows identical to DuckDB: "
            f"{'yes' if not differing else 'NO: ' + ', '.join(differing)}"
        )
        trend_frames = TrendTables(store).frames(spark)
        times, rows = timed(lambda: run_set(spark, trend_frames, scope), rounds=2)
        differing = same(expected, rows)
        print(
            f"     metric set, trend tables: {describe(times)}; rows identical to DuckDB: "
            f"{'yes' if not differing else 'NO: ' + ', '.join(differing)}"
        )
    finally:
        spark.session.stop()


def page(store: EventStore, scope: metrics.Scope, fresh_process: bool = False) -> dict[str, list[dict[str, Any]]]:
    """What a dashboard page computes when its figures are not cached: a new DuckDB connection, the
    trend tables opened from the watermark, the metric set for the scope.

    ``fresh_process``: forget the metric queries compiled by earlier pages first, as in the first page
    a new process serves (Python's imports stay loaded).
    """
    if fresh_process:
        forget_compiled()
    engine = DuckDBEngine(threads=2, memory_limit=MEMORY)
    try:
        result = service.compute(store, scope, engine, trend_tables=True)
        return {metric: result.rows(metric) for metric in result.results}
    finally:
        engine.close()


def daily_refresh(store: EventStore, tables: TrendTables, engine: DuckDBEngine, events: int) -> None:
    """The refresh after a daily report (30,000 events, or 1 % of a smaller store) into June, the month
    holding 60 % of the store, then the same source counts counted again from every part as a rebuild
    counts them (what a refresh would cost if it counted the touched periods again), and both compared
    row for row."""
    count = min(DAILY_EVENTS, max(events // 100, 1))
    load = os.getloadavg()[0]
    daily = small_import(store, store.events_dir / "month=2026-06" / "bench-2026-06.parquet", count, "bench-daily")
    started = time.perf_counter()
    summary = tables.refresh(engine)
    refresh = time.perf_counter() - started
    started = time.perf_counter()
    rows, differing = tables.verify_counts(engine)
    recount = time.perf_counter() - started
    limit = TARGET_REFRESH_SECONDS[events > 10_000_000]
    print(
        f"  c. refresh after a daily import of {count:,} events into 2026-06 ({daily}): {refresh:.2f} s "
        f"(< {limit:.0f} s: {verdict(refresh < limit)}), {summary.parts} parts; load {load:.2f}"
    )
    print(
        f"     the source counts counted again from every part (a rebuild's counts, and what the refresh "
        f"avoids): {recount:.2f} s; ratio {recount / refresh:.1f}; {rows:,} rows kept, "
        f"rows identical to the recount: {'yes' if not differing else f'NO: {differing} differ'}"
    )
    if differing:
        raise SystemExit("bench_trends: the source counts kept by the refreshes differ from a recount")


def filter_page_scopes(period: Any) -> tuple[tuple[str, metrics.Scope], ...]:
    """Every filter the dashboard offers, alone and with TLP (the viewer's labels)."""
    viewer = DASHBOARD_LABELS
    quarter, year = parse_period("2026-Q2"), parse_period("2026")
    return (
        ("the month, one sector", metrics.Scope(period, sectors=("government",), tlp_in=viewer)),
        ("the month, one class", metrics.Scope(period, taxonomies=("intrusion-attempts",), tlp_in=viewer)),
        (
            "the month, one sector and one class",
            metrics.Scope(period, sectors=("government",), taxonomies=("vulnerable",), tlp_in=viewer),
        ),
        ("quarter 2026-Q2", metrics.Scope(quarter, tlp_in=viewer)),
        ("quarter 2026-Q2, one sector", metrics.Scope(quarter, sectors=("government",), tlp_in=viewer)),
        ("year 2026", metrics.Scope(year, tlp_in=viewer)),
        ("year 2026, one class", metrics.Scope(year, taxonomies=("intrusion-attempts",), tlp_in=viewer)),
        ("the month, one country", metrics.Scope(period, countries=("PY",), tlp_in=viewer)),
        ("the month, a small country, all labels", metrics.Scope(period, countries=("UY",))),
        ("days 2026-06-01..2026-06-15", metrics.Scope(parse_period("2026-06-01..2026-06-15"), tlp_in=viewer)),
        (
            "days 2026-06-10..2026-06-12, one sector",
            metrics.Scope(parse_period("2026-06-10..2026-06-12"), sectors=("finance",), tlp_in=viewer),
        ),
        ("the month, one type", metrics.Scope(period, types=("phishing",), tlp_in=viewer)),
        ("the month, one feed", metrics.Scope(period, feeds=("scan_telnet",), tlp_in=viewer)),
        ("the month, two sectors", metrics.Scope(period, sectors=("government", "finance"), tlp_in=viewer)),
        (
            "the month, two classes, one country",
            metrics.Scope(period, taxonomies=("vulnerable", "fraud"), countries=("PY",), tlp_in=viewer),
        ),
    )


def serve_pages(root: Path, target: Path) -> None:
    """The child process of :func:`filter_pages`: time each page, write the times and rows to ``target``."""
    store = EventStore(root)
    served = []
    for _name, chosen in filter_page_scopes(parse_period(PERIOD)):
        times, rows = timed(lambda chosen=chosen: page(store, chosen), rounds=PAGE_ROUNDS)
        served.append((times, rows))
    target.write_bytes(pickle.dumps(served))


def filter_pages(store: EventStore, period: Any, large: bool) -> None:
    """Every filter the dashboard offers: a cold page each, its rows checked equal to the raw events'.

    The pages are timed in a child process that serves pages and nothing else, as a web server's worker
    does: in this process, after the reference runs over millions of raw events, the same page takes 1.4
    to 1.7 times longer (memory the raw runs left behind; measured in run 8 of docs/performance-trends.md).
    """
    limit = TARGET_FILTER_MS[large]
    pages = filter_page_scopes(period)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
        target = Path(folder) / "pages.pickle"
        subprocess.run([sys.executable, __file__, "--serve-pages", str(store.root), str(target)], check=True)
        served = pickle.loads(target.read_bytes())  # noqa: S301 (written just now by this script's child)
    engine = DuckDBEngine(threads=2, memory_limit=MEMORY)
    try:
        frames = service.store_frames(store, engine)
        missed = []
        for (name, chosen), (times, rows) in zip(pages, served, strict=True):
            differing = same(run_set(engine, frames, chosen), rows)
            median = statistics.median(times)
            met = median * 1000 < limit
            if not met:
                missed.append(name)
            print(
                f"     other page, {name}: {describe(times)} (< {limit:.0f} ms: {verdict(met)}; "
                f"load {os.getloadavg()[0]:.2f}); rows identical to the raw events': "
                f"{'yes' if not differing else 'NO: ' + ', '.join(differing)}"
            )
            if differing:
                raise SystemExit(f"bench_trends: the page {name} differs from the raw events")
        print(f"     filtered pages under {limit:.0f} ms: {len(pages) - len(missed)} of {len(pages)}")
    finally:
        engine.close()


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    events = int(os.environ.get("CYBERPLAN_BENCH_TREND_EVENTS", "10000000"))
    steps = set((os.environ.get("CYBERPLAN_BENCH_TREND_STEPS") or ",".join(STEPS)).split(","))
    large = events > 10_000_000
    parent = os.environ.get("CYBERPLAN_DATA_DIR") or None
    work = Path(tempfile.mkdtemp(prefix="bench-trends-", dir=parent))
    try:
        print(f"  commit: {commit_name()}")
        print(f"  load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
        store = EventStore(work / "store")
        started = time.perf_counter()
        generate(store, events)
        size = directory_size(store.events_dir)
        print(
            f"  {events:,} events written as Parquet in {time.perf_counter() - started:.1f} s "
            f"({size / 1e6:.0f} MB, 3 imports); period {PERIOD}, compared with 2026-05 and 2025-06"
        )
        period = parse_period(PERIOD)
        scope = metrics.Scope(period)
        dashboard = metrics.Scope(period, tlp_in=DASHBOARD_LABELS)

        engine = DuckDBEngine(threads=2, memory_limit=MEMORY)
        tables = TrendTables(store)
        started = time.perf_counter()
        summary = tables.refresh(engine)
        build = time.perf_counter() - started
        print(
            f"  c. trend tables: first refresh ({summary.imports} imports) {build:.2f} s, "
            f"{directory_size(tables.root) / 1e6:.0f} MB on disk"
        )
        late_count = max(events // 100, 1)
        late = small_import(store, store.events_dir / "month=2026-06" / "bench-2026-06.parquet", late_count)
        started = time.perf_counter()
        summary = tables.refresh(engine)
        print(
            f"     incremental refresh after one import of {late_count:,} events ({late}): "
            f"{time.perf_counter() - started:.2f} s, {summary.parts} parts; sizes: "
            + ", ".join(f"{name} {rows_of(tables, name):,} rows" for name in TABLE_NAMES)
        )

        if "refresh" in steps:
            daily_refresh(store, tables, engine, events)

        raw_rows: dict[str, list[dict[str, Any]]] = {}
        if "reference" in steps:
            # The reference: the metric set on the raw events (all four imports), Ibis and hand-written SQL.
            frames = service.store_frames(store, engine)
            times, raw_rows = timed(lambda: run_set(engine, frames, scope), rounds=RAW_ROUNDS)
            raw_median = statistics.median(times)
            print(
                f"  a. reference: Ibis on DuckDB over the raw events, {len(metrics.METRICS)} metrics: {describe(times)}"
            )
            times, sql_rows = timed(lambda: baseline(store), rounds=RAW_ROUNDS)
            sql_median = statistics.median(times)
            differing = same(raw_rows, sql_rows)
            print(f"  b. reference: hand-written DuckDB SQL over the raw events, same metrics: {describe(times)}")
            if differing:
                print(f"     ROWS DIFFER from Ibis's for: {', '.join(differing)}")
                raise SystemExit("bench_trends: the baseline and the metric set disagree")
            print(
                f"     rows identical to Ibis's for every metric; ratio a/b {raw_median / sql_median:.2f} "
                f"(<= {TARGET_RATIO}: {verdict(raw_median / sql_median <= TARGET_RATIO)})"
            )
            dashboard_raw = run_set(engine, frames, dashboard)

            # The metric set as cyberplan computes it for the dashboard and the report: the trend tables.
            results = {}
            for name, chosen, expected in (
                ("all labels", scope, raw_rows),
                ("TLP up to amber+strict", dashboard, dashboard_raw),
            ):
                fresh, _ = timed(lambda chosen=chosen: page(store, chosen, fresh_process=True), rounds=PAGE_ROUNDS)
                times, rows = timed(lambda chosen=chosen: page(store, chosen), rounds=PAGE_ROUNDS)
                labels = None if chosen.tlp_in is None else chosen.tlp_in
                hand_times, hand_rows = timed(lambda labels=labels: baseline_tables(tables, labels), rounds=PAGE_ROUNDS)
                ibis_median, hand_median = statistics.median(times), statistics.median(hand_times)
                results[name] = (ibis_median, hand_median)
                differing = same(expected, rows) + same(expected, hand_rows)
                print(
                    f"  c. metric set on the trend tables, {name}, a cold dashboard page (figures not cached, new "
                    f"connection; the process has compiled the metric queries before): {describe(times)}; "
                    f"< {TARGET_PAGE_MS:.0f} ms: {verdict(ibis_median * 1000 < TARGET_PAGE_MS)}; "
                    f"< {TARGET_RAW_SECONDS:.0f} s: {verdict(ibis_median < TARGET_RAW_SECONDS)}"
                )
                print(
                    f"     the same as the first page of a new process (every query compiled): {describe(fresh)}; "
                    f"< {TARGET_PAGE_MS:.0f} ms: {verdict(statistics.median(fresh) * 1000 < TARGET_PAGE_MS)}"
                )
                print(
                    f"     hand-written DuckDB SQL over the same trend tables: {describe(hand_times)}; ratio "
                    f"{ibis_median / hand_median:.2f} (<= {TARGET_RATIO}: {verdict(ibis_median / hand_median <= TARGET_RATIO)}); "
                    f"rows of both identical to the raw events': {'yes' if not differing else 'NO: ' + ', '.join(differing)}"
                )
        # Other dashboard pages (viewer's labels): their figures checked equal to the raw events'.
        if "pages" in steps:
            filter_pages(store, period, large)
        engine.close()
        engine = DuckDBEngine(threads=2, memory_limit=MEMORY)
        slowest = per_metric(engine, tables.frames(engine), dashboard)[:5]
        engine.close()
        print(
            "     slowest metrics alone (dashboard scope): "
            + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in slowest)
        )
        print(
            f"  load average after DuckDB: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
        )

        if "spark" in steps and raw_rows:
            spark_figures(store, scope, raw_rows)
        if "pdf" in steps:
            pdf_hook(store)
        print(f"  load average at the end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-pages"]:
        serve_pages(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
