"""The figures an annual report needs, on small stores worked out by hand, on raw events and trend tables.

Time to close as median and 90th percentile (weighted, so alike incidents grouped in the trend tables
count as many), remediation per class and sector, the yearly history whatever the period, the victim
category from the holder's type, and the exposure figure and its registry counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from cyberplan.analytics import annual, metrics, service
from cyberplan.analytics.annual import per_thousand
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.periods import parse_period
from cyberplan.pipeline.registry import count_blocks
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, write_store


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    duckdb = DuckDBEngine(threads=1)
    yield duckdb
    duckdb.close()


@pytest.fixture(params=["raw-events", "trend-tables"])
def trend_tables(request: pytest.FixtureRequest) -> bool:
    return bool(request.param == "trend-tables")


def rows(store: EventStore, engine: DuckDBEngine, period: str, metric: str, tables: bool, **filters: Any) -> Any:
    scope = metrics.Scope(parse_period(period), **filters)
    return service.compute(store, scope, engine, trend_tables=tables).rows(metric)


def veris(day: str, type_: str, hours: float | None = None, status: str | None = None) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if hours is not None:
        extra["response_hours"] = hours
    if status is not None:
        extra["security_incident"] = status
    return event(f"2026-03-{day}T10:00:00", ip=None, taxonomy="fraud", type_=type_, feed="veris", provider="vcdb",
                 extra=extra or None, canonical_extra=True)  # fmt: skip


def test_time_to_close_median_and_90th_percentile(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    # phishing: 1 h three times (identical records: one row of weight 3 in the trend tables), 2 h, 5 h four
    # times, 40 h twice: 10 timed incidents, sorted 1 1 1 2 5 5 5 5 40 40. The median is the 5th (5 h), the
    # 90th percentile the 9th (40 h); the mean is (3 + 2 + 20 + 80) / 10 = 10.5. One more without a time.
    # malware: 7 h alone: median and 90th percentile 7 h. All 12 incidents: 11 timed, sorted 1 1 1 2 5 5 5 5
    # 7 40 40: the median is the 6th (5 h), the 90th percentile the 10th (ceil(9.9)) (40 h); mean 112 / 11.
    events = [veris("02", "phishing", 1.0) for _ in range(3)] + [veris("03", "phishing", 2.0)]
    events += [veris("04", "phishing", 5.0) for _ in range(4)] + [veris("05", "phishing", 40.0) for _ in range(2)]
    events += [veris("06", "phishing"), veris("07", "malware", 7.0)]
    store = write_store(tmp_path, events)
    assert rows(store, engine, "2026-03", "incident_times", trend_tables) == [
        {"overall": True, "type": None, "incidents": 12, "with_time": 11, "mean_hours": round(112 / 11, 2),
         "median_hours": 5.0, "p90_hours": 40.0},
        {"overall": False, "type": "phishing", "incidents": 11, "with_time": 10, "mean_hours": 10.5,
         "median_hours": 5.0, "p90_hours": 40.0},
        {"overall": False, "type": "malware", "incidents": 1, "with_time": 1, "mean_hours": 7.0,
         "median_hours": 7.0, "p90_hours": 7.0},
    ]  # fmt: skip


def test_incidents_by_status(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    # VERIS writes Confirmed or Suspected; the status is kept in lower case, a record without one is unknown.
    events = [veris("02", "phishing", status="Confirmed"), veris("03", "phishing", status="Confirmed")]
    events += [veris("04", "phishing", status="Suspected"), veris("05", "phishing")]
    store = write_store(tmp_path, events)
    assert rows(store, engine, "2026-03", "incidents_by_status", trend_tables) == [
        {"status": "confirmed", "events": 2},
        {"status": "suspected", "events": 1},
        {"status": "unknown", "events": 1},
    ]


def vulnerable(when: str, ip: str, sector: str, **fields: Any) -> dict[str, Any]:
    return event(when, ip=ip, sector=sector, **fields)


def infected(when: str, ip: str, sector: str) -> dict[str, Any]:
    return event(when, ip=ip, sector=sector, taxonomy="malicious-code", type_="infected-system", identifier="mirai")


def test_remediation_per_class_and_sector(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    # February: vulnerable .1 .2 .3 (energy), .4 (health); infected .9 (energy); brute-force .7 (not followed).
    # March: .1 again (energy); .4 again but now in energy (moved: gone from health); .9 infected again.
    events = [vulnerable("2026-02-03T10:00:00", f"192.0.2.{i}", "energy") for i in (1, 2, 3)]
    events += [
        vulnerable("2026-02-04T10:00:00", "192.0.2.4", "health"),
        infected("2026-02-05T10:00:00", "192.0.2.9", "energy"),
    ]
    events += [event("2026-02-06T10:00:00", ip="192.0.2.7", taxonomy="intrusion-attempts", type_="brute-force")]
    events += [
        vulnerable("2026-03-03T10:00:00", "192.0.2.1", "energy"),
        vulnerable("2026-03-04T10:00:00", "192.0.2.4", "energy"),
    ]
    events += [infected("2026-03-05T10:00:00", "192.0.2.9", "energy")]
    store = write_store(tmp_path, events)
    # Sectors: energy saw .1 .2 .3 .9 (4), .2 and .3 are gone; health saw .4, gone from health.
    # Classes: vulnerable saw .1-.4 (4), .2 .3 gone; malicious-code saw .9, still there.
    assert rows(store, engine, "2026-03", "remediation", trend_tables) == [
        {"dimension": "sector", "series": "energy", "seen": 4, "gone": 2, "share": 0.5},
        {"dimension": "sector", "series": "health", "seen": 1, "gone": 1, "share": 1.0},
        {"dimension": "taxonomy", "series": "vulnerable", "seen": 4, "gone": 2, "share": 0.5},
        {"dimension": "taxonomy", "series": "malicious-code", "seen": 1, "gone": 0, "share": 0.0},
    ]
    # Within a sector filter, only that sector's addresses are followed.
    assert rows(store, engine, "2026-03", "remediation", trend_tables, sectors=("health",)) == [
        {"dimension": "sector", "series": "health", "seen": 1, "gone": 1, "share": 1.0},
        {"dimension": "taxonomy", "series": "vulnerable", "seen": 1, "gone": 1, "share": 1.0},
    ]


def test_history_of_many_years(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    # Events in 2021 (2), 2023 (1, health), 2026 (1): a report of June 2025 shows 2021 and 2023, not 2026
    # (after its year); 2022 and 2024 had nothing, so they have no row.
    events = [
        vulnerable("2021-05-01T10:00:00", "192.0.2.1", "energy"),
        vulnerable("2021-12-31T23:00:00", "192.0.2.1", "energy"),
    ]
    events += [
        vulnerable("2023-01-01T00:00:00", "192.0.2.2", "health"),
        vulnerable("2026-01-01T00:00:00", "192.0.2.3", "energy"),
    ]
    store = write_store(tmp_path, events)
    assert rows(store, engine, "2025-06", "history", trend_tables) == [
        {"year": 2021, "taxonomy": "vulnerable", "events": 2},
        {"year": 2023, "taxonomy": "vulnerable", "events": 1},
    ]
    # A range of days ending on 1 January 2026 ends in 2025; a sector filter applies to every year.
    assert rows(store, engine, "2025-12-01..2025-12-31", "history", trend_tables, sectors=("energy",)) == [
        {"year": 2021, "taxonomy": "vulnerable", "events": 2}
    ]
    assert rows(store, engine, "2026", "history", trend_tables)[-1] == {
        "year": 2026,
        "taxonomy": "vulnerable",
        "events": 1,
    }


def test_victim_category_from_the_holder_type(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    # A public body in finance (a state bank) is government; a private company in the government sector
    # (a contractor) is private; a holder marked individuals is individuals; without a type the sector decides.
    events = [
        vulnerable("2026-03-02T10:00:00", "192.0.2.1", "finance", organisation_type="public"),
        vulnerable("2026-03-02T10:00:00", "192.0.2.2", "education", organisation_type="public"),
        vulnerable("2026-03-02T10:00:00", "192.0.2.3", "government", organisation_type="private"),
        vulnerable("2026-03-02T10:00:00", "192.0.2.4", "energy", organisation_type="individuals"),
        vulnerable("2026-03-02T10:00:00", "192.0.2.5", "justice"),
    ]
    store = write_store(tmp_path, events)
    assert rows(store, engine, "2026-03", "by_category", trend_tables) == [
        {"category": "government", "events": 3},
        {"category": "individuals", "events": 1},
        {"category": "private", "events": 1},
    ]
    # The sector is kept for the sector chart.
    assert {r["sector"] for r in rows(store, engine, "2026-03", "by_sector", trend_tables)} == {
        "finance", "education", "government", "energy", "justice"}  # fmt: skip


def test_event_files_written_before_the_holder_type_existed(tmp_path: Path, engine: DuckDBEngine) -> None:
    store = write_store(tmp_path, [vulnerable("2026-03-02T10:00:00", "192.0.2.5", "justice")])
    [path] = store.files()
    table = pq.read_table(path)
    pq.write_table(table.drop_columns(["victim.organisation_type"]), path)
    for tables in (False, True):
        assert rows(store, engine, "2026-03", "by_category", tables) == [{"category": "government", "events": 1}]


def test_exposure_per_thousand_addresses(tmp_path: Path, engine: DuckDBEngine, trend_tables: bool) -> None:
    events = [vulnerable("2026-03-02T10:00:00", f"192.0.2.{i}", "energy", country="PY") for i in range(1, 4)]
    events += [vulnerable("2026-03-03T10:00:00", "192.0.2.1", "energy", country="PY")]  # the same address again
    events += [vulnerable("2026-03-02T10:00:00", "198.51.100.1", "energy", country="ZZ")]
    events += [vulnerable("2026-03-02T10:00:00", "198.51.100.2", "energy", country=None)]
    store = write_store(tmp_path, events)
    found = rows(store, engine, "2026-03", "exposure", trend_tables)
    assert found == [{"country": "PY", "sources": 3}, {"country": "ZZ", "sources": 1}]
    # 3 addresses among 1,536 (six /24 blocks): 3 * 1000 / 1536 = 1.953125; ZZ has no addresses: no figure.
    assert per_thousand(found, {"PY": 1536}.get) == [
        {"country": "PY", "sources": 3, "announced": 1536, "per_1000": 1.9531},
        {"country": "ZZ", "sources": 1, "announced": None, "per_1000": None},
    ]


def test_registry_counts() -> None:
    # 10 and 127 are never delegated; 8.8.8.0/24 is in the United States' registry data.
    assert count_blocks([10, 127, 0, 224]) == {}
    counts = count_blocks([8])
    assert counts["US"] >= 256 and all(value % 256 == 0 for value in counts.values())
    assert sum(counts.values()) <= 256 * 256 * 256


def test_hours_round_alike_whichever_order_they_were_summed_in() -> None:
    # The trend tables sum sums, the raw events sum values: at a mean of exactly x.xx5 the last bits of
    # the float decided the second decimal, and the dashboard disagreed with the report's reference path.
    hours = [37.5, 43.9, 50.8, 77.8, 52.1, 39.3, 49.0, 3.0]
    forward, backward = sum(hours) / 8, sum(reversed(hours)) / 8
    assert forward != backward and round(forward, 2) != round(backward, 2)
    period = parse_period("2026-06")
    rounded = [
        annual.round_hours([{"mean_hours": mean, "median_hours": None}], metrics.Scope(period))[0]["mean_hours"]
        for mean in (forward, backward)
    ]
    assert rounded[0] == rounded[1] == 44.17
