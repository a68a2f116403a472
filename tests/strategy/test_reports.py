"""The strategy document and the M&E report: PDF, DOCX and HTML in both languages, and the web report job."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_django import Settings

from cyberplan.assessment import actions as assessment_actions
from cyberplan.assessment.models import Answer, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.models import Gap
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ActionStatus, KPISource, VersionStatus
from cyberplan.strategy.models import KPI, StrategyVersion
from cyberplan.strategy.report.content import ReportError
from cyberplan.strategy.report.jobs import STRATEGY_REPORT
from cyberplan.strategy.report.render import TOC_INSTRUCTION
from cyberplan.strategy.report.service import produce
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World
from tests.strategy.conftest import Plan, signed_in
from tests.trends.report_support import docx_text, pdf_text, sample_events, write_org_store

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

HOSTILE = '<script>alert("x")</script><img src="https://evil.example/x.png">'
EN_HEADINGS = [
    "Contents",
    "Foreword",
    "Context",
    "National capacity",
    "Threat landscape",
    "Vision",
    "Principles",
    "Strategic axes and objectives",
    "Action plan",
    "Governance",
    "Monitoring framework",
    "Annex: gap traceability matrix",
    "Open gaps without an action",
    "Actions without a gap",
]


@pytest.fixture(autouse=True)
def isolated_files(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Full:
    plan: Plan
    kpi: KPI
    linked: Gap
    uncovered: Gap
    red: Gap
    version: StrategyVersion


def flat(text: str) -> str:
    """PDF text without spaces and line breaks (table cells wrap words, extraction drops some spaces)."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def full(plan: Plan, world: World, make_gap: object) -> Full:
    """The plan with texts in both languages, principles, a KPI, gaps, an assessment, events and a published version."""
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_update_strategy(
        coordinator,
        plan.strategy,
        None,
        foreword_en="The minister presents the national strategy.",
        foreword_es="El ministro presenta la estrategia nacional.",
        vision_es="Un ciberespacio seguro y resiliente.",
        governance_en="A national committee steers the strategy.",
        governance_es="Un comité nacional conduce la estrategia.",
    )
    plan.strategy = strategy
    act.do_add_principle(coordinator, strategy, title_en="Human rights", title_es="Derechos humanos")
    kpi = act.do_create_kpi(
        coordinator,
        plan.action1,
        name_en="Incidents handled within a day",
        name_es="Incidentes atendidos en un día",
        definition_en="Share of incidents closed within 24 hours.",
        unit="percent",
        baseline=40,
        target=90,
        frequency="quarterly",
        source=KPISource.MANUAL,
        source_detail="CERT-PY",
    )
    factory = make_gap  # the shared gap factory (tests/conftest.py)
    linked = factory(title_en="No national CSIRT staff", title_es="Sin personal del CSIRT", severity="high")  # type: ignore[operator]
    uncovered = factory(title_en="No awareness programme")  # type: ignore[operator]
    red = factory(title_en="Secret weakness of the grid", tlp=TLP.RED)  # type: ignore[operator]
    act.do_link_gap(coordinator, plan.action1, linked)
    act.do_link_gap(coordinator, plan.action2, red)

    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    assessment = assessment_actions.do_create_assessment(
        coordinator,
        world.org_a,
        framework,
        title="Baseline assessment 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method="expert_review",
    )
    for code in ("1.1.S1", "1.1.S2", "1.1.S3"):
        row = Answer.objects.get(assessment=assessment, indicator_id=code)
        assessment_actions.do_answer_indicator(None, row, None, value="met")
    write_org_store(world.org_a, sample_events())  # 24 events in 2026

    version = version_act.do_create_version(coordinator, strategy)
    version_act.do_move_version(coordinator, version, VersionStatus.APPROVED)
    version_act.do_move_version(coordinator, version, VersionStatus.PUBLISHED, legal_reference="Decreto 1234/2026")
    # Published in January 2027: the document's context is the complete year 2026.
    StrategyVersion.objects.filter(pk=version.pk).update(published_at=dt.datetime(2027, 1, 15, 12, tzinfo=dt.UTC))
    version.refresh_from_db()
    return Full(plan, kpi, linked, uncovered, red, version)


# -- the strategy document ---------------------------------------------------------------------


def test_pdf_in_english_has_every_section_the_plan_and_the_annex(full: Full) -> None:
    produced = produce(full.plan.strategy, "strategy", "en", "pdf")
    assert produced.file_name == f"strategy-{full.plan.strategy.pk}-v1-en.pdf"
    pdf = pdf_text(produced.content)
    text, joined = pdf.text, flat(pdf.text)
    for heading in EN_HEADINGS:
        assert heading in text, heading
    assert all(page.count("TLP:AMBER") >= 2 for page in pdf.pages)  # top and bottom margin of every page
    # Cover: the version cited, adopted by its decree; not a draft.
    assert "Citeas:NationalCybersecurityStrategy,v1,2027-01-15" in joined
    assert "Decreto 1234/2026" in text and "Draft" not in text and "Illustrative" not in text
    # Context: the assessment and the threat figures of 2026.
    assert "Baseline assessment 2026" in text and "1 · Start-up" in text
    assert "24 events were recorded" in text and "Intrusion attempts" in text
    # Axes, action plan, KPIs.
    assert "Axis 1. Incident response" in text and "Objective 1.1. Strengthen the CSIRT" in text
    assert "1.1.1.1" in text and "2.1.1" in text and "120,000 USD" in text
    assert flat("Incidents handled within a day") in joined
    assert flat("Share of incidents closed within 24 hours.") in joined
    assert "A national committee steers the strategy." in text and "Human rights" in text
    # Annex: the linked gap with its action, the uncovered gap; the RED gap is not in an AMBER document.
    assert full.linked.identifier in text and full.uncovered.identifier in text
    assert full.red.identifier not in text and "Secret weakness" not in text
    assert "1 of 2 open gaps have an action (50%)." in text
    annex = next(page for page in pdf.pages if "Annex: gap traceability matrix" in page and "Addressed by" in page)
    assert re.search(rf"{full.linked.identifier}.*1\.1\.1\.1", flat(annex))
    # The PDF's table of contents gives page numbers, and the charts-free document has no chart.
    assert re.search(r"Actionplan\.{5,}\d+", joined)


def test_pdf_in_spanish_picks_the_spanish_texts(full: Full) -> None:
    pdf = pdf_text(produce(full.plan.strategy, "strategy", "es", "pdf").content)
    text = pdf.text
    assert "Contenido" in text  # the table of contents, in Spanish
    assert "Estrategia Nacional de Ciberseguridad" in text and "Un ciberespacio seguro y resiliente." in text
    assert "El ministro presenta la estrategia nacional." in text and "Un comité nacional conduce" in text
    assert "Derechos humanos" in text and flat("Incidentes atendidos en un día") in flat(text)
    assert "Sin personal del CSIRT" in text and "Strengthen the CSIRT" in text  # no Spanish title: the English one
    assert "15 de enero de 2027" in text and re.search(r"120\D000 USD", text)
    assert "The minister presents" not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_docx_uses_word_headings_a_toc_field_and_real_tables(full: Full, language: str) -> None:
    import docx

    content = produce(full.plan.strategy, "strategy", language, "docx").content
    document = docx.Document(io.BytesIO(content))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3", "TOC Heading"} <= styles
    body = document.element.body.xml
    assert TOC_INSTRUCTION in body and 'w:fldCharType="begin"' in body
    assert "w:updateFields" in document.settings.element.xml
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    listed = [p.text for p in document.paragraphs if p.style.name.startswith("List Bullet")]
    assert set(headings) & set(listed) and len(listed) >= 9  # the written list of sections
    plan_table = next(
        t for t in document.tables if t.rows[0].cells[0].text in ("Code", "Código") and len(t.columns) == 8
    )
    assert len(plan_table.rows) == 1 + 2  # header and one row per action
    assert [row.cells[0].text for row in plan_table.rows[1:]] == ["1.1.1.1", "2.1.1"]
    assert 'w:tblHeader w:val="true"' in plan_table._tbl.xml  # the header row repeats on every page
    text = docx_text(content)
    assert all("TLP:AMBER" in header for header in text.headers) and all("TLP:AMBER" in f for f in text.footers)
    assert full.linked.identifier in text.body and full.red.identifier not in text.body
    if language == "en":
        assert "Foreword" in headings and "Annex: gap traceability matrix" in headings
        assert "Incidents handled within a day" in text.body
    else:
        assert "Estrategia Nacional de Ciberseguridad" in text.body and "Contenido" in text.body
        assert "Incidentes atendidos en un día" in text.body and "Derechos humanos" in text.body


def test_working_copy_of_an_illustrative_strategy_is_marked_on_every_page(plan: Plan, world: World) -> None:
    strategy = act.do_update_strategy(world.users[Role.COORDINATOR], plan.strategy, None, illustrative=True)
    produced = produce(strategy, "strategy", "en", "pdf")
    assert produced.file_name.endswith("-draft-en.pdf")
    pdf = pdf_text(produced.content)
    assert all("Illustrativeexample" in flat(page) and "Draft—notadopted" in flat(page) for page in pdf.pages)
    assert "There is no capacity assessment of Paraguay yet" in pdf.text  # no data yet, said in words
    assert "holds no event for the last twelve months" in pdf.text
    document = docx_text(produce(strategy, "strategy", "es", "docx").content)
    assert all("Illustrative example" in f or "ilustrativo" in f.lower() for f in document.footers)
    html = produce(strategy, "strategy", "en", "html").content.decode()
    assert html.count("Illustrative example") >= 3  # cover, top and bottom banners


def test_versions_default_and_refusals(full: Full, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_update_strategy(coordinator, full.plan.strategy, None, title_en="Strategy, second edition")
    draft = version_act.do_create_version(coordinator, strategy)
    default = pdf_text(produce(strategy, "strategy", "en", "pdf").content).text
    assert "National Cybersecurity Strategy" in default and "second edition" not in default  # v1, published
    second = pdf_text(produce(strategy, "strategy", "en", "pdf", version=draft.number).content)
    assert "second edition" in second.text and all("Draft—notadopted" in flat(p) for p in second.pages)
    with pytest.raises(ReportError, match="no version 7 \\(versions: 1, 2\\)"):
        produce(strategy, "strategy", "en", "pdf", version=7)
    with pytest.raises(ReportError, match="Say which period"):
        produce(strategy, "monitoring", "en", "pdf")
    with pytest.raises(ReportError, match="not 'last summer'"):
        produce(strategy, "monitoring", "en", "pdf", period="last summer")
    with pytest.raises(ReportError, match="unknown format"):
        produce(strategy, "strategy", "en", "odt")


def test_user_text_is_escaped_in_html_and_written_as_text_in_docx(plan: Plan, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_update_strategy(coordinator, plan.strategy, None, title_en=HOSTILE, vision_en=HOSTILE)
    act.do_update_action(coordinator, plan.action1, None, title_en=HOSTILE, funding_note='"; } body { color: red')
    html = produce(strategy, "strategy", "en", "html").content.decode()
    assert "<script>" not in html and '<img src="https://evil' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "body { color: red" not in html.split("</style>")[0]  # nothing typed reaches the style sheet
    document = docx_text(produce(strategy, "strategy", "en", "docx").content)
    assert HOSTILE in document.body  # shown as the text it is
    pdf = pdf_text(produce(strategy, "strategy", "en", "pdf").content)
    assert "<script>" in pdf.text and pdf.images == 0  # printed as text; nothing was fetched


# -- the monitoring and evaluation report ------------------------------------------------------------


@pytest.fixture
def progressed(full: Full, world: World) -> Full:
    coordinator = world.users[Role.COORDINATOR]
    act.do_report_progress(
        coordinator,
        full.plan.action1,
        date=dt.date(2025, 8, 15),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=40,
        narrative="Two incident handlers hired.",
    )
    act.do_report_progress(
        coordinator,
        full.plan.action1,
        date=dt.date(2025, 11, 20),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=60,
        narrative="A third handler started in November.",
    )
    act.do_record_measurement(coordinator, full.kpi, date=dt.date(2025, 9, 30), value=65)
    return full


def test_monitoring_report_of_a_quarter(progressed: Full) -> None:
    strategy = progressed.plan.strategy
    produced = produce(strategy, "monitoring", "en", "pdf", period="2025-Q3")
    assert produced.file_name == f"monitoring-{strategy.pk}-2025-Q3-en.pdf"
    pdf = pdf_text(produced.content)
    text = pdf.text
    for heading in ("Summary", "Progress per axis", "Timeline of the action plan", "Progress updates in the period"):
        assert heading in text, heading
    for heading in ("Key performance indicators", "Alerts", "Traceability"):
        assert heading in text, heading
    assert "Monitoring and evaluation report" in text and "quarter 3 of 2025" in text.lower()
    assert "Two incident handlers hired." in text and "A third handler" not in text  # only updates in the period
    assert "1 progress update was reported in the period." in text
    # Where the plan stood on 30 September (40%), not today (60%, reported in November).
    # The axis row: actions, completed, overdue, the mean and the budget-weighted percentage.
    assert "the plan is 20% done" in text and "1 Incident response 1 0 0 40% 40%" in " ".join(text.split())
    assert "65 (09/30/2025)" in text and "50%" in text  # latest value and progress: 40 -> 65 of 40 -> 90
    assert "1 of 2 open gaps have an action (50%)." in text
    assert pdf.forms >= 3  # the progress, KPI progress and timeline charts, as vector graphics
    assert all(page.count("TLP:AMBER") >= 2 for page in pdf.pages)
    document = docx_text(produce(strategy, "monitoring", "es", "docx", period="2025-Q3").content)
    assert document.pictures == 3 and "Two incident handlers hired." in document.body  # axes, KPIs, timeline
    assert "Incidentes atendidos en un día" in document.body and "Contenido" in document.body
    html = produce(strategy, "monitoring", "en", "html", period="2025-07-01..2025-09-30")
    assert html.content.count(b"data:image/svg+xml;base64,") == 3  # axes, KPIs, timeline


def test_monitoring_report_without_progress_says_so(plan: Plan) -> None:
    text = pdf_text(produce(plan.strategy, "monitoring", "en", "pdf", period="2024-11").content).text
    assert "No progress update was reported in the period." in text and "No KPI is defined yet." in text
    assert "There is no capacity assessment of the country yet" in text


# -- the web page and the job ----------------------------------------------------------------------


def page_of(plan: Plan) -> str:
    return f"/strategy/{plan.strategy.pk}/reports/"


def test_owner_member_asks_for_documents_and_downloads_them(full: Full, world: World) -> None:
    viewer = signed_in(world.users[Role.VIEWER])
    page = viewer.get(page_of(full.plan))
    body = page.content.decode()
    assert page.status_code == 200 and 'name="kind"' in body and 'name="period"' in body
    assert "No document yet." in body and "v1 · Published" in body
    response = viewer.post(page_of(full.plan), {"kind": "strategy", "version": "", "language": "es", "format": "docx"})
    job = Job.objects.get(kind=STRATEGY_REPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.organisation == world.org_a
    assert job.parameters == {
        "strategy": full.plan.strategy.pk,
        "kind": "strategy",
        "version": None,
        "period": "",
        "language": "es",
        "format": "docx",
    }
    run_job.call(str(job.pk))  # what the worker does
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.output.name.endswith(f"strategy-{full.plan.strategy.pk}-v1-es.docx")
    listing = viewer.get(page_of(full.plan)).content.decode()
    assert f"/jobs/{job.pk}/download/" in listing
    document = docx_text(b"".join(viewer.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert "Estrategia Nacional de Ciberseguridad" in document.body and full.linked.identifier in document.body

    bad = viewer.post(
        page_of(full.plan), {"kind": "monitoring", "period": "someday", "language": "en", "format": "pdf"}
    )
    assert bad.status_code == 400 and "Write the period as a year" in bad.content.decode()
    viewer.post(page_of(full.plan), {"kind": "monitoring", "period": "2025-q3", "language": "en", "format": "pdf"})
    monitoring_job = Job.objects.filter(kind=STRATEGY_REPORT).exclude(pk=job.pk).get()
    assert monitoring_job.parameters["period"] == "2025-Q3"
    run_job.call(str(monitoring_job.pk))
    monitoring_job.refresh_from_db()
    assert monitoring_job.status == "succeeded", monitoring_job.message
    assert monitoring_job.output.name.endswith("-2025-Q3-en.pdf")


def test_consultees_receive_published_versions_only(plan: Plan, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    act.do_set_consultees(coordinator, plan.strategy, [world.org_b])
    consultee = signed_in(world.outsider)
    assert consultee.get(page_of(plan)).status_code == 404  # nothing published yet
    version = version_act.do_create_version(coordinator, plan.strategy)
    version_act.do_move_version(coordinator, version, VersionStatus.CONSULTATION)
    assert consultee.get(page_of(plan)).status_code == 404  # a version in consultation is read on its page
    version_act.do_move_version(coordinator, version, VersionStatus.APPROVED)
    version_act.do_move_version(coordinator, version, VersionStatus.PUBLISHED)
    body = consultee.get(page_of(plan)).content.decode()
    assert 'name="period"' not in body and 'value="monitoring"' not in body
    refused = consultee.post(page_of(plan), {"kind": "monitoring", "period": "2025", "language": "en", "format": "pdf"})
    assert refused.status_code == 400 and not Job.objects.exists()
    consultee.post(page_of(plan), {"kind": "strategy", "language": "en", "format": "pdf"})
    job = Job.objects.get(kind=STRATEGY_REPORT)
    assert job.organisation == world.org_b and job.parameters["version"] == version.number
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    pdf = pdf_text(b"".join(consultee.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert "National Cybersecurity Strategy" in pdf.text and "Draft" not in pdf.text
    assert signed_in(world.nobody).get(page_of(plan)).status_code == 404


def test_job_for_someone_who_may_no_longer_read_the_strategy_fails(plan: Plan, world: World) -> None:
    parameters = {"strategy": plan.strategy.pk, "kind": "strategy", "version": None, "language": "en", "format": "pdf"}
    job = do_start_job(world.outsider, world.org_b, STRATEGY_REPORT, {**parameters, "period": ""})
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer read it" in job.message
    bad = do_start_job(world.users[Role.VIEWER], world.org_a, STRATEGY_REPORT, {**parameters, "language": "xx"})
    run_job.call(str(bad.pk))
    bad.refresh_from_db()
    assert bad.status == "failed" and "Choose a language." in bad.message


def test_the_threat_context_reads_a_granted_store_and_loses_it_when_revoked(plan: Plan, world: World) -> None:
    """Authority A's strategy, CSIRT B's events: counted only while B grants A read access to its store."""
    from cyberplan.threats.actions import do_grant_store_access, do_revoke_store_access

    write_org_store(world.org_b, sample_events())
    reader = world.users[Role.COORDINATOR]

    def context() -> str:
        html = produce(plan.strategy, "strategy", "en", "html", reader=reader).content.decode()
        return flat(html[html.index("Threat landscape") :])

    assert flat("holds no event for the last twelve months") in context()
    grant = do_grant_store_access(None, world.org_b, world.org_a, ceiling="amber", reason="National picture")
    granted = context()
    assert flat("events were recorded") in granted
    assert flat("CSIRT B (CB) (granted up to TLP:AMBER)") in granted
    assert flat("events marked TLP:CLEAR, TLP:GREEN, TLP:AMBER only") in granted  # never AMBER+STRICT or RED
    do_revoke_store_access(None, grant)
    assert flat("holds no event for the last twelve months") in context()
