"""DuckDB and Spark give identical rows for the regional metric set over the pooled events.

Spark runs in local mode on 127.0.0.1 (Java 17 comes with ``scripts/bootstrap.sh --test``); one session serves
the module and is stopped at the end. No Django: the metric set is the analytics' Ibis expressions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cyberplan.analytics.engines import DuckDBEngine, Engine, SparkEngine, spark_session
from cyberplan.analytics.periods import parse_period
from cyberplan.regional import pooled_metrics, pooled_synth

pytestmark = pytest.mark.spark

COUNTRIES = ("AR", "BR", "PY")
ADDRESSES = {"AR": 65536, "BR": 131072, "PY": 4096}


def odd_rows() -> pa.Table:
    """Rows the generator does not make: no address, empty class and type, a label outside the pool's."""
    schema = pooled_metrics.pool_schema()
    when = dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC)
    rows: list[dict[str, Any]] = [
        {"event_id": "odd-1", "time.source": when, "source.ip": None, "classification.taxonomy": "fraud",
         "classification.type": "phishing", "tlp": "green", "member": "PY"},
        {"event_id": "odd-2", "time.source": when, "source.ip": "100.64.9.9", "classification.taxonomy": "",
         "classification.type": None, "tlp": "clear", "member": "PY"},
        {"event_id": "odd-3", "time.source": when, "source.ip": "100.64.9.8", "classification.taxonomy": "fraud",
         "classification.type": "phishing", "tlp": "amber", "member": "PY"},
    ]  # fmt: skip
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names} for row in rows], schema=schema)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("pool")
    paths = []
    for index, country in enumerate(COUNTRIES):
        path = root / f"member={country}" / "synthetic.parquet"
        pooled_synth.write_country(path, country, 4000 + 1000 * index, index=index)
        paths.append(path)
    odd = root / "member=PY" / "odd.parquet"
    pq.write_table(odd_rows(), odd)
    return [*paths, odd]


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


def rows(engine: Engine, paths: list[Path], period: str, countries: tuple[str, ...] = ()) -> dict[str, Any]:
    scope = pooled_metrics.regional_scope(parse_period(period), countries)
    return pooled_metrics.run(engine, pooled_metrics.pool_table(engine, paths), scope, ADDRESSES).rows


def test_the_pool_covers_every_metric_and_leaves_out_what_is_not_clear_or_green(
    pool: list[Path], duckdb: DuckDBEngine
) -> None:
    got = rows(duckdb, pool, "2026-Q2")
    assert all(got[metric.id] for metric in pooled_metrics.METRICS), "every metric has rows"
    assert {r["country"] for r in got["events_by_country"]} == set(COUNTRIES)
    events = sum(r["events"] for r in got["events_by_country"])
    assert events == sum(r["events"] for r in got["events_by_month"])
    # The odd rows: two of the three count (the amber one never does), one of them under 'unknown'.
    assert any(r["taxonomy"] == "unknown" and r["country"] == "PY" for r in got["events_by_month"])
    fraud = {(r["month"], r["taxonomy"], r["country"]): r["events"] for r in got["events_by_month"]}
    synthetic_only = rows(duckdb, pool[:-1], "2026-Q2")
    before = {(r["month"], r["taxonomy"], r["country"]): r["events"] for r in synthetic_only["events_by_month"]}
    key = (dt.date(2026, 5, 1), "fraud", "PY")
    assert fraud[key] == before[key] + 1
    assert any(r["flag"] in ("rise", "fall") for r in got["change_year"])


def test_duckdb_and_spark_agree_on_the_regional_metric_set(
    pool: list[Path], duckdb: DuckDBEngine, spark: SparkEngine
) -> None:
    expected = rows(duckdb, pool, "2026-Q2")
    got = rows(spark, pool, "2026-Q2")
    for metric in pooled_metrics.METRICS:
        assert got[metric.id] == expected[metric.id], metric.id


def test_duckdb_and_spark_agree_on_a_month_of_two_members(
    pool: list[Path], duckdb: DuckDBEngine, spark: SparkEngine
) -> None:
    expected = rows(duckdb, pool, "2026-05", ("PY", "BR"))
    assert {r["country"] for r in expected["events_by_country"]} == {"PY", "BR"}
    got = rows(spark, pool, "2026-05", ("PY", "BR"))
    for metric in pooled_metrics.METRICS:
        assert got[metric.id] == expected[metric.id], metric.id
