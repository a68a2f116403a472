"""The source counts kept up to date at each import equal a rebuild's, and every filtered page the raw
events, over generated stores: addresses reported again in later imports, IPv4 and IPv6, several TLP
labels (one the counts do not tell apart), imports that touch several months, quarters and years."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyberplan.analytics import metrics
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore
from tests.analytics.support import event, write_store
from tests.analytics.test_trend_tables import counts_rows, raw, tabled

pytestmark = pytest.mark.slow

ADDRESSES = [f"192.0.2.{n}" for n in range(1, 9)] + [f"2001:db8::{n:x}" for n in range(1, 6)] + ["198.51.100.7"]
LABELS = ["clear", "green", "amber", "amber+strict", "red", "white"]
#: (taxonomy, type, feed)
KINDS = [
    ("vulnerable", "vulnerable-system", "scan_telnet"),
    ("malicious-code", "infected-system", "sinkhole"),
    ("fraud", "phishing", "phish_feed"),
]
FAMILIES = ["mirai", "emotet", None]
SECTORS = [None, "government", "finance", "telecommunications"]
#: days in 2025-07 (a year earlier), 2026-04 to 2026-08 (several months and two quarters), 2027-01 (the next year)
DAYS = ["2025-07-03", "2026-04-30", "2026-05-02", "2026-06-01", "2026-06-15", "2026-06-30", "2026-07-01", "2026-07-14",
        "2026-07-31", "2026-08-09", "2027-01-05"]  # fmt: skip


def generated_event(rng: random.Random) -> dict[str, Any]:
    taxonomy, type_, feed = rng.choice(KINDS)
    address = rng.choice(ADDRESSES)
    return event(
        f"{rng.choice(DAYS)}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00",
        ip=address,
        taxonomy=taxonomy,
        type_=type_,
        feed=feed,
        sector=rng.choice(SECTORS),
        # one address, one country (as geolocation gives), some unknown
        country=["PY", "AR", None][ADDRESSES.index(address) % 3],
        tlp=rng.choice(LABELS),
        # infected systems name their malware family, or not
        malware=rng.choice(FAMILIES) if type_ == "infected-system" else None,
    )


def generated_imports(seed: int, imports: int) -> list[list[dict[str, Any]]]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    return [[generated_event(rng) for _ in range(rng.randrange(1, 25))] for _ in range(imports)]


@pytest.fixture(scope="module")
def engine() -> Iterator[DuckDBEngine]:
    duckdb = DuckDBEngine(threads=1)
    yield duckdb
    duckdb.close()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), imports=st.integers(2, 5))
def test_counts_kept_at_each_import_equal_a_rebuild_row_for_row(
    tmp_path_factory: pytest.TempPathFactory, engine: DuckDBEngine, seed: int, imports: int
) -> None:
    root = tmp_path_factory.mktemp("store")
    tables = TrendTables(EventStore(root))
    for number, batch in enumerate(generated_imports(seed, imports), start=1):
        write_store(root, batch, f"imp-{number}")
        tables.refresh(engine)
    incremental = counts_rows(tables)
    assert incremental  # the generated events have addresses: there is something to count
    tables.rebuild(engine)
    assert counts_rows(tables) == incremental


VIEWER = ("clear", "green", "amber")
SCOPES = {
    "month": metrics.Scope(parse_period("2026-06")),
    "quarter-viewer": metrics.Scope(parse_period("2026-Q3"), tlp_in=VIEWER),
    "year": metrics.Scope(parse_period("2026")),
    "country": metrics.Scope(parse_period("2026-06"), countries=("PY",)),
    "country-tlp": metrics.Scope(parse_period("2026-07"), countries=("AR",), tlp_in=VIEWER),
    "days": metrics.Scope(parse_period("2026-06-15..2026-07-14")),
    "days-sector-tlp": metrics.Scope(parse_period("2026-06-01..2026-06-30"), sectors=("finance",), tlp_in=VIEWER),
    "type": metrics.Scope(parse_period("2026-07"), types=("phishing",)),
    "feed-tlp": metrics.Scope(parse_period("2026-Q2"), feeds=("sinkhole",), tlp_in=("red", "amber")),
    "sectors": metrics.Scope(parse_period("2026-06"), sectors=("government", "finance")),
    "classes-country": metrics.Scope(
        parse_period("2026-07"), taxonomies=("vulnerable", "fraud"), countries=("PY",), tlp_in=VIEWER
    ),
    "sector-class-year": metrics.Scope(parse_period("2026"), sectors=("government",), taxonomies=("fraud",)),
    "odd-label": metrics.Scope(parse_period("2026-06"), tlp_in=("white",)),
    # the quarter after the last one with events: its remediation is all of the quarter before
    "after-last": metrics.Scope(parse_period("2027-Q2")),
}


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory, engine: DuckDBEngine) -> EventStore:
    root = tmp_path_factory.mktemp("generated")
    tables = TrendTables(EventStore(root))
    for number, batch in enumerate(generated_imports(2026, 4), start=1):
        write_store(root, [*batch, *generated_imports(number, 1)[0]] * 3, f"imp-{number}")
        tables.refresh(engine)
    return EventStore(root)


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_every_filtered_page_equals_the_raw_events(
    generated_store: EventStore, engine: DuckDBEngine, name: str
) -> None:
    scope = SCOPES[name]
    # a month, quarter or year within at most one sector, class and country reads the source counts
    answered = name in {"month", "quarter-viewer", "year", "country", "country-tlp", "sector-class-year", "after-last"}
    ctx = metrics.context(TrendTables(generated_store).frames(engine), scope)
    assert (ctx.counts is not None) == answered
    # exposure (sources per victim country) reads the counts per country then, not the sources frame
    assert (ctx.country_counts is not None) == answered
    expected = raw(generated_store, engine, scope)
    assert expected["sources_total"][0]["sources"] > 0 or name in {"odd-label", "type", "feed-tlp", "after-last"}
    # the rows the counts give per family and of remediation are there to compare
    assert expected["by_family"] or not answered or name in {"sector-class-year", "after-last"}
    assert expected["remediation"] or not answered or name == "sector-class-year"
    assert tabled(generated_store, engine, scope) == expected
