"""The trends report: figures, sections, TLP marking, charts and languages in the PDF, the DOCX and the HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from pytest_django import Settings

from cyberplan.analytics.metrics import Scope, metric_sql
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.service import compute
from cyberplan.core.models import Organisation
from cyberplan.threats.models import ConstituencyEntry, Import
from cyberplan.threats.store import event_store, store_root
from cyberplan.trends.report import build_report, counted_labels, render_report
from cyberplan.trends.report.common import Report
from cyberplan.trends.report.render import offline_fetcher, render_html
from tests.analytics.support import event, write_store
from tests.conftest import World
from tests.trends.report_support import ZERO_PERCENT, docx_text, pdf_text, sample_events, write_org_store

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

SECTIONS_EN = [
    "Executive summary",
    "Threats by class",
    "Victims by category and sector",
    "Networks and organisations",
    "Incident handling",
    "Figures for the annual report",
    "Significant changes",
    "Methodology and data sources",
    "Appendix: the query behind each figure",
]


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def report_for(organisation: Organisation, period: str = "2026-Q3", tlp: str = "amber") -> Report:
    return build_report(organisation, event_store(organisation), parse_period(period), tlp)


def test_pdf_in_english_has_the_figures_sections_marking_and_charts(world: World) -> None:
    write_org_store(world.org_a, sample_events())
    with translation.override("en"):
        report = report_for(world.org_a)
        pdf = pdf_text(render_report(report, "pdf"))
    text = " ".join(pdf.text.split())
    # Key figures, counted by hand from sample_events().
    assert "21 events were recorded in quarter 3 of 2026 (July 1, 2026 to Sept. 30, 2026)" in text
    assert "reported by 4 feeds" in text
    assert "They came from 20 distinct source addresses." in text
    assert "The most frequent threat class was Vulnerable, with 12 events (57.1% of the total)." in text
    assert "Government institutions were the victims of 61.9% of the events (13)." in text
    assert "The victim's sector is unknown for 9.5% of the events (2)." in text
    assert "1 of the records is an incident handled by a CSIRT." in text
    assert "Ministerio de Ejemplo" in text and "AS64500 Telco Ejemplo" in text
    for title in SECTIONS_EN:
        assert title in text
    assert "Banking and finance" in text  # sector names from the sector table
    # The TLP marking is on every page, cover included, in the page margins.
    assert len(pdf.pages) > 5
    assert all(page.count("TLP:AMBER") >= 2 for page in pdf.pages)
    # Charts: drawn as vector graphics with their words, and each one traceable to a query.
    drawn = [chart for chart in report.charts() if chart.spec]
    assert len(drawn) >= 6
    assert pdf.forms >= len(drawn)
    assert "Distinct source addresses over time" in text  # a chart title only the chart carries
    assert "Query Q1 (totals)" not in text and "(by_class)" in text
    # The appendix lists every cited metric's SQL and how the frames derive from the store.
    assert 'FROM "events_frame"' in text.replace('FROM "t0"', "")
    assert "classification.taxonomy" in text
    assert all(query.sql.startswith(("SELECT", "WITH")) for query in report.queries)
    scope = Scope(parse_period("2026-Q3"), tlp_in=counted_labels("amber"))
    assert all(query.sql == metric_sql(query.metric, scope) for query in report.queries)
    assert not ZERO_PERCENT.search(text)


def test_docx_has_the_same_figures_charts_and_marking_on_every_page(world: World) -> None:
    write_org_store(world.org_a, sample_events())
    with translation.override("en"):
        report = report_for(world.org_a, tlp="green")
        document = docx_text(render_report(report, "docx"))
    # Only CLEAR and GREEN events count in a GREEN report: every sample event is AMBER.
    assert report.events == 0
    assert "No event was recorded" in document.body
    with translation.override("en"):
        report = report_for(world.org_a)
        document = docx_text(render_report(report, "docx"))
    assert "21 events were recorded" in document.body
    assert "Government institutions were the victims of 61.9% of the events (13)." in document.body
    for title in SECTIONS_EN:
        assert title in document.body
    assert "Vulnerable | vulnerable-system | 12 | 57.1%" in document.body
    assert "system-compromise | 1 | 1 | 6.0" in document.body  # mean time to respond, in hours
    # Header and footer of every section carry the marking, the first page included.
    assert document.headers and all("TLP:AMBER" in header for header in document.headers)
    assert all("TLP:AMBER" in footer for footer in document.footers)
    assert not document.different_first_page
    # The same charts as in the PDF, as pictures.
    assert document.pictures == len([chart for chart in report.charts() if chart.spec]) >= 6
    assert 'FROM "events_frame"' in document.body
    assert not ZERO_PERCENT.search(document.body)


def test_spanish_report_uses_spanish_dates_numbers_and_names(world: World) -> None:
    write_org_store(world.org_a, sample_events())
    with translation.override("es"):
        report = report_for(world.org_a)
        pdf = pdf_text(render_report(report, "pdf"))
        document = docx_text(render_report(report, "docx"))
    for text in (" ".join(pdf.text.split()), document.body):
        assert "1 de julio de 2026" in text and "30 de septiembre de 2026" in text
        assert "61,9" in text and "57,1" in text  # decimal comma
        assert "Gobierno y administración pública" in text and "Banca y finanzas" in text
        assert "July" not in text and "61.9" not in text
    assert report.language == "es"
    assert all("TLP:AMBER" in page for page in pdf.pages)


def test_thousands_are_grouped_in_the_readers_language(world: World) -> None:
    write_org_store(world.org_a, [event("2026-07-01T00:00", ip=f"10.0.{i // 250}.{i % 250}") for i in range(1234)])
    with translation.override("en"):
        english = report_for(world.org_a)
    with translation.override("es"):
        spanish = report_for(world.org_a)
    assert english.summary[0].startswith("1,234 events")
    # Spanish groups thousands with a point, as in Paraguay; the sentence may put the number after a verb
    assert "1.234 " in spanish.summary[0] and "1,234" not in spanish.summary[0]


def test_user_text_is_escaped_everywhere(world: World) -> None:
    world.org_a.name = '<script>alert("org")</script> & Co'
    world.org_a.save()
    hostile = '<img src="http://attacker.example/x.png" onerror="alert(1)">'
    write_org_store(
        world.org_a,
        [
            event(
                "2026-07-01T00:00",
                feed=hostile,
                provider="Prov\x0b<b>",
                as_name="<svg onload=alert(2)>",
                asn=64999,
                organisation="</td><script>x()</script>",
                sector="government",
            )
        ],
    )
    with translation.override("en"):
        report = report_for(world.org_a)
        html = render_html(report)
        pdf = " ".join(pdf_text(render_report(report, "pdf")).text.split())
        document = docx_text(render_report(report, "docx")).body
    assert "<script>" not in html and '<img src="http' not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt; &amp; Co" in html
    assert "&lt;img src=&quot;http://attacker.example/x.png&quot;" in html
    assert "\x0b" not in html and "Prov&lt;b&gt;" in html
    # Every reference in the document is internal: nothing to fetch.
    assert re.findall(r"""(?:src|href)=["'](?!data:|#)""", html) == []
    assert '<script>alert("org")</script> & Co' in pdf
    assert '<script>alert("org")</script> & Co' in document
    assert hostile in document and "Prov<b>" in document


def test_pdf_rendering_never_fetches_from_the_network() -> None:
    fetcher = offline_fetcher()
    for url in ("http://example.com/a.png", "https://example.com/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher(url)
    assert fetcher("data:text/plain;base64,b2s=").read() == b"ok"


def test_tlp_of_the_report_limits_the_events_counted(world: World) -> None:
    labels = ["clear", "green", "amber", "amber+strict", "red"]
    write_org_store(
        world.org_a,
        [event("2026-07-01T00:00", ip=f"192.0.2.{i}", tlp=label) for i, label in enumerate(labels, start=1)],
    )
    store = event_store(world.org_a)
    period = parse_period("2026-Q3")
    counts = {
        label: compute(store, Scope(period, tlp_in=counted_labels(label)), only=["totals"]).one("totals")["events"]
        for label in labels
    }
    assert counts == {"clear": 1, "green": 2, "amber": 3, "amber+strict": 4, "red": 5}
    assert counted_labels("amber", ["green", "red"]) == ("green",)
    with pytest.raises(ValueError, match="not a TLP label"):
        counted_labels("white")
    with translation.override("en"):
        # Never more than the requester may read, whatever the marking.
        report = build_report(world.org_a, store, period, "red", ["clear", "green", "amber", "amber+strict"])
        assert report.events == 4
        assert "'amber+strict'" in report.queries[0].sql and "'red'" not in report.queries[0].sql
        # A TLP:CLEAR report counts CLEAR events only, and says so.
        html = render_html(report_for(world.org_a, tlp="clear"))
    assert "TLP:CLEAR" in html and "It counts only events marked TLP:CLEAR." in html
    assert html.count('<div class="tlp-banner') == 2  # the marking at the top and at the bottom of the page
    assert "1 event was recorded" in html


def test_methodology_counts_imports_quarantine_and_coverage(world: World) -> None:
    fed = Import.objects.create(
        organisation=world.org_a,
        file_name="scan_telnet.csv",
        file_sha256="a" * 64,
        detected_format="shadowserver",
        status="succeeded",
        tlp="amber",
        read=25,
        stored=21,
        duplicates=1,
        quarantined=3,
    )
    write_store(store_root(world.org_a), sample_events(), import_id=str(fed.pk))
    # Not counted: a RED import (above the marking) and a file of another period.
    for tlp, months in (("red", ["2026-08"]), ("amber", ["2025-01"])):
        other = Import.objects.create(
            organisation=world.org_a, file_name="x", file_sha256="b" * 64, status="succeeded", tlp=tlp, read=99
        )
        write_store(store_root(world.org_a), [event(f"{months[0]}-01T00:00", tlp=tlp)], import_id=str(other.pk))
    for network in ("192.0.2.0/24", "203.0.113.0/24", "192.0.2.128/25", "2001:db8::/32"):
        ConstituencyEntry.objects.create(organisation=world.org_a, network=network, holder="Holder")
    with translation.override("en"):
        report = report_for(world.org_a)
        body = docx_text(render_report(report, "docx")).body
    assert report.events == 21
    assert "Shadowserver CSV report | 1 | 25 | 21 | 1 | 3 | 12.0%" in body
    assert "Overall, 3 of 25 records read (12.0%) were quarantined." in body
    assert "The constituency table lists 4 networks. It covers 512 IPv4 addresses" in body
    assert "(less than 0.1% of the IPv4 address space). It lists 1 IPv6 prefix." in body
    assert "90.5% of the events of the period (19) concern an address of the constituency" in body
    assert "scan_event4_sinkhole" not in body and "event4_sinkhole | Shadowserver | 6 | 28.6%" in body
