"""The regional dashboard's figures and charts, from packages built with the real format: sums equal the
members' packages (suppressed cells kept), the per-1,000 arithmetic, the heat map's cells, the change test
against the previous period, the member choice, Convention status, and every chart drawn to SVG."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cyberplan.analytics.stats import benjamini_hochberg, rate_test
from cyberplan.regional import disclosure
from cyberplan.regional.analysis import (
    ALL_CLASSES,
    period_bounds,
    period_days,
    previous_period,
    regional_analysis,
    treaty_status,
)
from cyberplan.regional.charts import charts_for
from cyberplan.regional.package import PACKAGE_TYPE, bundle_of
from cyberplan.regional.regional_figures import REGION
from cyberplan.reports.charts import to_svg
from cyberplan.sharing.stix_out import Owner
from tests.regional.support import header, parts, threat_table

UY = Owner(key="authority-uy", name="Authority UY", since=dt.datetime(2026, 1, 7, tzinfo=dt.UTC))
YEAR_2025 = {"period": "2025", "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}


def package(country: str, figures: dict[str, Any], **changes: Any) -> tuple[str, dict[str, Any]]:
    member = {"member": UY, "country": "UY"} if country == "UY" else {}
    bundle = bundle_of(header(**member, **changes), figures)
    return country, next(o for o in bundle["objects"] if o["type"] == PACKAGE_TYPE)


def uy_figures() -> dict[str, Any]:
    figures = parts()
    figures["threats"] = disclosure.controlled(
        threat_table(
            ("2026-01", "intrusion-attempts", 50, 20),
            ("2026-01", "information-gathering", 7, 3),
            ("2026-02", "information-gathering", 100, 30),
            ("2026-02", "malicious-code", 60, 25),
        ),
        10,
    )
    figures["exposure"] = {"sources": {"value": 400}, "announced_ipv4": 1_000_000, "per_1000": 0.4}
    figures["assessment"] = {
        "framework": "cmm",
        "date": "2026-05-01",
        "factors": [{"factor": "D1.1", "stage": 2}, {"factor": "D2.1", "stage": 5}],
    }
    figures["legal"] = {
        "treaties": [
            {"treaty": "ets-185", "signed": "2022-01-10", "ratified": "2023-03-01", "in_force": "2023-07-01"},
            {"treaty": "cets-224", "signed": "2024-09-24"},
        ],
        "coverage": [{"treaty": "ets-185", "review_date": "2026-03-01", "applicable": 20, "covered_share": 0.8}],
    }
    return figures


def py_2025() -> dict[str, Any]:
    """PY a year earlier: far fewer information-gathering events, the same malicious code."""
    figures = parts()
    figures["threats"] = disclosure.controlled(
        threat_table(
            ("2025-01", "information-gathering", 60, 20),
            ("2025-01", "malicious-code", 30, 12),
            ("2025-02", "information-gathering", 40, 15),
            ("2025-02", "malicious-code", 15, 11),
        ),
        10,
    )
    return figures


@pytest.fixture
def pairs() -> list[tuple[str, dict[str, Any]]]:
    return [package("PY", parts()), package("UY", uy_figures()), package("PY", py_2025(), **YEAR_2025)]


def published_sum(cells: list[dict[str, Any]]) -> dict[str, Any]:
    if all(c.get("suppressed") for c in cells):
        return {"suppressed": True}
    return {"value": sum(c.get("value", 0) for c in cells), "at_least": any(c.get("suppressed") for c in cells)}


def test_periods_years_and_quarters() -> None:
    assert previous_period("2026") == "2025" and previous_period("2026-Q1") == "2025-Q4"
    assert previous_period("2026-Q3") == "2026-Q2"
    assert period_bounds("2026-Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert period_days("2026-Q1") == 90 and period_days("2024") == 366
    with pytest.raises(ValueError, match="quarter"):
        period_bounds("2026-Q5")


def test_the_trends_equal_the_sum_of_the_members_packages(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    analysis = regional_analysis(pairs, "2026")
    assert analysis.members == ["PY", "UY"] and analysis.previous == "2025"
    assert [(p.country, p.period) for p in analysis.packages] == [("PY", "2026"), ("UY", "2026")]
    current = [p for c, p in pairs if p["period"] == "2026"]
    for name, key, source in (
        ("monthly", ("month",), "months"),
        ("trends", ("month", "taxonomy"), "rows"),
        ("classes", ("taxonomy",), "rows"),
    ):
        figure = analysis.figures()[name]
        assert figure.members == ["PY", "UY"] and figure.periods == ["2026"]
        cells: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for p in current:
            for row in p["threats"][source]:
                cells.setdefault(tuple(row[k] for k in key), []).append(row["events"])
        region = {tuple(r[k] for k in key): r["events"] for r in figure.rows if r["country"] == REGION}
        assert set(region) == set(cells), name
        for k, found in cells.items():
            assert region[k] == published_sum(found), (name, k)
    monthly = {(r["country"], r["month"]): r for r in analysis.monthly.rows}
    # January: PY's month total is published, UY's (57 events) too; UY's 7 information-gathering events are not.
    assert monthly[(REGION, "2026-01")]["events"] == {"value": 154 + 57, "at_least": False}
    trends = {(r["country"], r["month"], r["taxonomy"]): r["events"] for r in analysis.trends.rows}
    assert trends[(REGION, "2026-01", "information-gathering")] == {"value": 120, "at_least": True}
    assert trends[("UY", "2026-01", "information-gathering")] == {"suppressed": True}


def test_per_1000_addresses(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    rows = {r["country"]: r for r in regional_analysis(pairs, "2026").comparison.rows}
    assert rows["PY"]["sources_per_1000"] == 0.0483  # 145 of 3,000,000
    assert rows["PY"]["events"] == {"value": 369, "at_least": False} and rows["PY"]["events_per_1000"] == 0.123
    assert rows["UY"]["sources_per_1000"] == 0.4 and rows["UY"]["events_per_1000"] == 0.217
    assert rows[REGION]["announced_ipv4"] == 4_000_000
    assert rows[REGION]["sources"] == {"value": 545, "at_least": False}
    assert rows[REGION]["events_per_1000"] == round(586 * 1000 / 4_000_000, 4)
    hidden = uy_figures()
    hidden["exposure"] = {"sources": {"suppressed": True}, "announced_ipv4": 1_000_000}
    rows = {
        r["country"]: r
        for r in regional_analysis([package("PY", parts()), package("UY", hidden)], "2026").comparison.rows
    }
    assert rows["UY"]["sources_per_1000"] is None
    assert rows[REGION]["sources"] == {"value": 145, "at_least": True}
    assert rows[REGION]["sources_per_1000"] == round(145 * 1000 / 4_000_000, 4)


def test_the_heat_map_has_a_cell_per_factor_and_sharing_member(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    analysis = regional_analysis(pairs, "2026")
    assert analysis.maturity.members == ["UY"] and analysis.missing["assessment"] == ["PY"]
    assert [(r["factor"], r["country"], r["stage"]) for r in analysis.maturity.rows] == [
        ("D1.1", "UY", 2),
        ("D2.1", "UY", 5),
    ]
    heat = next(c for c in charts_for(analysis) if c.name == "maturity").spec
    assert heat["data"]["values"] == [
        {"factor": "D1.1", "country": "UY", "stage": 2},
        {"factor": "D2.1", "country": "UY", "stage": 5},
    ]


def test_the_change_test_is_the_national_reports(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    changes = regional_analysis(pairs, "2026").changes
    # Only PY has threat figures for both years: UY is not compared, and the region is PY alone.
    assert changes.members == ["PY"] and changes.periods == ["2026", "2025"]
    rows = {(r["country"], r["taxonomy"]): r for r in changes.rows}
    gathering = rows[("PY", "information-gathering")]
    assert (gathering["previous"], gathering["current"]) == (
        {"value": 100, "at_least": False},
        {"value": 320, "at_least": False},
    )
    tested = [r for r in changes.rows if r["flag"] != "untested"]
    pvalues = [rate_test(r["current"]["value"], r["previous"]["value"], 365, 365) for r in tested]
    assert [r["p"] for r in tested] == pvalues
    assert [r["q"] for r in tested] == benjamini_hochberg([float(p) for p in pvalues if p is not None])
    assert gathering["flag"] == "rise" and gathering["change"] == 2.2
    assert rows[(REGION, "information-gathering")]["flag"] == "rise"
    # 2026's malicious code includes a suppressed cell (15 is published, a count below 10 is not): not tested.
    assert rows[("PY", "malicious-code")]["flag"] == "untested" and rows[("PY", "malicious-code")]["q"] is None
    assert rows[("PY", ALL_CLASSES)]["current"] == {"value": 369, "at_least": False}
    assert regional_analysis(pairs, "2025").changes.rows == []  # no 2024 package: nothing to compare


def test_a_choice_of_members_limits_every_figure(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    analysis = regional_analysis(pairs, "2026", ["uy"])
    assert analysis.members == ["UY"]
    for figure in analysis.figures().values():
        assert set(figure.members) <= {"UY"}, figure.name
        assert {r["country"] for r in figure.rows if "country" in r} <= {"UY", REGION}, figure.name
    assert {r["country"]: r for r in analysis.comparison.rows}[REGION]["announced_ipv4"] == 1_000_000
    assert analysis.changes.rows == []  # UY has no 2025 package


def test_convention_status_and_coverage(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    rows = {(r["country"], r["treaty"]): r for r in regional_analysis(pairs, "2026").conventions.rows}
    assert rows[("UY", "ets-185")]["status"] == "in-force" and rows[("UY", "ets-185")]["date"] == "2023-07-01"
    assert rows[("UY", "ets-185")]["covered_share"] == 0.8
    assert rows[("UY", "cets-224")]["status"] == "signed" and rows[("UY", "ets-189")]["status"] == "none"
    assert ("PY", "ets-185") not in rows  # PY's package has no legal part
    assert treaty_status({"ratified": "2020-01-01", "accession": True}) == "acceded"


def test_every_chart_names_its_members_and_draws_to_svg(pairs: list[tuple[str, dict[str, Any]]]) -> None:
    drawn = {c.name: c for c in charts_for(regional_analysis(pairs, "2026"))}
    assert {"trends", "member_events", "changes", "events_map", "exposure", "maturity", "strategy"} <= set(drawn)
    assert {"conventions", "training"} <= set(drawn)
    for name, chart in drawn.items():
        assert chart.span in ("full", "half")
        svg = to_svg(chart.spec)
        assert svg.lstrip().startswith("<svg") and "Members: " in svg, name
    assert "Members: UY. Periods: 2026." in drawn["maturity"].spec["title"]["subtitle"]
    assert "Members: PY. Periods: 2026, 2025." in drawn["changes"].spec["title"]["subtitle"]
    # The map holds the members' outlines only, from the vendored atlas: Paraguay (600) and Uruguay (858).
    topology = drawn["events_map"].spec["data"]["values"]
    assert {g["id"] for g in topology["objects"]["countries"]["geometries"]} == {"600", "858"}
    assert "url" not in drawn["events_map"].spec["data"]


def test_a_member_without_a_rate_stays_on_the_map_in_grey() -> None:
    no_threats = uy_figures()
    del no_threats["threats"]
    analysis = regional_analysis([package("PY", parts()), package("UY", no_threats)], "2026")
    rows = {r["country"]: r for r in analysis.comparison.rows}
    assert rows["UY"]["events"] is None and rows["UY"]["events_per_1000"] is None
    # The region's events are PY's over PY's addresses: UY's events are not known, so its addresses do not count.
    assert rows[REGION]["events_per_1000"] == 0.123 and rows[REGION]["announced_ipv4"] == 4_000_000
    spec = next(c for c in charts_for(analysis) if c.name == "events_map").spec
    assert spec["transform"][1]["from"]["data"]["values"] == [
        {"country": "PY", "rate": 0.123},
        {"country": "UY", "rate": None},
    ]
    assert spec["layer"][0]["mark"]["fill"]  # the grey outline of every member under the coloured one
    assert to_svg(spec).lstrip().startswith("<svg")
