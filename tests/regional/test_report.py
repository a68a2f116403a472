"""The regional report: both languages and three formats, regional figures equal to the sum of the members'
packages, suppressed cells shown as suppressed, the national report's tests, a profile per member with only the
parts it sent, the packages it was built from, the marking, and the reader's labels."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from cyberplan.analytics import stats
from cyberplan.core.choices import Role
from cyberplan.core.models import Organisation, User
from cyberplan.regional.models import ReceivedPackage
from cyberplan.regional.regional_figures import REGION
from cyberplan.regional.report.document import Report, build_report
from cyberplan.regional.report.service import produce
from cyberplan.reports.document import Section, Table
from cyberplan.reports.marking import sharing_note
from tests.regional.report_support import INSTRUMENT, UY_NAME, regional_world
from tests.trends.report_support import docx_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Organisation:
    return regional_world()


def text_of(content: bytes, fmt: str) -> tuple[str, list[str]]:
    """The document's text, and the text of each page (PDF) or page margin (DOCX) that must carry the marking."""
    if fmt == "pdf":
        pages = pdf_text(content).pages
        return " ".join(pages).replace("\n", " "), pages
    if fmt == "docx":
        document = docx_text(content)
        return " ".join([document.body, *document.headers, *document.footers]), [*document.headers, *document.footers]
    html = content.decode("utf-8")
    return html, [html]


def english(programme: Organisation, reader: User | None = None) -> Report:
    with translation.override("en"):
        return build_report(programme, "2026", reader)


def section(report: Report, section_id: str) -> Section:
    return next(s for s in report.sections if s.id == section_id)


def table(found: Section, caption: str) -> Table:
    return next(t for t in found.tables if t.caption.startswith(caption))


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_format_and_language(programme: Organisation, language: str, fmt: str) -> None:
    produced = produce(programme, "2026", language=language, fmt=fmt)
    text, marked = text_of(produced.content, fmt)
    assert produced.file_name == f"regional-programme-2026-{language}.{fmt}"
    assert "Regional Programme" in text and "Uruguay" in text and "Paraguay" in text
    # UY's package is TLP:AMBER: the document carries the most restricted label it includes, on every page.
    assert marked and all("TLP:AMBER" in page for page in marked)
    with translation.override(language):
        note = sharing_note("amber")
    assert " ".join(note.split()[:4]) in " ".join(text.split())
    # 1,242 events in the region: written with the language's thousands separator.
    assert ("1.242" if language == "es" else "1,242") in text
    if fmt == "html":
        assert "&lt;b&gt;Decree&lt;/b&gt; 1234 &amp; annex" in text and "<b>Decree" not in text
        assert "del Uruguay &lt;CERTuy&gt;" in text and "<CERTuy>" not in text
    else:
        assert INSTRUMENT in text and UY_NAME in text


def test_spanish_and_english_differ_in_the_words_the_catalogue_has() -> None:
    with translation.override("es"):
        spanish = sharing_note("amber")
    with translation.override("en"):
        assert spanish != sharing_note("amber")


def published_sum(cells: list[dict[str, Any]]) -> dict[str, Any]:
    if all(c.get("suppressed") for c in cells):
        return {"suppressed": True}
    return {"value": sum(c.get("value", 0) for c in cells), "at_least": any(c.get("suppressed") for c in cells)}


def test_regional_figures_equal_the_sum_of_the_packages(programme: Organisation) -> None:
    report = english(programme)
    latest = ReceivedPackage.objects.filter(period="2026", superseded=False)
    packages = {p.member.country: p.package() for p in latest}
    assert sorted(packages) == ["PY", "UY"] and packages["PY"]["package_version"] == 2
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for package in packages.values():
        for row in package["threats"]["rows"]:
            cells.setdefault((row["month"], row["taxonomy"]), []).append(row["events"])
    region = {
        (r["month"], r["taxonomy"]): r["events"]
        for r in report.content.figures["events"].rows
        if r["country"] == REGION
    }
    assert region == {key: published_sum(found) for key, found in cells.items()}
    rows = table(section(report, "trends"), "Events per month and class").rows
    assert ["2026-01", "Malicious code", "500"] in rows  # 300 + 200
    assert ["2026-02", "Information gathering", "at least 200"] in rows  # 200 + UY's suppressed count
    assert ["2026-01", "Intrusion attempts", "suppressed"] in rows  # PY's only, suppressed
    summary = table(section(report, "summary"), "The region in").rows
    assert ["Events reported in the region", "1,242"] in summary  # PY 885 + UY 357 (period totals)
    assert ["Incidents handled in the region", "25"] in summary
    exposure = table(section(report, "exposure"), "Exposed sources").rows
    assert ["Region", "545", "4,000,000", "0.1363"] in exposure


def test_trends_use_the_national_reports_test(programme: Organisation) -> None:
    changes = english(programme).content.changes
    assert changes.compared == ["PY", "UY"] and changes.previous.label == "2025"
    assert [(r["series"], r["previous"], r["current"], r["flag"]) for r in changes.rows] == [
        ("malicious-code", 300, 750, "rise")
    ]
    expected = stats.benjamini_hochberg([stats.rate_test(750, 300, 365, 365) or 1.0])[0]
    assert changes.rows[0]["q"] == pytest.approx(expected)
    # Sums holding a suppressed count are lower bounds: listed as untested, never tested.
    assert {r["series"] for r in changes.untested} == {
        "availability",
        "information-gathering",
        "intrusion-attempts",
        "unknown",
    }
    trends = section(english(programme), "trends")
    assert table(trends, "Significant changes").rows[0][0] == "class: Malicious code"
    assert table(trends, "Significant changes").rows[0][5] == "significant rise"
    assert any("Not tested" in p.text and "Information gathering" in p.text for p in trends.paragraphs("note"))


def test_without_a_previous_period_nothing_is_tested(programme: Organisation) -> None:
    with translation.override("en"):
        report = build_report(programme, "2025")
    assert report.content.changes.rows == [] and report.content.changes.compared == []
    assert any("no change can be tested" in p.text for p in section(report, "trends").paragraphs("nodata"))


def test_a_profile_per_member_with_only_the_parts_it_sent(programme: Organisation) -> None:
    report = english(programme)
    py, uy = section(report, "member-py"), section(report, "member-uy")
    assert (
        py.title == "Paraguay (PY)" and uy.title == f"Uruguay (UY): {UY_NAME}"
    )  # the register's name, when it differs
    headings = {s.id: [p.text for p in s.paragraphs("subheading")] for s in (py, uy)}
    # PY shares no assessment: no maturity section in its profile; UY's has its factors.
    assert "Maturity" not in headings["member-py"] and not any(t.caption.startswith("Stage") for t in py.tables)
    assert "Maturity" in headings["member-uy"]
    assert table(uy, "Stage of each factor").rows == [["D1.1", "2"], ["D2.1", "3"]]
    assert any("Not in this member's package" in p.text and "Maturity" in p.text for p in py.paragraphs("note"))
    threats = table(py, "Events and distinct sources by class").rows
    assert ["Intrusion attempts", "suppressed", "suppressed"] in threats and ["Total", "885", "262"] in threats
    maturity = table(section(report, "maturity"), "Stage of each factor").rows
    assert maturity == [["D1.1", "2"], ["D2.1", "3"]]  # only UY shared: one column


def test_the_packages_it_was_built_from_are_listed(programme: Organisation) -> None:
    report = english(programme)
    rows = table(section(report, "packages"), "Statistics packages included").rows
    latest = ReceivedPackage.objects.filter(superseded=False).order_by("period", "member__country")
    assert len(rows) == 4 == latest.count()
    for received in latest:
        package = received.package()
        assert [
            f"{'Paraguay' if received.member.country == 'PY' else 'Uruguay'} ({received.member.country})",
            received.period,
            str(received.version),
            package["figures_digest"],
            received.received_at.date().isoformat(),
            f"TLP:{received.tlp.upper()}",
        ] in rows
    assert ["Paraguay (PY)", "2026", "1"] not in [r[:3] for r in rows]  # the superseded version is not used


def test_a_reader_counts_only_the_packages_they_may_read(programme: Organisation) -> None:
    partner = User.objects.get(username=f"p-{Role.EXTERNAL_PARTNER}")
    report = english(programme, partner)
    assert [p.country for p in report.content.current] == ["PY"]
    assert report.tlp == "green" and report.marking == "TLP:GREEN"
    assert not any(s.id == "member-uy" for s in report.sections)
    analyst = english(programme, User.objects.get(username=f"p-{Role.ANALYST}"))
    assert [p.country for p in analyst.content.current] == ["PY", "UY"] and analyst.tlp == "amber"
