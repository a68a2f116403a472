"""The demo's illustrative strategy of Paraguay: labelled, seven axes, linked to the demo gaps, built once,
and saying what the reference facts say (ENC 2025-2028, Law 7593/2025, CERT-PY's name, CETS 224)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cyberplan.assessment.demo import build_demo_assessment_for_workspace
from cyberplan.assessment.results import factor_stages
from cyberplan.core.models import AuditEntry, Organisation
from cyberplan.gaps.models import Gap
from cyberplan.strategy import budget, snapshot
from cyberplan.strategy.choices import (
    ActionStatus,
    ElementKind,
    FundingSource,
    IndicatorType,
    KPISource,
    MeasurementOrigin,
    Resolution,
    VersionStatus,
)
from cyberplan.strategy.demo import LEGAL_REFERENCE, TITLE, build_demo_strategy_for_workspace
from cyberplan.strategy.models import (
    KPI,
    Action,
    ActionGap,
    AxisOwner,
    BudgetLine,
    Comment,
    Element,
    Evaluation,
    KPIMeasurement,
    ObjectiveRisk,
    ProgressUpdate,
    Recommendation,
    Strategy,
)
from cyberplan.strategy.oversight.cycle import review_cycle
from cyberplan.workspace.demo import build_demo_workspace

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AXES_ES = [
    "Sensibilización y cultura",
    "Investigación, desarrollo e innovación",
    "Protección de infraestructuras críticas",
    "Capacidad de respuesta ante incidentes",
    "Investigación y persecución de la ciberdelincuencia",
    "Administración pública digital",
    "Coordinación nacional y Sistema Nacional de Ciberseguridad",
]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def state() -> tuple[int, ...]:
    return (
        Strategy.objects.count(),
        Element.objects.count(),
        Action.objects.count(),
        KPI.objects.count(),
        ActionGap.objects.count(),
        ProgressUpdate.objects.count(),
        KPIMeasurement.objects.count(),
        Comment.objects.count(),
        Evaluation.objects.count(),
        Recommendation.objects.count(),
        ObjectiveRisk.objects.count(),
        AxisOwner.objects.count(),
        BudgetLine.objects.count(),
        AuditEntry.objects.count(),
    )


def test_built_labelled_with_seven_axes_and_linked_to_the_demo_gaps(db: None) -> None:
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    strategy = build_demo_strategy_for_workspace()
    assert strategy.illustrative and strategy.organisation.slug == "mitic" and strategy.country == "PY"
    assert strategy.title_en == TITLE and "(illustrative" in strategy.title_en
    assert "2025-2028" in strategy.title_en and "Decree 3900/2025" in strategy.title_en
    assert "(ilustrativa" in strategy.title_es and "Decreto 3900/2025" in strategy.title_es
    assert (strategy.start_year, strategy.end_year) == (2025, 2028)
    axes = list(strategy.elements.filter(kind=ElementKind.AXIS).order_by("code"))
    assert [a.title_es for a in axes] == AXES_ES
    assert all(a.focus_area for a in axes)
    assert all(1 <= a.children.count() <= 3 for a in axes)
    actions = Action.objects.filter(strategy=strategy)
    assert 15 <= actions.count() <= 18
    assert {a.lead.slug for a in actions if a.lead} == {"mitic", "cert-py", "cnc", "ministerio-publico", "mre"}
    assert all(a.budget is not None and a.currency == "PYG" and a.start_date and a.end_date for a in actions)
    # Linked to the demo gaps by source key: the workspace's and the assessment's (MITIC's register only).
    linked = set(Gap.objects.filter(action_links__action__strategy=strategy).values_list("source_key", flat=True))
    assert {"demo:data-protection-regulation", "demo:cets-224", "demo:ci-protection-plan"} <= linked
    assert "demo:data-protection-law" not in linked
    assert {f"cyberplan-ncm:PY:{f}" for f in ("1.1", "1.2", "4.1", "4.4")} <= linked
    assert not Gap.objects.filter(action_links__action__strategy=strategy, tlp="red").exists()
    sources = set(KPI.objects.filter(action__strategy=strategy).values_list("source", flat=True))
    assert {KPISource.TREND_METRIC, KPISource.ASSESSMENT_STAGE, KPISource.GAPS_CLOSED, KPISource.MANUAL} <= sources
    assert KPIMeasurement.objects.filter(kpi__action__strategy=strategy, origin=MeasurementOrigin.COMPUTED).exists()
    statuses = [a.status for a in actions]
    assert statuses.count(ActionStatus.COMPLETED) == 1 and ActionStatus.IN_PROGRESS in statuses
    assert Action.objects.get(strategy=strategy, code="6.1.1.1").status == ActionStatus.DELAYED
    # v1 published by an illustrative decree after a resolved comment; v2 a draft with changes.
    v1, v2 = strategy.versions.order_by("number")
    assert v1.status == VersionStatus.PUBLISHED and v1.legal_reference == LEGAL_REFERENCE
    assert "Decreto 3900/2025" in v1.legal_reference and "not the decree" in v1.legal_reference
    assert v1.comments.get().resolution == Resolution.ACCEPTED
    assert v2.status == VersionStatus.DRAFT
    changes = snapshot.compare(v1.snapshot, v2.snapshot)
    assert {c.change for c in changes} >= {"added", "changed"}


def test_demo_budget_in_guaranies_by_year_and_source_with_executed_amounts(db: None) -> None:
    build_demo_workspace()
    strategy = build_demo_strategy_for_workspace()
    assert strategy.currency == "PYG"
    lines = BudgetLine.objects.filter(action__strategy=strategy)
    assert {line.year for line in lines} == {2025, 2026, 2027, 2028}
    sources = {line.funding_source for line in lines}
    assert {FundingSource.NATIONAL_BUDGET, FundingSource.INTERNATIONAL, FundingSource.TO_BE_DEFINED} <= sources
    # Cooperation is stated in US dollars and converted at the demo's illustrative rate of its year.
    stated = lines.filter(stated_currency="USD")
    assert stated.exists() and all(line.amount == line.stated_amount * line.rate for line in stated)
    rates = list(strategy.exchange_rates.all())
    assert rates and all("Illustrative" in r.source for r in rates)
    # Each action's budget is the sum of its lines.
    for action in Action.objects.filter(strategy=strategy, budget_lines__isnull=False).distinct():
        assert action.budget == sum(line.amount for line in action.budget_lines.all())
    executed = ProgressUpdate.objects.filter(action__strategy=strategy, executed_amount__isnull=False)
    assert executed.count() == 4
    view = budget.budget_execution(strategy, timezone.localdate())
    assert view.by_year.total.executed == sum(u.executed_amount for u in executed)
    assert view.unfunded.total.planned > 0
    # 4.1.1.1 executed more than planned for the year: shown as it is.
    above = [row.key for row in view.actions if any(cell.over for cell in row.years.values())]
    assert above == ["4.1.1.1"]


def test_demo_command_builds_it_once(db: None) -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "Built the illustrative strategy of Paraguay" in out.getvalue()
    first = state()
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "The illustrative strategy of Paraguay exists already" in out.getvalue()
    assert state()[:-1] == first[:-1]
    # Paraguay's once; the regional demo's synthetic member states have one each, built once too.
    assert Strategy.objects.filter(illustrative=True, organisation__country="PY").count() == 1
    assert (
        Strategy.objects.filter(illustrative=True).count() == Strategy.objects.values("organisation").distinct().count()
    )


def test_demo_oversight_adoption_owners_risks_and_evaluations(db: None) -> None:
    """Adopted on the decree's date (22 May 2025); every axis has a responsible body and every objective a risk
    or an assumption; an illustrative internal review held and a mid-term evaluation scheduled."""
    build_demo_workspace()
    strategy = build_demo_strategy_for_workspace()
    assert strategy.adopted_on == datetime.date(2025, 5, 22)
    axes = strategy.elements.filter(kind=ElementKind.AXIS)
    owners = AxisOwner.objects.filter(axis__strategy=strategy)
    assert owners.count() == axes.count() == 7
    assert all(o.name and "illustrative" in o.contact_role for o in owners)
    objectives = strategy.elements.filter(kind=ElementKind.OBJECTIVE)
    risks = ObjectiveRisk.objects.filter(objective__strategy=strategy)
    assert {r.objective_id for r in risks} == set(objectives.values_list("pk", flat=True))
    assert all(r.text.startswith("Illustrative:") for r in risks)
    evaluations = list(strategy.evaluations.order_by("date"))
    today = timezone.localdate()
    assert [(e.kind, e.date > today) for e in evaluations] == [("ad_hoc", False), ("mid_term", True)]
    assert all("illustrative" in e.evaluator for e in evaluations)
    followed = Recommendation.objects.filter(evaluation__strategy=strategy, action__isnull=False).get()
    assert followed.action is not None and followed.action.code == "6.1.1.1" and followed.response == "accepted"
    # The internal review counts as held: the next review is the first 36 months after adoption.
    cycle = review_cycle(strategy, today)
    assert cycle.last_review == evaluations[0] and cycle.next_due == datetime.date(2028, 5, 22)


def test_a_missing_gap_is_skipped_with_a_note(db: None) -> None:
    build_demo_workspace()  # no assessment: its gaps are missing
    notes: list[str] = []
    strategy = build_demo_strategy_for_workspace(notes.append)
    assert any("cyberplan-ncm:PY:1.2" in n and "skipped" in n for n in notes)
    assert Action.objects.filter(strategy=strategy).count() >= 15


def test_the_demo_says_what_the_reference_facts_say(db: None) -> None:
    """ENC 2025-2028, Law 7593/2025, CERT-PY's name, CETS 224's path, and indicators a reviewer accepts."""
    build_demo_workspace()
    assessment = build_demo_assessment_for_workspace()
    strategy = build_demo_strategy_for_workspace()
    for text in (strategy.foreword_en, strategy.foreword_es):
        assert "2025-2028" in text and "3900" in text and "2017" in text
    assert "Centro de Respuestas ante Incidentes Cibernéticos" in strategy.governance_en
    assert "Centro de Respuestas ante Incidentes Cibernéticos" in strategy.governance_es
    assert Organisation.objects.get(slug="cert-py").name == "Centro de Respuestas ante Incidentes Cibernéticos"
    actions = {a.code: a for a in Action.objects.filter(strategy=strategy).select_related("parent", "lead")}

    def axis(action: Action) -> str:
        return action.code.split(".")[0]

    # Law 7593/2025 exists: no action drafts a bill; its regulation and its agency are what is left.
    assert not [a for a in actions.values() if "bill" in a.title_en.lower() or "proyecto de ley" in a.title_es]
    regulation = actions["7.2.1.1"]
    assert "Law 7593/2025" in regulation.title_en and "Ley 7593/2025" in regulation.title_es
    assert regulation.end_date == datetime.date(2027, 11, 27)  # 24 months after 27 November 2025
    assert "Agencia Nacional de Protección de Datos Personales" in actions["7.2.1.2"].title_en
    assert not Gap.objects.filter(source_key="demo:data-protection-law").exists()
    law_gap = Gap.objects.get(source_key="demo:data-protection-regulation")
    assert "7593/2025" in law_gap.title_en and "27 November 2025" in law_gap.description_en
    # Data protection is not under the cybercrime axis; training servants is not research.
    data = [a for a in actions.values() if "7593" in a.title_en or "datos personales" in a.title_es.lower()]
    assert len(data) == 2 and all(axis(a) != "5" for a in data)
    training = next(a for a in actions.values() if "public servants" in a.title_en)
    assert axis(training) == "6" and training.parent is not None and "public servants" in training.parent.title_en
    # CETS 224: signed on 24 September 2024; Foreign Affairs leads its ratification, not MITIC.
    cets = next(a for a in actions.values() if "CETS 224" in a.title_en)
    assert cets.lead is not None and cets.lead.slug == "mre" and "24 September 2024" in cets.title_en
    kpis = list(KPI.objects.filter(action__strategy=strategy).select_related("action"))
    # No indicator whose good direction is ambiguous, and no percentage without its denominator.
    assert not [k for k in kpis if "intrusion" in k.name_en.lower()]
    trend = next(k for k in kpis if k.source == KPISource.TREND_METRIC)
    assert "class=vulnerable" in trend.source_detail and trend.direction == "decrease"
    assert not [k for k in kpis if k.source == KPISource.MANUAL and k.unit == "percent"]
    shares = [k for k in kpis if k.name_en.lower().startswith("share")]
    assert shares and all(" of the " in k.name_en for k in shares)
    # Each indicator sits on the action it measures.
    by_name = {k.name_en: k.action.code for k in kpis}
    assert by_name["Median time from report to first response"] == "4.1.1.1"
    assert by_name["Commission meetings held in the year"] == "7.1.1.1"
    assert by_name["National exercises held with a written after-action report (cumulative)"] == "4.1.2.2"
    # The 1.2 baseline agrees with the demo assessment's stage for 1.2, and so does its computed value.
    stage = factor_stages(assessment)["1.2"]
    response = next(k for k in kpis if k.source == KPISource.ASSESSMENT_STAGE and k.source_detail == "1.2")
    assert response.baseline is not None and int(response.baseline) == stage == 2
    measured = KPIMeasurement.objects.filter(kpi=response, origin=MeasurementOrigin.COMPUTED).latest("date")
    assert float(measured.value) == stage


def test_the_demo_has_indicators_at_every_level(db: None) -> None:
    """Each axis an impact indicator, some objectives an outcome one, the actions outputs; measured."""
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    strategy = build_demo_strategy_for_workspace()
    on_elements = list(KPI.objects.filter(element__strategy=strategy).select_related("element"))
    axes = strategy.elements.filter(kind=ElementKind.AXIS)
    impact = {k.element.code for k in on_elements if k.indicator_type == IndicatorType.IMPACT}
    assert impact == set(axes.values_list("code", flat=True)) and len(impact) == 7
    assert all(k.element.kind == ElementKind.AXIS for k in on_elements if k.indicator_type == IndicatorType.IMPACT)
    outcome = [k for k in on_elements if k.indicator_type == IndicatorType.OUTCOME]
    assert len(outcome) == 4 and all(k.element.kind == ElementKind.OBJECTIVE for k in outcome)
    assert set(KPI.objects.filter(action__strategy=strategy).values_list("indicator_type", flat=True)) == {
        IndicatorType.OUTPUT
    }
    # Measured, between baseline and target; the GCI tier (tier 3 of 2024, reference facts) awaits an edition.
    measured = [k for k in on_elements if k.measurements.exists()]
    assert len(measured) >= 8
    for kpi in measured:
        value = kpi.measurements.latest("date").value
        assert kpi.baseline is not None and kpi.target is not None
        assert min(kpi.baseline, kpi.target) <= value <= max(kpi.baseline, kpi.target), kpi.name_en
    tier = next(k for k in on_elements if "Global Cybersecurity Index" in k.name_en)
    assert tier.baseline == 3 and tier.direction == "decrease" and tier.element.code == "7"
    # A share names its denominator; the objective's gap share is computed from the platform.
    shares = [k for k in on_elements if k.name_en.lower().startswith("share")]
    assert shares and all(" of the " in k.name_en for k in shares)
    gaps = next(k for k in on_elements if k.source == KPISource.GAPS_CLOSED)
    assert gaps.element.code == "3.1" and gaps.measurements.filter(origin=MeasurementOrigin.COMPUTED).exists()
