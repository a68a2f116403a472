"""Monitoring and evaluation: the overview's numbers and alerts, the pages, and KPIs computed from platform data.

The automatic KPIs are computed from data made the way the platform makes it: an assessment
created and answered through cyberplan.assessment's actions, events imported from Shadowserver
reports through the ingest pipeline into Authority A's event store, gaps closed in the register.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from cyberplan.assessment import actions as assessment_actions
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Assessment, Framework
from cyberplan.core.choices import Role
from cyberplan.gaps.actions import do_create_gap, do_set_gap_status
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy import kpis
from cyberplan.strategy.choices import ActionStatus, Frequency, KPISource, KPIUnit, MeasurementOrigin
from cyberplan.strategy.models import KPI, KPIMeasurement, ProgressUpdate
from cyberplan.strategy.monitoring import overview as monitoring
from cyberplan.threats.actions import do_grant_store_access, do_revoke_store_access
from tests.conftest import World

from .conftest import Plan, signed_in, url

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AS_OF = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    """Uploads and event stores in a temporary folder; no warming job after an import."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CYBERPLAN_TRENDS_WARM = False


def report(plan: Plan, action_name: str, day: datetime.date, status: str, percent: int) -> ProgressUpdate:
    action = getattr(plan, action_name)
    return act.do_report_progress(
        None, action, date=day, status=status, percent_complete=percent, narrative=f"{percent}% done."
    )


def assessment(world: World, day: datetime.date, stage_of_11: int = 0) -> Assessment:
    """An assessment of Paraguay on the shipped model, with factor 1.1 meeting every indicator up to a stage."""
    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    made = assessment_actions.do_create_assessment(
        world.users[Role.COORDINATOR],
        world.org_a,
        framework,
        title=f"Assessment {day.year}",
        country="PY",
        method=Method.EXPERT_REVIEW,
        date=day,
    )
    for indicator in framework.structure().factor("1.1").indicators:
        if indicator.stage <= stage_of_11:
            answer = made.answers.get(indicator_id=indicator.id)
            assessment_actions.do_answer_indicator(world.users[Role.ANALYST], answer, None, value="met")
    return made


# --------------------------------------------------------------------------- the overview's numbers


def test_overview_progress_per_axis_and_overall_with_alerts(world: World, plan: Plan) -> None:
    report(plan, "action1", datetime.date(2025, 6, 30), ActionStatus.IN_PROGRESS, 50)
    report(plan, "action2", datetime.date(2025, 12, 31), ActionStatus.IN_PROGRESS, 20)
    plan.strategy.refresh_from_db()
    view = monitoring.overview(plan.strategy, AS_OF)
    assert [(a.axis.code, a.actions, a.percent, a.overdue) for a in view.axes] == [("1", 1, 50.0, 1), ("2", 1, 20.0, 0)]
    assert (view.overall_percent, view.actions, view.completed) == (35.0, 2, 0)
    assert view.axes[0].budget == Decimal("120000")
    messages = {(a.kind, a.message) for a in view.alerts}
    assert ("overdue", "1.1.1.1 was due on 2025-12-31 and is 50% done.") in messages
    # Action 1 was last reported on 30 June 2025, more than 120 days before 1 March 2026.
    assert ("stale", "1.1.1.1 has had no progress update for more than 120 days.") in messages
    assert not any(kind == "stale" and "2.1.1" in text for kind, text in messages)
    assessment_alert = next(a for a in view.alerts if a.kind == "assessment_due")
    assert "no capacity assessment" in assessment_alert.message

    # Completing action 1 ends its overdue alert and counts it as completed; cancelled actions are left out.
    report(plan, "action1", datetime.date(2026, 2, 1), ActionStatus.COMPLETED, 100)
    report(plan, "action2", datetime.date(2026, 2, 1), ActionStatus.CANCELLED, 20)
    view = monitoring.overview(plan.strategy, AS_OF)
    assert (view.overall_percent, view.actions, view.completed) == (100.0, 1, 1)
    assert not [a for a in view.alerts if a.kind == "overdue"]


def test_assessment_cycle_follows_the_last_assessment(world: World, plan: Plan) -> None:
    assessment(world, datetime.date(2023, 1, 15))
    view = monitoring.overview(plan.strategy, AS_OF)
    assert view.assessment_due_on == datetime.date(2026, 1, 15)  # every 36 months
    assessment_alert = next(a for a in view.alerts if a.kind == "assessment_due")
    assert "every 36 months" in assessment_alert.message
    recent = assessment(world, datetime.date(2025, 12, 1))
    view = monitoring.overview(plan.strategy, AS_OF)
    assert view.last_assessment == recent and view.assessment_due_on == datetime.date(2028, 12, 1)
    assert not [a for a in view.alerts if a.kind == "assessment_due"]
    # The strategy's own review counts from its adoption date, which this plan does not have.
    assert view.review_due_on is None and view.alerts[0].kind == "no_adoption"


def test_monitoring_page_shows_figures_charts_alerts_and_the_assessment_link(world: World, plan: Plan) -> None:
    report(plan, "action1", datetime.date(2025, 6, 30), ActionStatus.IN_PROGRESS, 50)
    kpi = act.do_create_kpi(None, plan.action1, name_en="Handlers hired", unit=KPIUnit.COUNT, baseline=0, target=4)
    act.do_record_measurement(None, kpi, date=datetime.date(2025, 12, 31), value=3)
    response = signed_in(world.users[Role.COORDINATOR]).get(url("monitoring", plan), {"as_of": AS_OF.isoformat()})
    text = response.content.decode()
    assert response.status_code == 200
    assert '<span class="overall-percent">25.0%</span>' in text
    assert '<td data-axis="1">50.0%</td>' in text and '<td data-axis="2">0.0%</td>' in text
    assert text.count("<svg") >= 3  # progress per axis, the timeline and the KPIs' progress
    assert 'role="img" aria-label="KPI progress towards target"' in text
    assert "<script" not in text.split("</head>")[1]
    assert "1.1.1.1 was due on 2025-12-31 and is 50% done." in text
    assert reverse("assessment:assessment_create") in text
    assert "Handlers hired" in text and "75%" in text  # 3 of the way from 0 to 4
    # A viewer reads the page but is not offered to start an assessment.
    viewer_page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan)).content.decode()
    assert reverse("assessment:assessment_create") not in viewer_page
    # The outsider's organisation leads action 2 only: its members see that action, nothing else.
    outsider_page = signed_in(world.outsider).get(url("monitoring", plan))
    assert outsider_page.status_code == 200
    assert "National awareness campaign" in outsider_page.content.decode()
    assert "Hire four incident handlers" not in outsider_page.content.decode()
    assert signed_in(world.outsider).get(url("monitoring_action", plan, plan.action1.pk)).status_code == 404


# --------------------------------------------------------------------------- progress updates


def test_progress_update_through_the_page_with_evidence(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.CONTRIBUTOR])
    document = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes of the hiring board", "application/pdf")
    response = client.post(
        url("monitoring_action", plan, plan.action1.pk),
        {
            "date": "2025-06-30",
            "status": ActionStatus.IN_PROGRESS,
            "percent_complete": "50",
            "narrative": "Two handlers hired <b>today</b>.",
            "evidence_url": "https://example.org/call",
            "evidence_document": document,
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.author == world.users[Role.CONTRIBUTOR] and update.evidence_document.name.endswith("minutes.pdf")
    plan.action1.refresh_from_db()
    assert (plan.action1.status, plan.action1.percent_complete) == (ActionStatus.IN_PROGRESS, 50)
    page = client.get(url("monitoring_action", plan, plan.action1.pk)).content.decode()
    assert "Two handlers hired &lt;b&gt;today&lt;/b&gt;." in page
    download = client.get(url("progress_evidence", plan, plan.action1.pk, update.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_bad_progress_updates_are_refused_with_the_text_kept(world: World, plan: Plan, settings: Settings) -> None:
    settings.CYBERPLAN_MAX_UPLOAD_BYTES = 100
    client = signed_in(world.users[Role.ANALYST])
    page = url("monitoring_action", plan, plan.action1.pk)
    response = client.post(
        page,
        {
            "date": "2025-06-30",
            "status": ActionStatus.COMPLETED,
            "percent_complete": "90",
            "narrative": "Almost all hired.",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "A completed action is done in full: give 100 percent." in text and "Almost all hired." in text
    big = SimpleUploadedFile("report.pdf", b"%PDF-1.4 " + b"x" * 500, "application/pdf")
    response = client.post(
        page,
        {
            "date": "2025-06-30",
            "status": ActionStatus.IN_PROGRESS,
            "percent_complete": "40",
            "narrative": "Recruiting.",
            "evidence_document": big,
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "the limit is 100" in text and "Recruiting." in text and "choose the document again" in text
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    response = client.post(
        page, {"date": future, "status": ActionStatus.IN_PROGRESS, "percent_complete": "40", "narrative": "Later."}
    )
    assert "A progress update cannot be dated in the future." in response.content.decode()
    assert not ProgressUpdate.objects.exists()
    # Readers who may not contribute see no form and cannot post.
    viewer = signed_in(world.users[Role.VIEWER])
    assert "Record the update" not in viewer.get(page).content.decode()
    assert viewer.post(page, {"narrative": "x"}).status_code == 403


# --------------------------------------------------------------------------- KPI measurements


def test_measurement_in_the_kpi_unit_and_errors_shown(world: World, plan: Plan) -> None:
    kpi = act.do_create_kpi(
        None, plan.action1, name_en="Incidents answered in a day", unit=KPIUnit.PERCENT, baseline=40, target=90
    )
    client = signed_in(world.users[Role.CONTRIBUTOR])
    page = url("monitoring_kpi", plan, kpi.pk)
    response = client.post(page, {"date": "2025-12-31", "value": "48 h", "note": "From the ticketing system"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "48 h is in hours, but this KPI is measured in percentage." in text and "From the ticketing system" in text
    assert client.post(page, {"date": "2025-12-31", "value": "120"}).status_code == 400
    response = client.post(page, {"date": "2025-12-31", "value": "65%"}, follow=True)
    assert "65 (percentage) was recorded for 2025-12-31." in response.content.decode()
    assert "50% of the way from the baseline to the target" in response.content.decode()
    measurement = KPIMeasurement.objects.get(kpi=kpi)
    assert (measurement.value, measurement.origin) == (Decimal(65), MeasurementOrigin.ENTERED)
    assert signed_in(world.users[Role.VIEWER]).post(page, {"date": "2025-12-31", "value": "1"}).status_code == 403


# --------------------------------------------------------------------------- automatic KPIs


def test_assessment_stage_kpi_from_a_real_assessment(world: World, plan: Plan) -> None:
    kpi = act.do_create_kpi(
        None,
        plan.action1,
        name_en="Maturity of incident response",
        unit=KPIUnit.STAGE,
        source=KPISource.ASSESSMENT_STAGE,
        source_detail="1.1",
        baseline=1,
        target=4,
    )
    client = signed_in(world.users[Role.ANALYST])
    compute = url("kpi_compute", plan, kpi.pk)
    # No assessment yet: a clear message, nothing recorded.
    response = client.post(compute, {"as_of": "2026-06-30"})
    assert response.status_code == 400
    assert "There is no capacity assessment of Paraguay dated on or before 2026-06-30." in response.content.decode()
    assert not kpi.measurements.exists()

    made = assessment(world, datetime.date(2026, 3, 1), stage_of_11=2)
    response = client.post(compute, {"as_of": "2026-06-30"}, follow=True)
    assert "Computed from platform data: 2 (maturity stage (1 to 5)) as of 2026-06-30." in response.content.decode()
    measurement = kpi.measurements.get()
    assert (measurement.value, measurement.origin, measurement.recorded_by) == (
        Decimal(2),
        MeasurementOrigin.COMPUTED,
        world.users[Role.ANALYST],
    )
    assert measurement.detail["assessment"] == made.pk and measurement.detail["factor"] == "1.1"
    # Computing again for the same date replaces the value instead of adding one.
    for indicator in made.framework.structure().factor("1.1").indicators:
        if indicator.stage == 3:
            answer = made.answers.get(indicator_id=indicator.id)
            assessment_actions.do_answer_indicator(None, answer, None, value="met")
    act.do_compute_kpi(None, kpi, datetime.date(2026, 6, 30))
    assert [m.value for m in kpi.measurements.all()] == [Decimal(3)]
    # A viewer has no "Compute now" button and cannot post it.
    assert (
        "Compute now"
        not in signed_in(world.users[Role.VIEWER]).get(url("monitoring_kpi", plan, kpi.pk)).content.decode()
    )
    assert signed_in(world.users[Role.VIEWER]).post(compute, {"as_of": "2026-06-30"}).status_code == 403


HONEYPOT_HEADER = ["timestamp", "src_ip", "src_port", "src_asn", "src_geo", "dst_ip", "dst_port", "application"]
SCAN_HEADER = ["timestamp", "ip", "protocol", "port", "hostname", "tag", "asn", "geo"]


def shadowserver_file(folder: Path, name: str, header: list[str], rows: list[list[object]]) -> Path:
    """A synthetic Shadowserver report (addresses from the documentation ranges, private AS numbers)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def ingest_sample_reports(world: World, tmp_path: Path) -> None:
    """Brute force: 7 events from 5 sources in May 2026, 2 in March; open telnet: 4 in May."""
    reports = tmp_path / "reports"
    may = [
        ["2026-05-10 01:00:00", "198.51.100.1", 40001, 64512, "PY", "192.0.2.10", 22, "ssh"],
        ["2026-05-10 02:00:00", "198.51.100.1", 40002, 64512, "PY", "192.0.2.10", 22, "ssh"],
        ["2026-05-11 03:00:00", "198.51.100.2", 40003, 64512, "PY", "192.0.2.10", 22, "ssh"],
        ["2026-05-12 04:00:00", "198.51.100.3", 40004, 64513, "PY", "192.0.2.11", 23, "telnet"],
        ["2026-05-13 05:00:00", "198.51.100.4", 40005, 64513, "PY", "192.0.2.11", 22, "ssh"],
        ["2026-05-14 06:00:00", "198.51.100.5", 40006, 64513, "PY", "192.0.2.11", 22, "ssh"],
        ["2026-05-14 07:00:00", "198.51.100.5", 40007, 64513, "PY", "192.0.2.11", 22, "ssh"],
    ]
    march = [
        ["2026-03-02 01:00:00", "198.51.100.9", 40010, 64512, "PY", "192.0.2.10", 22, "ssh"],
        ["2026-03-03 01:00:00", "198.51.100.9", 40011, 64512, "PY", "192.0.2.10", 22, "ssh"],
    ]
    telnet = [[f"2026-05-20 0{i}:00:00", f"203.0.113.{i}", "tcp", 23, "", "telnet", 64514, "PY"] for i in range(1, 5)]
    shadowserver_file(reports, "2026-05-31-event4_honeypot_brute_force-py-geo.csv", HONEYPOT_HEADER, may)
    shadowserver_file(reports, "2026-03-31-event4_honeypot_brute_force-py-geo.csv", HONEYPOT_HEADER, march)
    shadowserver_file(reports, "2026-05-20-scan_telnet-py-geo.csv", SCAN_HEADER, telnet)
    call_command("ingest", str(reports), organisation=world.org_a.slug, stdout=io.StringIO())


def test_trend_metric_kpi_from_events_ingested_through_the_pipeline(world: World, plan: Plan, tmp_path: Path) -> None:
    ingest_sample_reports(world, tmp_path)

    def kpi(detail: str) -> KPI:
        return act.do_create_kpi(
            None,
            plan.action1,
            name_en=detail,
            unit=KPIUnit.COUNT,
            source=KPISource.TREND_METRIC,
            source_detail=detail,
            frequency=Frequency.QUARTERLY,
        )

    brute_force = kpi("events class=intrusion-attempts")
    measurement = act.do_compute_kpi(None, brute_force, datetime.date(2026, 6, 30))
    # The quarter 1 April to 30 June holds the 7 brute-force events of May, not the 2 of March nor the telnet scans.
    assert measurement.value == 7
    assert measurement.detail["from"] == "2026-04-01" and measurement.detail["to"] == "2026-06-30"
    assert measurement.detail["filters"] == {"class": ["intrusion-attempts"]}
    assert act.do_compute_kpi(None, brute_force, datetime.date(2026, 3, 31)).value == 2
    assert act.do_compute_kpi(None, kpi("events"), datetime.date(2026, 6, 30)).value == 11
    assert act.do_compute_kpi(None, kpi("sources class=intrusion-attempts"), datetime.date(2026, 6, 30)).value == 5
    assert act.do_compute_kpi(None, kpi("events class=vulnerable"), datetime.date(2026, 6, 30)).value == 4

    # The same through the page's "Compute now" button.
    response = signed_in(world.users[Role.COORDINATOR]).post(
        url("kpi_compute", plan, brute_force.pk), {"as_of": "2026-06-30"}, follow=True
    )
    text = response.content.decode()
    assert "Computed from platform data: 7 (count) as of 2026-06-30." in text
    assert "intrusion-attempts" in text  # how it was computed


def test_gaps_closed_kpi_from_the_gap_register(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    kpi = act.do_create_kpi(
        None, plan.action1, name_en="Gaps closed", unit=KPIUnit.PERCENT, source=KPISource.GAPS_CLOSED, target=100
    )
    june = datetime.date(2026, 6, 30)
    with pytest.raises(ValidationError, match="No gap is linked yet"):
        act.do_compute_kpi(None, kpi, june)
    gaps = [do_create_gap(coordinator, world.org_a, title_en=f"Gap {i}") for i in range(3)]
    for gap in gaps:
        act.do_link_gap(coordinator, plan.action1, gap)
    for gap, closed_on in ((gaps[0], datetime.date(2026, 5, 4)), (gaps[1], datetime.date(2026, 6, 10))):
        do_set_gap_status(coordinator, gap, "closed")
        # Closed through the register, then dated back (at noon UTC) so the windows below are fixed.
        Gap.objects.filter(pk=gap.pk).update(
            closed_at=datetime.datetime.combine(closed_on, datetime.time(12), datetime.UTC)
        )
    assert act.do_compute_kpi(None, kpi, datetime.date(2026, 5, 31)).value == Decimal("33.33")
    measurement = act.do_compute_kpi(None, kpi, june)
    assert measurement.value == Decimal("66.67")
    assert measurement.detail == {"source": "gaps_closed", "closed": 2, "linked": 3, "scope": "action"}
    assert act.do_compute_kpi(None, kpi, datetime.date(2026, 5, 1)).value == 0
    page = signed_in(coordinator).get(url("monitoring", plan)).content.decode()
    assert "Gaps closed" in page and "66.67" in page


def test_hostile_titles_are_escaped_in_tables_and_charts(world: World, plan: Plan) -> None:
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    act.do_update_element(None, plan.axis1, None, title_en=hostile)
    act.do_update_action(None, plan.action1, None, title_en=hostile)
    kpi = act.do_create_kpi(None, plan.action1, name_en=hostile, unit=KPIUnit.COUNT)
    act.do_record_measurement(None, kpi, date=datetime.date(2025, 6, 30), value=1, note=hostile)
    client = signed_in(world.users[Role.VIEWER])
    for page in (
        url("monitoring", plan),
        url("monitoring_action", plan, plan.action1.pk),
        url("monitoring_kpi", plan, kpi.pk),
    ):
        text = client.get(page).content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, page


def test_trend_kpi_counts_another_organisations_store_only_through_a_grant(
    world: World, plan: Plan, tmp_path: Path
) -> None:
    """The strategy belongs to authority A; the events are in CSIRT B's store (store=csirt-b)."""
    reports = tmp_path / "b-reports"
    rows = [
        [f"2026-05-1{i} 01:00:00", f"198.51.100.{i}", 40000 + i, 64512, "PY", "192.0.2.10", 22, "ssh"] for i in range(3)
    ]
    shadowserver_file(reports, "2026-05-31-event4_honeypot_brute_force-py-geo.csv", HONEYPOT_HEADER, rows)
    call_command("ingest", str(reports), organisation=world.org_b.slug, tlp="amber", stdout=io.StringIO())
    kpi = act.do_create_kpi(
        None,
        plan.action1,
        name_en="Brute force seen by CSIRT B",
        unit=KPIUnit.COUNT,
        source=KPISource.TREND_METRIC,
        source_detail=f"events class=intrusion-attempts store={world.org_b.slug}",
        frequency=Frequency.QUARTERLY,
    )
    june = datetime.date(2026, 6, 30)
    # Without a grant from B to A, nobody counts B's events for A's strategy: not the command line (no
    # person), not a coordinator of A, not even a member of B.
    for actor in (None, world.users[Role.COORDINATOR], world.outsider):
        with pytest.raises(ValidationError, match="has no grant to read the store of CSIRT B"):
            kpis.compute(kpi, june, actor)
    grant = do_grant_store_access(None, world.org_b, world.org_a, ceiling="amber", reason="National picture")
    assert kpis.compute(kpi, june).value == 3
    measured = act.do_compute_kpi(world.users[Role.COORDINATOR], kpi, june)
    assert measured.value == 3 and measured.detail["store"] == world.org_b.slug
    assert measured.detail["tlp"] == ["amber", "clear", "green"]
    assert (
        "CSIRT B (CB) (granted up to" in measured.detail["store_text"] and "TLP:AMBER" in measured.detail["store_text"]
    )
    # A grant up to GREEN does not release B's AMBER events; a revoked grant releases nothing.
    do_revoke_store_access(None, grant)
    with pytest.raises(ValidationError, match="has no grant"):
        kpis.compute(kpi, june)
    do_grant_store_access(None, world.org_b, world.org_a, ceiling="green", reason="Less")
    assert kpis.compute(kpi, june).value == 0
    # Without store=, the owner's own (empty) store is counted.
    own = act.do_update_kpi(None, kpi, None, source_detail="events class=intrusion-attempts")
    assert kpis.compute(own, june).value == 0
    with pytest.raises(ValidationError, match="no organisation with the short name"):
        kpis.compute(
            act.do_update_kpi(None, own, None, source_detail="events store=nowhere"), datetime.date(2026, 6, 30)
        )
