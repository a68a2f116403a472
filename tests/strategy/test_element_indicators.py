"""Indicators at every level: a KPI measures an action, or an axis or objective of the strategy.

An element's KPI is read and changed exactly as its strategy is (plan pages, monitoring, API), the
importer takes an element's code as a KPI's parent, versions carry and compare element KPIs, and the
M&E report gives each axis its impact, outcome and output indicators with a summary by type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy import snapshot
from cyberplan.strategy.choices import IndicatorType, KPISource, MeasurementOrigin, VersionStatus
from cyberplan.strategy.importing.importer import import_structure
from cyberplan.strategy.models import KPI, Element
from cyberplan.strategy.monitoring import overview as mon
from cyberplan.strategy.report.service import produce
from cyberplan.strategy.versions import actions as version_act
from tests.conftest import World
from tests.strategy.conftest import Plan, signed_in, url
from tests.trends.report_support import docx_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CYBERPLAN_TRENDS_WARM = False


def indicator(world: World, holder: object, name: str, **values: object) -> KPI:
    values.setdefault("unit", "count")
    values.setdefault("baseline", 0)
    values.setdefault("target", 10)
    return act.do_create_kpi(
        world.users[Role.COORDINATOR],
        holder,  # type: ignore[arg-type]  # an action or an element
        name_en=name,
        name_es=f"{name} (es)",
        **values,
    )


# --------------------------------------------------------------------------- the model


def test_a_kpi_measures_exactly_one_level(world: World, plan: Plan) -> None:
    for holder in ({}, {"action": plan.action1, "element": plan.axis1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            KPI.objects.create(name_en="Nowhere or twice", unit="count", **holder)
    on_axis = KPI.objects.create(element=plan.axis1, name_en="Axis", unit="count")
    on_action = KPI.objects.create(action=plan.action1, name_en="Action", unit="count")
    assert on_axis.strategy == on_action.strategy == plan.strategy
    assert on_axis.organisation == world.org_a and on_axis.level == "axis" and on_action.level == "action"
    assert set(KPI.objects.of_strategies(plan.strategy)) == {on_axis, on_action}


def test_the_indicator_type_defaults_by_level_and_stays_editable(world: World, plan: Plan) -> None:
    assert indicator(world, plan.axis1, "Serious incidents").indicator_type == IndicatorType.IMPACT
    assert indicator(world, plan.objective11, "Incidents closed").indicator_type == IndicatorType.OUTCOME
    assert indicator(world, plan.action1, "Handlers hired").indicator_type == IndicatorType.OUTPUT
    chosen = indicator(world, plan.axis2, "Campaign reach", indicator_type=IndicatorType.OUTCOME)
    assert chosen.indicator_type == IndicatorType.OUTCOME
    entry = AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_id=str(chosen.pk), content_type__model="kpi"
    ).get()
    assert entry.organisation_id == world.org_a.pk


def test_deleting_an_element_deletes_its_kpis_with_an_audit_entry(world: World, plan: Plan) -> None:
    kpi = indicator(world, plan.objective21, "Citizens reached")
    plan.action2.delete()  # an element with an action under it is kept
    act.do_delete_element(world.users[Role.COORDINATOR], Element.objects.get(pk=plan.objective21.pk))
    assert not KPI.objects.filter(pk=kpi.pk).exists()
    assert AuditEntry.objects.filter(
        action=AuditAction.DELETE, object_id=str(kpi.pk), content_type__model="kpi"
    ).exists()


# --------------------------------------------------------------------------- plan pages


def test_plan_pages_add_edit_and_delete_an_axis_indicator(world: World, plan: Plan) -> None:
    coordinator = signed_in(world.users[Role.COORDINATOR])
    new = url("element_kpi_create", plan, plan.axis1.pk)
    form = coordinator.get(new)
    assert form.status_code == 200
    assert '<option value="impact" selected>' in form.content.decode()  # an axis's default
    posted = coordinator.post(
        new,
        {
            "name_en": "Serious incidents <b>national</b>",
            "name_es": "Incidentes graves",
            "indicator_type": "impact",
            "unit": "count",
            "direction": "decrease",
            "baseline": "12",
            "target": "4",
            "frequency": "yearly",
            "source": "manual",
        },
    )
    assert posted.status_code == 302 and posted["Location"].endswith(f"#e-{plan.axis1.pk}")
    kpi = KPI.objects.get(element=plan.axis1)
    assert kpi.action is None and kpi.indicator_type == IndicatorType.IMPACT and kpi.target == 4
    page = coordinator.get(url("plan", plan)).content.decode()
    assert "Serious incidents &lt;b&gt;national&lt;/b&gt;" in page and "<b>national</b>" not in page
    assert url("element_kpi_edit", plan, plan.axis1.pk, kpi.pk) in page
    refused = coordinator.post(
        url("element_kpi_edit", plan, plan.axis1.pk, kpi.pk),
        {"name_en": "Serious incidents", "indicator_type": "impact", "unit": "count", "direction": "decrease",
         "baseline": "12", "target": "40 days", "frequency": "yearly", "source": "manual", "version": kpi.version},
    )  # fmt: skip
    assert refused.status_code == 400 and KPI.objects.get(pk=kpi.pk).target == 4  # the wrong unit is refused
    edited = coordinator.post(
        url("element_kpi_edit", plan, plan.axis1.pk, kpi.pk),
        {"name_en": "Serious incidents", "indicator_type": "impact", "unit": "count", "direction": "decrease",
         "baseline": "12", "target": "3", "frequency": "yearly", "source": "manual", "version": kpi.version},
    )  # fmt: skip
    assert edited.status_code == 302 and KPI.objects.get(pk=kpi.pk).target == 3
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, object_id=str(kpi.pk), content_type__model="kpi"
    ).exists()
    deleted = coordinator.post(url("element_kpi_delete", plan, plan.axis1.pk, kpi.pk))
    assert deleted.status_code == 302 and not KPI.objects.filter(pk=kpi.pk).exists()


def test_an_objective_indicator_form_starts_as_an_outcome(world: World, plan: Plan) -> None:
    form = signed_in(world.users[Role.COORDINATOR]).get(url("element_kpi_create", plan, plan.objective11.pk))
    assert '<option value="outcome" selected>' in form.content.decode()


def test_element_indicators_are_changed_only_by_editors_of_the_strategy(world: World, plan: Plan) -> None:
    kpi = indicator(world, plan.axis1, "Serious incidents")
    edit = url("element_kpi_edit", plan, plan.axis1.pk, kpi.pk)
    # A viewer of the owner reads the plan but may not change it.
    assert signed_in(world.users[Role.VIEWER]).get(url("element_kpi_create", plan, plan.axis1.pk)).status_code == 403
    assert (
        signed_in(world.users[Role.VIEWER]).post(url("element_kpi_delete", plan, plan.axis1.pk, kpi.pk)).status_code
        == 403
    )
    # Another organisation (here the lead of an action of the plan) is told nothing.
    for user in (world.outsider, world.nobody):
        assert signed_in(user).get(edit).status_code == 404
        assert signed_in(user).post(url("element_kpi_delete", plan, plan.axis1.pk, kpi.pk)).status_code == 404
    # The KPI is looked up under its own element: another element's address does not reach it.
    assert (
        signed_in(world.users[Role.COORDINATOR]).get(url("element_kpi_edit", plan, plan.axis2.pk, kpi.pk)).status_code
        == 404
    )
    assert KPI.objects.filter(pk=kpi.pk).exists()


# --------------------------------------------------------------------------- monitoring


def test_monitoring_shows_every_level_with_latest_value_and_progress(world: World, plan: Plan) -> None:
    impact = indicator(world, plan.axis1, "Serious incidents", direction="decrease", baseline=12, target=4)
    outcome = indicator(world, plan.objective11, "Incidents closed within a day")
    indicator(world, plan.action1, "Handlers hired")
    act.do_record_measurement(world.users[Role.COORDINATOR], impact, date=dt.date(2026, 1, 15), value=8)
    view = mon.overview(plan.strategy, dt.date(2026, 3, 1))
    rows = {row.kpi.name_en: row for row in view.kpis}
    assert rows["Serious incidents"].progress == 0.5 and not rows["Serious incidents"].due
    assert rows["Incidents closed within a day"].latest is None and rows["Incidents closed within a day"].due
    assert any(a.kind == "kpi_due" and a.kpi == outcome and "1.1" in a.message for a in view.alerts)
    page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan), {"as_of": "2026-03-01"})
    body = page.content.decode()
    body = body[body.index('id="kpis-heading"') :]
    assert page.status_code == 200
    axis_label, objective_label = (f"{gettext(k)} {c}" for k, c in (("Axis", "1"), ("Objective", "1.1")))
    assert f'<td class="kpi-level">{axis_label}</td>' in body
    assert f'<td class="kpi-level">{objective_label}</td>' in body
    assert "50%" in body  # half-way from 12 to 4
    detail = url("monitoring_kpi", plan, impact.pk)
    assert signed_in(world.users[Role.VIEWER]).get(detail).status_code == 200
    assert signed_in(world.outsider).get(detail).status_code == 404


def test_measurements_of_an_element_indicator_are_entered_by_contributors_only(world: World, plan: Plan) -> None:
    kpi = indicator(world, plan.axis1, "Serious incidents")
    detail = url("monitoring_kpi", plan, kpi.pk)
    refused = signed_in(world.users[Role.VIEWER]).post(detail, {"date": "2026-01-10", "value": "3"})
    assert refused.status_code == 403 and not kpi.measurements.exists()
    assert signed_in(world.outsider).post(detail, {"date": "2026-01-10", "value": "3"}).status_code == 404
    recorded = signed_in(world.users[Role.CONTRIBUTOR]).post(detail, {"date": "2026-01-10", "value": "3"})
    assert recorded.status_code == 302 and kpi.measurements.get().value == 3


def test_an_objective_counts_the_gaps_of_the_actions_under_it(
    world: World, plan: Plan, make_gap: Callable[..., Gap]
) -> None:
    coordinator = world.users[Role.COORDINATOR]
    first, second = make_gap(title_en="No CSIRT roster"), make_gap(title_en="No campaign")
    act.do_link_gap(coordinator, plan.action1, first)  # under objective 1.1
    act.do_link_gap(coordinator, plan.action2, second)  # under objective 2.1
    kpi = indicator(world, plan.objective11, "Gaps closed", unit="percent", target=100, source=KPISource.GAPS_CLOSED)
    measurement = act.do_compute_kpi(coordinator, kpi, timezone.localdate())
    assert measurement.origin == MeasurementOrigin.COMPUTED and measurement.value == 0
    assert measurement.detail["linked"] == 1 and measurement.detail["scope"] == "objective"


# --------------------------------------------------------------------------- API


def test_api_creates_reads_and_updates_an_element_kpi(world: World, plan: Plan) -> None:
    analyst = APIClient()
    analyst.force_authenticate(world.users[Role.ANALYST])
    body = {"element": plan.objective11.pk, "name_en": "Incidents closed within a day", "unit": "count", "target": 30}
    created = analyst.post("/api/strategy-kpis/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["element"] == plan.objective11.pk and data["action"] is None
    assert data["level"] == "objective" and data["indicator_type"] == "outcome"
    pk = data["id"]
    changed = analyst.patch(f"/api/strategy-kpis/{pk}/", {"target": "35", "element": plan.axis2.pk}, format="json")
    assert changed.status_code == 200 and changed.json()["target"].startswith("35")
    assert KPI.objects.get(pk=pk).element_id == plan.objective11.pk  # where it sits does not move
    listed = analyst.get("/api/strategy-kpis/", {"element": plan.objective11.pk}).json()
    assert [k["id"] for k in listed["results"]] == [pk]
    both = analyst.post("/api/strategy-kpis/", {**body, "action": plan.action1.pk}, format="json")
    neither = analyst.post("/api/strategy-kpis/", {"name_en": "Nowhere", "unit": "count"}, format="json")
    assert both.status_code == 400 and "element" in both.json()
    assert neither.status_code == 400 and "action" in neither.json()
    measured = analyst.post(f"/api/strategy-kpis/{pk}/measurements/", {"date": "2026-01-10", "value": "12"})
    assert measured.status_code == 201 and KPI.objects.get(pk=pk).measurements.get().value == 12


def test_api_keeps_element_kpis_within_the_organisation(world: World, plan: Plan) -> None:
    kpi = indicator(world, plan.axis1, "Serious incidents")
    outsider = APIClient()
    outsider.force_authenticate(world.outsider)
    assert outsider.get(f"/api/strategy-kpis/{kpi.pk}/").status_code == 404
    assert outsider.patch(f"/api/strategy-kpis/{kpi.pk}/", {"target": "1"}, format="json").status_code == 404
    assert (
        outsider.post(f"/api/strategy-kpis/{kpi.pk}/measurements/", {"date": "2026-01-10", "value": "1"}).status_code
        == 404
    )
    assert kpi.pk not in [k["id"] for k in outsider.get("/api/strategy-kpis/").json()["results"]]
    planted = outsider.post(
        "/api/strategy-kpis/", {"element": plan.axis1.pk, "name_en": "Planted", "unit": "count"}, format="json"
    )
    assert planted.status_code == 400 and not KPI.objects.filter(name_en="Planted").exists()
    viewer = APIClient()
    viewer.force_authenticate(world.users[Role.VIEWER])
    assert viewer.get(f"/api/strategy-kpis/{kpi.pk}/").status_code == 200
    assert viewer.patch(f"/api/strategy-kpis/{kpi.pk}/", {"target": "1"}, format="json").status_code == 403
    assert KPI.objects.get(pk=kpi.pk).target == 10


# --------------------------------------------------------------------------- import


IMPORT_HEADER = "kind,code,parent,title_en,unit,direction,baseline,target,source,indicator_type"


def test_import_puts_a_kpi_on_the_axis_or_objective_it_names(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    good = "\n".join(
        [
            IMPORT_HEADER,
            "kpi,,1,Serious incidents,count,decrease,12,4,manual,",
            "objective,1.2,1,Share information,,,,,,",
            "kpi,,1.2,Members sharing indicators,count,,0,20,manual,",
            "kpi,,1.1.1.1,Handlers hired,count,,0,4,manual,",
        ]
    ).encode()
    result = import_structure(coordinator, good, "plan.csv", strategy=plan.strategy)
    assert result.ok, [str(p) for p in result.problems]
    assert KPI.objects.get(element=plan.axis1).indicator_type == IndicatorType.IMPACT
    assert KPI.objects.get(element__code="1.2", element__strategy=plan.strategy).indicator_type == IndicatorType.OUTCOME
    assert KPI.objects.get(action=plan.action1).indicator_type == IndicatorType.OUTPUT
    again = import_structure(coordinator, good, "plan.csv", strategy=plan.strategy)  # the same file again
    assert again.ok and not again.created and again.unchanged["kpi"] == 3
    assert KPI.objects.of_strategies(plan.strategy).count() == 3


def test_import_names_a_kpi_parent_that_is_nowhere(world: World, plan: Plan) -> None:
    bad = "\n".join(
        [
            IMPORT_HEADER,
            "kpi,,9.9,Lost indicator,count,,0,4,manual,",
            "kpi,,1,Twice,count,,0,4,manual,",
            "kpi,,1,Twice,count,,0,5,manual,",
        ]
    ).encode()
    refused = import_structure(world.users[Role.COORDINATOR], bad, "plan.csv", strategy=plan.strategy)
    expected = gettext(
        "The KPI names %(parent)s, which is no action, objective or axis in the file or the strategy."
    ) % {"parent": "9.9"}
    twice = gettext("Element %(action)s has %(count)d KPIs named %(name)r.") % {
        "action": "1",
        "count": 2,
        "name": "twice",
    }
    problems = [str(p) for p in refused.problems]
    assert not refused.ok and f"plan.csv: line 2 [parent]: {expected}" in problems
    assert any(p.endswith(twice) and "lines 3, 4" in p for p in problems), problems
    assert not KPI.objects.filter(name_en="Lost indicator").exists()


# --------------------------------------------------------------------------- versions


def test_a_version_carries_and_compares_element_indicators(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    impact = indicator(world, plan.axis1, "Serious incidents")
    first = version_act.do_create_version(coordinator, plan.strategy, "v1")
    axis = next(e for e in first.snapshot["elements"] if e["code"] == "1")
    assert [k["name_en"] for k in axis["kpis"]] == ["Serious incidents"] and axis["kpis"][0][
        "indicator_type"
    ] == "impact"
    assert "kpis" not in next(e for e in first.snapshot["elements"] if e["code"] == "2")
    act.do_update_kpi(coordinator, impact, None, target=3)
    indicator(world, plan.objective21, "Citizens reached")
    version_act.do_move_version(coordinator, first, VersionStatus.WITHDRAWN)  # one open version at a time
    second = version_act.do_create_version(coordinator, plan.strategy, "v2")
    changes = {(c.kind, c.change, c.label) for c in snapshot.compare(first.snapshot, second.snapshot)}
    assert ("kpi", "changed", "1 · Serious incidents") in changes
    assert ("kpi", "added", "2.1 · Citizens reached") in changes
    page = signed_in(world.users[Role.VIEWER]).get(url("version_detail", plan, second.number)).content.decode()
    assert "Citizens reached" in page and "Serious incidents" in page


# --------------------------------------------------------------------------- the M&E report


@pytest.mark.parametrize("language", ["en", "es"])
def test_report_gives_each_axis_its_indicators_by_level_and_type(world: World, plan: Plan, language: str) -> None:
    coordinator = world.users[Role.COORDINATOR]
    impact = indicator(
        world, plan.axis1, "Serious incidents <b>national</b>", direction="decrease", baseline=12, target=4
    )
    indicator(world, plan.objective11, "Incidents closed within a day")
    indicator(world, plan.action1, "Handlers hired")
    indicator(world, plan.axis2, "Citizens aware")
    act.do_record_measurement(coordinator, impact, date=dt.date(2025, 9, 1), value=8)
    suffix = " (es)" if language == "es" else ""
    with translation.override(language):
        impact_group, outcome_group, output_group = (
            gettext("Impact indicators: the long-term effect"),
            gettext("Outcome indicators: the change the actions bring"),
            gettext("Output indicators: what the actions deliver"),
        )
        by_type = gettext("Indicators by type")
        pct = "{} %" if language == "es" else "{}%"  # Spanish puts a space before the sign
        # Impact: two indicators, one measured (half-way), the other due; no outcome measured yet.
        impact_summary = f"{gettext('Impact')} 2 1 1 {pct.format(50)}"
        levels = [
            f"{gettext(kind)} {code}" for kind, code in (("Axis", "1"), ("Objective", "1.1"), ("Action", "1.1.1.1"))
        ]
    html = produce(plan.strategy, "monitoring", language, "html", period="2025-Q3").content.decode()
    assert "Serious incidents &lt;b&gt;national&lt;/b&gt;" in html and "<b>national</b>" not in html
    flat = " ".join(
        pdf_text(produce(plan.strategy, "monitoring", language, "pdf", period="2025-Q3").content).text.split()
    )
    start = flat.index(by_type)
    assert impact_summary in flat[start:]
    axis1 = flat.index(f"1 Incident response · {impact_group}", start)
    axis2 = flat.index(f"2 Awareness · {impact_group}", start)
    # Axis 1: its impact indicator, then its objective's outcome one, then its action's output one.
    assert axis1 < flat.index(f"Serious incidents <b>national</b>{suffix}", axis1)
    assert (
        axis1
        < flat.index(f"1 Incident response · {outcome_group}")
        < flat.index(f"Incidents closed within a day{suffix}")
    )
    assert flat.index(f"1 Incident response · {output_group}") < flat.index(f"Handlers hired{suffix}") < axis2
    assert axis2 < flat.index(f"Citizens aware{suffix}")
    for level in levels:
        assert level in flat[axis1:axis2]
    document = docx_text(produce(plan.strategy, "monitoring", language, "docx", period="2025-Q3").content).body
    assert by_type in document and f"1 Incident response · {impact_group}" in document
    assert f"Serious incidents <b>national</b>{suffix}" in document


def test_the_strategy_document_lists_element_indicators_in_its_monitoring_framework(world: World, plan: Plan) -> None:
    indicator(world, plan.axis1, "Serious incidents <i>national</i>")
    indicator(world, plan.action1, "Handlers hired")
    html = produce(plan.strategy, "strategy", "es", "html").content.decode()
    with translation.override("es"):
        heading = gettext("Indicator of")
    framework = html[html.index(heading) :]
    assert "Serious incidents &lt;i&gt;national&lt;/i&gt; (es)" in framework
    assert "<i>national</i>" not in html
    assert framework.index("national") < framework.index("Handlers hired (es)")  # the axis before its action


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_existing_kpis_on_their_actions(world: World, plan: Plan) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("strategy", "0008_budget_lines_exchange_rates")], [("strategy", "0009_kpi_element")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("strategy", "KPI")
    existing = old.objects.create(action_id=plan.action1.pk, name_en="Handlers hired", unit="count")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    migrated = executor.loader.project_state(after).apps.get_model("strategy", "KPI").objects.get(pk=existing.pk)
    assert migrated.action_id == plan.action1.pk and migrated.element_id is None
    assert migrated.indicator_type == IndicatorType.OUTPUT
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert KPI.objects.get(pk=existing.pk).level == "action"
