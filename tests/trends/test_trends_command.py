"""``cyberplan trends refresh`` and ``cyberplan trends metrics``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.threats.store import event_store
from tests.analytics.support import event, write_store
from tests.conftest import World

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    return tmp_path


def run(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("trends", *args, stdout=out, **options)
    return out.getvalue()


JULY = [
    event("2026-07-01T10:00:00", ip="192.0.2.1", sector="government", organisation="Ministry A"),
    event("2026-07-02T10:00:00", ip="192.0.2.2", sector="government", organisation="Ministry A"),
    event("2026-07-03T10:00:00", ip="192.0.2.2", sector="finance", organisation="Bank B"),
    event("2026-06-03T10:00:00", ip="192.0.2.1", sector="finance", organisation="Bank B"),
    event(
        "2026-07-04T10:00:00",
        ip=None,
        taxonomy="fraud",
        type_="phishing",
        identifier="phishing",
        sector="health",
        feed="veris",
        provider="vcdb",
        extra={"response_hours": 3},
    ),
]


def test_refresh_one_organisation_then_all(world: World) -> None:
    root = event_store(world.org_a).root
    write_store(root, JULY[:2], "imp-1")
    write_store(root, JULY[2:], "imp-2")
    assert run("refresh", organisation=world.org_a.slug) == "authority-a: 2 new imports aggregated, 1 parts.\n"
    assert TrendTables(event_store(world.org_a)).pending_imports() == []
    # All organisations, in the order of their short names; org B has no events.
    assert run("refresh") == "authority-a: up to date, 1 parts.\ncsirt-b: up to date, 0 parts.\n"
    write_store(root, [event("2026-07-20T10:00:00")], "imp-3")
    assert run("refresh") == "authority-a: 1 new imports aggregated, 2 parts.\ncsirt-b: up to date, 0 parts.\n"


def test_rebuild(world: World) -> None:
    root = event_store(world.org_a).root
    write_store(root, JULY[:2], "imp-1")
    run("refresh", organisation=world.org_a.slug)
    write_store(root, JULY[2:], "imp-2")
    run("refresh", organisation=world.org_a.slug)
    assert run("refresh", "--rebuild", organisation=world.org_a.slug) == (
        "authority-a: rebuilt from 2 imports, 1 parts.\n"
    )
    assert TrendTables(event_store(world.org_a)).aggregated_imports() == {"imp-1", "imp-2"}


def test_metrics_as_json(world: World) -> None:
    write_store(event_store(world.org_a).root, JULY)
    document = json.loads(run("metrics", organisation=world.org_a.slug, period="2026-07", format="json"))
    assert document["organisation"] == "authority-a"
    assert document["engine"] == "duckdb"
    assert document["scope"]["period"] == "2026-07"
    figures = document["metrics"]
    # July: three telnet events (government 2, finance 1) and one VERIS incident (health).
    assert figures["totals"] == [
        {
            "events": 4,
            "feeds": 2,
            "days": 4,
            "first_day": "2026-07-01",
            "last_day": "2026-07-04",
            "organisations": 2,
            "attributed": 3,
        }
    ]
    assert figures["by_sector"] == [
        {"sector": "government", "events": 2},
        {"sector": "finance", "events": 1},
        {"sector": "health", "events": 1},
    ]
    assert figures["incident_response"] == [{"type": "phishing", "incidents": 1, "with_time": 1, "mean_hours": 3.0}]
    # 192.0.2.1 was seen in June: recurring; 192.0.2.2 is new.
    assert figures["new_vs_recurring"] == [{"new": 1, "recurring": 1}]
    assert set(figures) >= {"change_previous", "change_year", "timeline", "top_asn"}


def test_metrics_from_the_trend_tables_are_the_same(world: World) -> None:
    write_store(event_store(world.org_a).root, JULY)
    raw = json.loads(run("metrics", organisation=world.org_a.slug, period="2026-07", format="json"))
    tabled = json.loads(
        run("metrics", "--trend-tables", organisation=world.org_a.slug, period="2026-07", format="json")
    )
    assert tabled == raw
    assert TrendTables(event_store(world.org_a)).pending_imports() == []


def test_metrics_as_a_table(world: World) -> None:
    write_store(event_store(world.org_a).root, JULY)
    text = run("metrics", organisation=world.org_a.slug, period="2026-07")
    lines = text.splitlines()
    assert lines[0] == ("Metrics of authority-a for 2026-07 (2026-07-01 to 2026-07-31), on duckdb: 4 events.")
    start = lines.index("== Events by sector (by_sector)")
    assert lines[start + 1 : start + 5] == [
        "sector      events",
        "government  2",
        "finance     1",
        "health      1",
    ]
    assert "== Organisations with most events (top_organisations)" in lines
    # Every metric has rows but the malware families: no event of these names a family.
    empty = [lines[i - 1] for i, line in enumerate(lines) if line == "(no rows)"]
    assert empty == ["== Events and infected addresses by malware family (by_family)"], empty


def test_an_empty_organisation_prints_zero_and_no_rows(world: World) -> None:
    text = run("metrics", organisation=world.org_b.slug, period="2026")
    assert text.splitlines()[0] == "Metrics of csirt-b for 2026 (2026-01-01 to 2026-12-31), on duckdb: 0 events."
    assert text.count("(no rows)") == 27  # every metric but totals, sources_total and new_vs_recurring


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (
            ("metrics",),
            {"organisation": "nope", "period": "2026"},
            "There is no organisation with the short name 'nope'.",
        ),
        (("refresh",), {"organisation": "nope"}, "There is no organisation with the short name 'nope'."),
        (("metrics",), {"organisation": "authority-a", "period": "2026-13"}, "'2026-13': month 13 does not exist"),
        (
            ("metrics",),
            {"organisation": "authority-a", "period": "next year"},
            "'next year' is not a period: write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range "
            "of days (2026-01-01..2026-03-31)",
        ),
    ],
)
def test_bad_input_is_refused_with_a_sentence(
    world: World, args: tuple[str, ...], options: dict[str, str], message: str
) -> None:
    with pytest.raises(CommandError) as caught:
        run(*args, **options)
    assert str(caught.value) == message


def test_no_organisations(db: None) -> None:
    assert run("refresh") == "There are no organisations.\n"


@pytest.mark.spark
def test_metrics_on_spark_match_duckdb(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CYBERPLAN_SPARK_MASTER", "local[1]")
    write_store(event_store(world.org_a).root, JULY)
    duckdb = json.loads(run("metrics", organisation=world.org_a.slug, period="2026-07", format="json"))
    spark = json.loads(run("metrics", organisation=world.org_a.slug, period="2026-07", format="json", engine="spark"))
    assert spark["engine"] == "spark"
    assert spark["metrics"] == duckdb["metrics"]
