"""DuckDB and Spark give identical rows for the whole metric set, on raw events and on trend tables.

Spark runs in local mode on 127.0.0.1 (Java 17 comes with ``scripts/bootstrap.sh --test``); one
session serves the module and is stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest

from cyberplan.analytics import metrics, service
from cyberplan.analytics.engines import DuckDBEngine, Engine, SparkEngine, spark_session
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, write_store

pytestmark = pytest.mark.spark

SEED = 20260715
EVENTS = 12_000

FEEDS = [
    ("scan_telnet", "Shadowserver", "vulnerable", "vulnerable-system", "telnet"),
    ("scan_smb", "Shadowserver", "vulnerable", "vulnerable-system", "smb"),
    ("event4_honeypot_brute_force", "Shadowserver", "intrusion-attempts", "brute-force", "ssh"),
    ("misp", "CERT-PY", "malicious-code", "infected-system", "mirai"),
    ("stix", "CERT-PY", "malicious-code", "c2-server", None),
    ("phishing", "Abuse.ch", "fraud", "phishing", ""),
    ("event4_sinkhole", "Shadowserver", "malicious-code", "infected-system", "sinkhole"),
]
# The malware family a sinkhole event names (its identifier too, as the importer sets it), or none.
FAMILIES = ["necurs", "andromeda", "zeroaccess", "cyclops-blink", None]
SECTORS = ["government", "defence", "justice", "finance", "health", "education", "telecommunications",
           "individuals", "energy", None, ""]  # fmt: skip
COUNTRIES = ["PY", "PY", "PY", "AR", "BR", None, ""]
TLPS = ["clear", "green", "amber", "amber", "red", None]
SEVERITIES = ["low", "medium", "high", "critical", None]
# Months: the period measured (June 2026), the one before, a year earlier, and one outside them.
MONTHS = [(dt.date(2026, 6, 1), 30, 5), (dt.date(2026, 5, 1), 31, 3), (dt.date(2025, 6, 1), 30, 2),
          (dt.date(2026, 4, 1), 30, 1)]  # fmt: skip


def generated_events(rng: random.Random, count: int) -> list[dict[str, Any]]:
    events = []
    weights = [m[2] for m in MONTHS]
    for _ in range(count):
        first, days, _weight = rng.choices(MONTHS, weights)[0]
        when = dt.datetime(first.year, first.month, first.day, tzinfo=dt.UTC) + dt.timedelta(
            seconds=rng.randrange(days * 86400)
        )
        if rng.random() < 0.04:  # an incident record: VERIS, or a STIX incident object
            veris = rng.random() < 0.7
            extra: dict[str, Any] = {"stix.type": "incident"} if not veris else {}
            if veris and rng.random() < 0.6:
                extra["response_hours"] = rng.choice([0.5, 1, 2.25, 4, 12, 36.5, 72])
            events.append(
                event(
                    when.isoformat(),
                    ip=None,
                    taxonomy=rng.choice(["fraud", "intrusions", "malicious-code"]),
                    type_=rng.choice(["phishing", "system-compromise", "infected-system"]),
                    identifier=None,
                    sector=rng.choice(SECTORS),
                    organisation=rng.choice(["Ministry A", "Bank B", "Hospital H", None]),
                    country=rng.choice(COUNTRIES),
                    feed="veris" if veris else "stix",
                    provider=rng.choice(["vcdb", "mitic", "cert-py"]),
                    tlp=rng.choice(TLPS),
                    severity=rng.choice(SEVERITIES),
                    extra=extra or None,
                    canonical_extra=rng.random() < 0.5,
                )
            )
            continue
        feed, provider, taxonomy, type_, identifier = rng.choice(FEEDS)
        family = rng.choice(FAMILIES) if feed == "event4_sinkhole" else ("mirai" if feed == "misp" else None)
        identifier = family if feed == "event4_sinkhole" else identifier
        # Skewed addresses: a few noisy ones, a long tail; each /24 has its sector, AS and organisation.
        address = int(rng.paretovariate(1.2)) % 3000
        network = address // 64
        sector = SECTORS[network % len(SECTORS)]
        asn = None if network % 9 == 0 else 64500 + network % 13
        events.append(
            event(
                when.isoformat(),
                ip=f"10.{address // 256}.{address % 256}.{network % 7}",
                taxonomy=taxonomy,
                type_=type_,
                identifier=identifier,
                sector=sector,
                organisation=None if not sector else f"org-{network}",
                country=COUNTRIES[network % len(COUNTRIES)],
                asn=asn,
                as_name=None if asn is None else f"AS-{asn}",
                network=None if network % 11 == 0 else f"10.{network}.0.0/24",
                feed=feed,
                provider=provider,
                tlp=rng.choice(TLPS),
                severity=rng.choice(SEVERITIES),
                malware=family,
            )
        )
    return events


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EventStore:
    rng = random.Random(SEED)  # noqa: S311 - seeded test data, not secrets
    root = tmp_path_factory.mktemp("parity")
    events = generated_events(rng, EVENTS)
    # Three imports, so that the trend tables have several parts.
    write_store(root, events[: EVENTS // 2], "imp-1")
    write_store(root, events[EVENTS // 2 : EVENTS * 5 // 6], "imp-2", chunks=2)
    store = write_store(root, events[EVENTS * 5 // 6 :], "imp-3")
    tables = TrendTables(store)
    tables.refresh()
    return store


@pytest.fixture(scope="module")
def duckdb() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    session = spark_session("local[2]")
    try:
        yield SparkEngine(session=session)
    finally:
        session.stop()


SCOPES = {
    "month": metrics.Scope(parse_period("2026-06")),
    "filtered-quarter": metrics.Scope(
        parse_period("2026-Q2"),
        sectors=("government", "telecommunications", "unknown"),
        tlp_in=("clear", "green", "amber", "unknown"),
    ),
}


def rows(engine: Engine, frames: Any, scope: metrics.Scope) -> dict[str, list[dict[str, Any]]]:
    result = metrics.run(engine, frames, scope)
    return {metric_id: result.rows(metric_id) for metric_id in result.results}


def test_the_data_covers_every_dimension(store: EventStore, duckdb: DuckDBEngine) -> None:
    june = rows(duckdb, service.store_frames(store, duckdb), SCOPES["month"])
    assert june["totals"][0]["events"] > 4000
    assert {r["category"] for r in june["by_category"]} == {"government", "private", "individuals", "unknown"}
    assert "unknown" in {r["country"] for r in june["by_country"]}
    assert any(r["asn"] is None for r in june["top_asn"]) or len(june["top_asn"]) == metrics.TOP
    assert any(r["with_time"] > 0 for r in june["incident_response"])
    assert any(r["mean_hours"] is None for r in june["incident_response"]) or len(june["incident_response"]) == 3
    assert june["new_vs_recurring"][0]["recurring"] > 0 and june["new_vs_recurring"][0]["new"] > 0
    assert {r["family"] for r in june["by_family"]} == {"necurs", "andromeda", "zeroaccess", "cyclops-blink", "mirai"}
    assert all(0 < r["sources"] <= r["events"] for r in june["by_family"])
    assert all(june[metric.id] for metric in metrics.METRICS), "every metric has rows"


def test_duckdb_and_spark_agree_on_raw_events(store: EventStore, duckdb: DuckDBEngine, spark: SparkEngine) -> None:
    scope = SCOPES["month"]
    expected = rows(duckdb, service.store_frames(store, duckdb), scope)
    got = rows(spark, service.store_frames(store, spark), scope)
    for metric in metrics.METRICS:
        assert got[metric.id] == expected[metric.id], metric.id


def test_spark_on_trend_tables_agrees_with_duckdb_on_raw_events(
    store: EventStore, duckdb: DuckDBEngine, spark: SparkEngine
) -> None:
    # Another period and filters (and the weekly timeline of a quarter), over the pre-aggregated tables.
    scope = SCOPES["filtered-quarter"]
    expected = rows(duckdb, service.store_frames(store, duckdb), scope)
    got = rows(spark, TrendTables(store).frames(spark), scope)
    for metric in metrics.METRICS:
        assert got[metric.id] == expected[metric.id], metric.id
