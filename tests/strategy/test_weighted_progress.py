"""Indicator types (output, outcome, impact) and progress weighted by budget or by explicit weight.

The M&E report (PDF, DOCX, HTML in both languages), the monitoring page and the API show the weighted
figure beside the unweighted mean and group the indicators by type.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ActionStatus, IndicatorType, KPISource, ProgressWeighting
from cyberplan.strategy.importing.importer import import_structure
from cyberplan.strategy.models import KPI, Action
from cyberplan.strategy.monitoring import overview as mon
from cyberplan.strategy.report.service import produce
from tests.conftest import World
from tests.strategy.conftest import Plan, signed_in, url
from tests.trends.report_support import docx_text, pdf_text

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CYBERPLAN_TRENDS_WARM = False


def progress(plan: Plan, world: World, first: int, second: int) -> None:
    """Action 1 (budget 120 000, axis 1) at ``first`` percent, action 2 (no budget, axis 2) at ``second``."""
    coordinator = world.users[Role.COORDINATOR]
    for action, percent in ((plan.action1, first), (plan.action2, second)):
        act.do_report_progress(
            coordinator,
            action,
            date=dt.date(2025, 9, 1),
            status=ActionStatus.IN_PROGRESS,
            percent_complete=percent,
            narrative=f"{percent}% done.",
        )


def kpi(plan: Plan, world: World, name: str, kind: str, action: Action | None = None) -> KPI:
    return act.do_create_kpi(
        world.users[Role.COORDINATOR],
        action or plan.action1,
        name_en=name,
        name_es=f"{name} (es)",
        indicator_type=kind,
        unit="count",
        baseline=0,
        target=10,
        source=KPISource.MANUAL,
    )


def test_weighted_mean_arithmetic() -> None:
    assert mon.weighted_percent([(60, Decimal(120000)), (20, Decimal(0))]) == 60.0
    assert mon.weighted_percent([(60, Decimal(1)), (20, Decimal(3))]) == 30.0
    assert mon.weighted_percent([(50, Decimal("2.5")), (100, Decimal("7.5"))]) == 87.5
    assert mon.weighted_percent([(60, Decimal(0)), (20, Decimal(0))]) is None  # nothing weighs
    assert mon.weighted_percent([]) is None
    action = Action(budget=None, weight=None)
    assert mon.action_weight(action, ProgressWeighting.BUDGET) == 0
    assert mon.action_weight(action, ProgressWeighting.WEIGHT) == 1
    action = Action(budget=Decimal(500), weight=Decimal("0.5"))
    assert mon.action_weight(action, ProgressWeighting.BUDGET) == 500
    assert mon.action_weight(action, ProgressWeighting.WEIGHT) == Decimal("0.5")


def test_overview_weighs_by_budget_then_by_explicit_weight(world: World, plan: Plan) -> None:
    progress(plan, world, 60, 20)
    view = mon.overview(plan.strategy, AS_OF)
    assert view.weighting == ProgressWeighting.BUDGET
    assert view.overall_percent == 40.0  # (60 + 20) / 2
    assert view.overall_weighted == 60.0  # only action 1 has a budget
    axis1, axis2 = view.axes
    assert (axis1.percent, axis1.weighted) == (60.0, 60.0)
    assert (axis2.percent, axis2.weighted) == (20.0, None)  # no budget on the axis: not computed

    coordinator = world.users[Role.COORDINATOR]
    plan.strategy = act.do_update_strategy(
        coordinator, plan.strategy, None, progress_weighting=ProgressWeighting.WEIGHT
    )
    act.do_update_action(coordinator, plan.action2, None, weight=Decimal(3))
    view = mon.overview(plan.strategy, AS_OF)
    assert view.overall_percent == 40.0
    assert view.overall_weighted == 30.0  # (60 * 1 + 20 * 3) / 4
    assert [a.weighted for a in view.axes] == [60.0, 20.0]


def test_bad_weight_and_indicator_type_are_refused_on_their_field(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    with pytest.raises(ValidationError) as refused:
        act.do_update_action(coordinator, plan.action1, None, weight=Decimal(-1))
    assert "weight" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        kpi(plan, world, "Bogus", "result")
    assert "indicator_type" in refused.value.message_dict
    assert not KPI.objects.filter(name_en="Bogus").exists()
    client = signed_in(coordinator)
    response = client.post(
        url("action_edit", plan, plan.action1.pk),
        {"title_en": plan.action1.title_en, "code": plan.action1.code, "parent": plan.line111.pk, "weight": "-2"},
    )
    assert response.status_code == 400 and "weight" in response.context["form"].errors


def test_updates_are_audited_with_the_change(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    before = AuditEntry.objects.count()
    act.do_update_action(coordinator, plan.action1, None, weight=Decimal(2))
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 1 and "weight" in entry.changes
    measured = kpi(plan, world, "Handlers hired", IndicatorType.OUTPUT)
    act.do_update_kpi(coordinator, measured, None, indicator_type=IndicatorType.OUTCOME)
    assert "indicator_type" in AuditEntry.objects.latest("id").changes


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es"])
def test_report_groups_indicators_by_type_and_states_the_weighting(world: World, plan: Plan, language: str) -> None:
    progress(plan, world, 60, 20)
    kpi(plan, world, "Handlers hired", IndicatorType.OUTPUT)
    kpi(plan, world, "Incidents closed within a day", IndicatorType.OUTCOME)
    kpi(plan, world, "Serious incidents <b>national</b>", IndicatorType.IMPACT, plan.action2)
    strategy = plan.strategy
    text = pdf_text(produce(strategy, "monitoring", language, "pdf", period="2025-Q3").content).text
    flat = " ".join(text.split())
    pct = "{} %" if language == "es" else "{}%"  # Spanish puts a space before the sign
    sixty, forty, twenty = (pct.format(n) for n in (60, 40, 20))
    with translation.override(language):  # the words the reader's language gives them
        groups = [
            gettext("Impact indicators: the long-term effect"),
            gettext("Outcome indicators: the change the actions bring"),
            gettext("Output indicators: what the actions deliver"),
        ]
        summary = gettext("Weighted by budget, the plan is %(weighted)s done; the unweighted mean is %(mean)s.") % {
            "weighted": sixty,
            "mean": forty,
        }
        method = gettext(
            "Weighted progress weighs each action by its planned budget (an action without a budget weighs nothing; "
            "with no budget at all it is not computed); the unweighted mean counts every action alike."
        )
    impact, outcome, output = (flat.find(group) for group in groups)
    # Each axis lists its indicators along the results chain, from the long-term effect down: axis 1
    # (action 1) has an outcome and an output indicator, axis 2 (action 2) an impact one.
    assert -1 < outcome < output < impact
    suffix = " (es)" if language == "es" else ""
    assert flat.find(f"Serious incidents <b>national</b>{suffix}") > impact  # printed as text, in its group
    assert outcome < flat.find(f"Incidents closed within a day{suffix}") < output < flat.find(f"Handlers hired{suffix}")
    assert summary in flat
    assert " ".join(method.split()[:8]) in flat  # the method is stated
    assert f"1 Incident response 1 0 0 {sixty} {sixty}" in flat and f"2 Awareness 1 0 0 {twenty} —" in flat
    document = docx_text(produce(strategy, "monitoring", language, "docx", period="2025-Q3").content).body
    assert groups[0] in document and f"Handlers hired{suffix}" in document
    html = produce(strategy, "monitoring", language, "html", period="2025-Q3").content.decode()
    assert "Serious incidents &lt;b&gt;national&lt;/b&gt;" in html and "<b>national</b>" not in html


def test_monitoring_page_shows_weighted_beside_the_mean_and_groups_indicators(world: World, plan: Plan) -> None:
    progress(plan, world, 60, 20)
    kpi(plan, world, "Handlers hired", IndicatorType.OUTPUT)
    kpi(plan, world, "Serious incidents <i>down</i>", IndicatorType.IMPACT, plan.action2)
    page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan), {"as_of": "2026-03-01"})
    page_text = page.content.decode()
    assert page.status_code == 200 and "<i>down</i>" not in page_text
    body = page_text[page_text.index('id="axes-heading"') :]  # the alerts above name the KPIs too
    assert '<span class="overall-percent">40.0%</span>' in page_text
    assert '<span class="overall-weighted">60.0%</span>' in page_text and "By budget" in page_text
    assert f'data-axis-weighted="{plan.axis2.code}">—' in body
    assert body.index("Impact indicators") < body.index("Serious incidents &lt;i&gt;down&lt;/i&gt;")
    assert body.index("Serious incidents &lt;i&gt;") < body.index("Output indicators") < body.index("Handlers hired")


def test_api_reads_and_writes_the_new_fields(world: World, plan: Plan) -> None:
    measured = kpi(plan, world, "Handlers hired", IndicatorType.OUTPUT)
    analyst = APIClient()
    analyst.force_authenticate(world.users[Role.ANALYST])
    strategy = analyst.get(f"/api/strategies/{plan.strategy.pk}/").json()
    assert strategy["progress_weighting"] == "budget"
    action = analyst.get(f"/api/strategy-actions/{plan.action1.pk}/").json()
    assert action["weight"] is None and action["kpis"][0]["indicator_type"] == "output"
    changed = analyst.patch(f"/api/strategy-kpis/{measured.pk}/", {"indicator_type": "impact"}, format="json")
    assert changed.status_code == 200, changed.content
    assert KPI.objects.get(pk=measured.pk).indicator_type == IndicatorType.IMPACT
    refused = analyst.patch(f"/api/strategy-kpis/{measured.pk}/", {"indicator_type": "goal"}, format="json")
    assert refused.status_code == 400 and "indicator_type" in refused.json()
    refused = analyst.patch(f"/api/strategy-actions/{plan.action1.pk}/", {"weight": "-1"}, format="json")
    assert refused.status_code == 400 and "weight" in refused.json()
    viewer = APIClient()
    viewer.force_authenticate(world.users[Role.VIEWER])
    patch = viewer.patch(f"/api/strategy-actions/{plan.action1.pk}/", {"weight": "2"}, format="json")
    assert patch.status_code == 403 and Action.objects.get(pk=plan.action1.pk).weight is None


@pytest.mark.django_db(transaction=True)
def test_migration_makes_existing_indicators_outputs(world: World, plan: Plan) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("strategy", "0005_kpi_source_training_coverage")],
        [("strategy", "0006_indicator_type_progress_weighting")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("strategy", "KPI")
    existing = old.objects.create(action_id=plan.action1.pk, name_en="Handlers hired", unit="count")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    # Read through the models as they stand after the migration: later migrations may add columns.
    migrated = executor.loader.project_state(after).apps.get_model("strategy", "KPI").objects.get(pk=existing.pk)
    assert migrated.indicator_type == IndicatorType.OUTPUT
    assert migrated.action.weight is None and migrated.action.strategy.progress_weighting == ProgressWeighting.BUDGET
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


IMPORT_HEADER = "kind,code,parent,title_en,budget,weight,unit,baseline,target,source,indicator_type"


def test_import_takes_the_weight_and_the_indicator_type_and_names_bad_values(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    good = "\n".join(
        [
            IMPORT_HEADER,
            "action,1.1.1.7,1.1.1,Buy forensic tools,50000,2.5,,,,,",
            "kpi,,1.1.1.7,Incidents contained within a day,,,percent,20,80,manual,outcome",
        ]
    ).encode()
    result = import_structure(coordinator, good, "plan.csv", strategy=plan.strategy)
    assert result.ok, [str(p) for p in result.problems]
    action = Action.objects.get(strategy=plan.strategy, code="1.1.1.7")
    assert action.weight == Decimal("2.5") and action.kpis.get().indicator_type == IndicatorType.OUTCOME
    again = import_structure(coordinator, good, "plan.csv", strategy=plan.strategy)  # the same file: nothing changes
    assert again.ok and not again.created and not again.updated and again.unchanged["kpi"] == 1
    bad = "\n".join(
        [
            IMPORT_HEADER,
            "action,1.1.1.8,1.1.1,Train handlers,,heavy,,,,,",
            "kpi,,1.1.1.8,Handlers trained,,,count,0,4,manual,result",
        ]
    ).encode()
    before = Action.objects.count()
    refused = import_structure(coordinator, bad, "plan.csv", strategy=plan.strategy)
    problems = "\n".join(str(p) for p in refused.problems)
    assert "line 2 [weight]: Write the weight as a plain number" in problems
    assert "line 3 [indicator_type]: Unknown indicator type 'result'; use output, outcome, impact." in problems
    assert Action.objects.count() == before  # nothing half-imported


def test_report_says_when_nothing_weighs_and_states_the_explicit_weight_method(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    progress(plan, world, 60, 20)
    act.do_update_action(coordinator, plan.action1, None, budget=None)
    html = produce(plan.strategy, "monitoring", "en", "html", period="2025-Q3").content.decode()
    assert "Nothing weighs the actions yet (no budget or no weight); the unweighted mean is 40%." in html
    strategy = act.do_update_strategy(coordinator, plan.strategy, None, progress_weighting=ProgressWeighting.WEIGHT)
    html = produce(strategy, "monitoring", "en", "html", period="2025-Q3").content.decode()
    assert "Weighted by explicit weight, the plan is 40% done; the unweighted mean is 40%." in html
    assert "weighs each action by the weight given to it in the plan" in html


def test_forms_offer_the_type_the_weight_and_the_method_and_refuse_unknown_values(world: World, plan: Plan) -> None:
    client = signed_in(world.users[Role.COORDINATOR])
    form_page = client.get(url("kpi_create", plan, plan.action1.pk)).content.decode()
    assert 'name="indicator_type"' in form_page and '<option value="impact">Impact</option>' in form_page
    assert 'name="weight"' in client.get(url("action_edit", plan, plan.action1.pk)).content.decode()
    assert 'name="progress_weighting"' in client.get(url("strategy_edit", plan)).content.decode()
    posted = client.post(
        url("kpi_create", plan, plan.action1.pk),
        {"name_en": "Handlers hired", "indicator_type": "goal", "unit": "count", "direction": "increase"},
    )
    assert posted.status_code == 400 and "indicator_type" in posted.context["form"].errors
    assert not KPI.objects.filter(name_en="Handlers hired").exists()
    # A viewer may not reach the form at all.
    assert signed_in(world.users[Role.VIEWER]).get(url("kpi_create", plan, plan.action1.pk)).status_code == 403


def test_budgets_in_several_currencies_are_not_weighed_against_each_other(world: World, plan: Plan) -> None:
    coordinator = world.users[Role.COORDINATOR]
    progress(plan, world, 60, 20)
    act.do_update_action(coordinator, plan.action1, None, currency="USD")
    act.do_update_action(coordinator, plan.action2, None, budget=Decimal(900000000), currency="PYG")
    view = mon.overview(plan.strategy, AS_OF)
    assert view.mixed_currencies == ["PYG", "USD"] and view.overall_weighted is None
    assert [a.weighted for a in view.axes] == [None, None] and view.overall_percent == 40.0
    html = produce(plan.strategy, "monitoring", "en", "html", period="2025-Q3").content.decode()
    assert "The budgets are in several currencies (PYG, USD), so progress is not weighted by budget" in html
    page = signed_in(world.users[Role.VIEWER]).get(url("monitoring", plan), {"as_of": "2026-03-01"})
    assert "The budgets are in several currencies (PYG, USD)" in page.content.decode()
    act.do_update_action(coordinator, plan.action2, None, currency="USD")  # one currency again: weighed
    assert mon.overview(plan.strategy, AS_OF).overall_weighted == round((60 * 120000 + 20 * 900000000) / 900120000, 1)
