"""The trends report on awkward data: it always renders, says "no data" or "unknown" in words, and never
writes a share of nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from pytest_django import Settings

from cyberplan.analytics.periods import parse_period
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from cyberplan.trends.report import build_report, render_report
from cyberplan.trends.report.common import Report
from cyberplan.trends.report.render import render_html
from tests.analytics.support import event
from tests.conftest import World
from tests.trends.report_support import ZERO_PERCENT, docx_text, pdf_text, write_org_store


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def _single_sector() -> list[dict[str, Any]]:
    return [
        event(f"2026-07-{d:02d}T00:00", ip=f"192.0.2.{d}", sector="energy", organisation="Ande") for d in range(1, 9)
    ]


def _skewed() -> list[dict[str, Any]]:
    many = [
        event("2026-08-01T00:00", ip=f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", sector="health")
        for i in range(3000)
    ]
    return [*many, event("2026-08-02T00:00", ip="192.0.2.9", sector="finance", taxonomy="fraud", type_="phishing")]


def _unknown() -> list[dict[str, Any]]:
    return [
        event("2026-07-01T00:00", ip="198.51.100.1", sector=None, country=None, organisation=None, asn=None),
        event("2026-07-02T00:00", ip=None, sector=None, country=None, taxonomy="", type_=""),
    ]


CASES: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "empty store": list,
    "no data in the period": lambda: [event("2025-01-15T00:00")],
    "single event": lambda: [event("2026-09-30T23:59:59", sector="government", organisation="Ministerio")],
    "single sector": _single_sector,
    "extreme skew": _skewed,
    "unknown sector and country": _unknown,
}


def render_all(report: Report) -> tuple[str, str]:
    html = render_html(report)
    document = docx_text(render_report(report, "docx"))
    return html, document.body


@pytest.mark.parametrize("case", list(CASES))
def test_awkward_data_still_makes_an_honest_report(world: World, case: str) -> None:
    events = CASES[case]()
    if events:
        write_org_store(world.org_a, events)
    with translation.override("en"):
        report = build_report(world.org_a, event_store(world.org_a), parse_period("2026-Q3"), "amber")
        html, docx = render_all(report)
    for text in (html, docx):
        assert not ZERO_PERCENT.search(text), ZERO_PERCENT.search(text)
        assert "TLP:AMBER" in text
        assert "Methodology and data sources" in text
    # Every chart is drawn or replaced by a sentence saying why.
    for chart in report.charts():
        if chart.spec is None:
            assert chart.empty.startswith("No chart:")
            assert chart.empty in docx
    if case in ("empty store", "no data in the period"):
        assert report.events == 0
        # The yearly history is the one chart that reads beyond the period (every year since the first import).
        drawn = [chart.name for chart in report.charts() if chart.spec]
        assert drawn == ([] if case == "empty store" else ["history"]), drawn
        assert "No event was recorded for Authority A in quarter 3 of 2026" in docx
        assert "No event of this period may be counted in this report" in docx
        assert "No incident record was received for this period." in docx
        assert "has no events to compare with" in docx or "no change can be tested" in docx
    if case == "single event":
        assert report.events == 1
        assert "1 event was recorded in quarter 3 of 2026" in docx and "reported by 1 feed." in docx
        assert "All events belong to one threat class: Vulnerable." in docx
        assert "Government institutions were the victims of 100.0% of the events (1)." in docx
    if case == "single sector":
        assert "Every event of the period concerns one sector: Energy" in docx
        assert "No event of the period concerned a government institution." in docx
    if case == "extreme skew":
        assert "3,001 events were recorded" in docx
        assert "less than 0.1%" in docx  # the one phishing event: not rounded to zero
    if case == "unknown sector and country":
        assert "The victim's sector is unknown for every event" in docx
        assert "Unknown country" in docx and "Unknown network" in docx
        assert "No event of the period could be attributed to an organisation of the constituency." in docx
        assert "What “unknown” means" in docx


@pytest.mark.slow
def test_empty_store_renders_as_pdf(world: World) -> None:
    # A file refused during the month: it stored nothing and its format was not recognised.
    refused = Import.objects.create(
        organisation=world.org_a, file_name="broken.json", file_sha256="c" * 64, status="failed", tlp="clear"
    )
    Import.objects.filter(pk=refused.pk).update(created_at=dt.datetime(2026, 11, 5, tzinfo=dt.UTC))
    with translation.override("es"):
        report = build_report(world.org_a, event_store(world.org_a), parse_period("2026-11"), "clear")
        pdf = pdf_text(render_report(report, "pdf"))
    assert report.events == 0
    assert all("TLP:CLEAR" in page for page in pdf.pages)
    assert "noviembre de 2026" in pdf.text
    assert not ZERO_PERCENT.search(pdf.text)
    assert pdf.forms == 0  # no chart is drawn without data
    text = " ".join(pdf.text.split())
    assert "Desconocido 1 0 0 0 0 —" in text  # the refused file, without a share of nothing
