"""Traceability from gaps to actions: coverage, the matrix, and suggestions with their reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import translation

from cyberplan.assessment import actions as assessment_actions
from cyberplan.assessment.models import Assessment, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.actions import do_set_gap_status
from cyberplan.gaps.choices import GapSource, GapStatus
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy import traceability
from tests.conftest import World

from .conftest import Plan, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world: World, plan: Plan, make_gap: Callable[..., Gap]) -> dict[str, Gap]:
    """Three gaps: one open and addressed by action 1, one open and unaddressed, one closed."""
    coordinator = world.users[Role.COORDINATOR]
    covered = make_gap(title_en="No incident handlers on call")
    uncovered = make_gap(title_en="No reporting obligation", severity="high")
    closed = make_gap(title_en="No national CSIRT")
    do_set_gap_status(coordinator, closed, GapStatus.CLOSED, closed.version)
    act.do_link_gap(coordinator, plan.action1, covered, "Handlers on call around the clock.")
    return {"covered": covered, "uncovered": uncovered, "closed": closed}


def test_coverage_counts_gaps_without_action_and_actions_without_gap(
    world: World, plan: Plan, register: dict[str, Gap]
) -> None:
    coverage = traceability.coverage(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    assert [g.pk for g in coverage.uncovered] == [register["uncovered"].pk]
    assert [a.pk for a in coverage.unjustified] == [plan.action2.pk]
    assert (coverage.covered_open, coverage.open_total, coverage.percent) == (1, 2, 50)
    assert [a.pk for a in coverage.actions_of(register["covered"])] == [plan.action1.pk]
    assert coverage.actions_of(register["closed"]) == []


def test_a_closed_gap_without_action_is_not_uncovered(world: World, plan: Plan, register: dict[str, Gap]) -> None:
    coordinator = world.users[Role.COORDINATOR]
    act.do_link_gap(coordinator, plan.action2, register["uncovered"])
    coverage = traceability.coverage(plan.strategy, gaps_visible_to(coordinator))
    assert coverage.uncovered == [] and coverage.unjustified == []
    assert coverage.percent == 100
    assert register["closed"] in coverage.gaps


def test_coverage_of_an_empty_register_is_complete(world: World, plan: Plan) -> None:
    coverage = traceability.coverage(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    assert (coverage.open_total, coverage.percent) == (0, 100)
    assert len(coverage.unjustified) == 2


def test_coverage_counts_only_the_gaps_the_reader_sees(
    world: World, plan: Plan, register: dict[str, Gap], make_gap: Callable[..., Gap]
) -> None:
    make_gap(title_en="Secret weakness", tlp=TLP.RED)
    coordinator_view = traceability.coverage(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    analyst_view = traceability.coverage(plan.strategy, gaps_visible_to(world.users[Role.ANALYST]))
    assert (coordinator_view.covered_open, coordinator_view.open_total) == (1, 3)
    assert (analyst_view.covered_open, analyst_view.open_total) == (1, 2)


def test_traceability_page_shows_coverage_matrix_and_lists(world: World, plan: Plan, register: dict[str, Gap]) -> None:
    response = signed_in(world.users[Role.ANALYST]).get(reverse("strategy:traceability", args=[plan.strategy.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "50% covered" in body
    assert "1 of 2 open gaps have an action" in body
    uncovered = body.split('id="uncovered"')[1].split('id="unjustified"')[0]
    assert register["uncovered"].identifier in uncovered
    assert register["covered"].identifier not in uncovered
    unjustified = body.split('id="unjustified"')[1].split('id="matrix"')[0]
    assert plan.action2.code in unjustified and plan.action1.code not in unjustified
    matrix = body.split('id="matrix"')[1]
    assert f"{plan.action1.code} addresses {register['covered'].identifier}" in matrix
    assert f"addresses {register['uncovered'].identifier}" not in matrix
    # The analyst edits the plan: each suggestion offers to create the action.
    assert f"?gap={register['uncovered'].pk}" in uncovered


def test_viewer_sees_suggestions_without_the_create_button(world: World, plan: Plan, register: dict[str, Gap]) -> None:
    response = signed_in(world.users[Role.VIEWER]).get(reverse("strategy:traceability", args=[plan.strategy.pk]))
    body = response.content.decode()
    assert "is open and no action addresses it" in body
    assert "Create this action" not in body


# --------------------------------------------------------------------------- suggestions from an assessment


def _assessment_gap(world: World) -> tuple[Assessment, Gap]:
    """An assessment where factor 1.2 reaches Formative (2) against a target of Established (3)."""
    coordinator = world.users[Role.COORDINATOR]
    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    assessment = assessment_actions.do_create_assessment(
        coordinator,
        world.org_a,
        framework,
        title="Baseline 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method="expert_review",
    )
    for indicator in framework.structure().factor("1.2").indicators:
        if indicator.stage <= 2:
            answer = assessment.answers.get(indicator_id=indicator.id)
            assessment_actions.do_answer_indicator(coordinator, answer, None, value="met")
    assessment_actions.do_set_target_stage(coordinator, assessment.factors.get(factor_id="1.2"), 3)
    assessment_actions.do_sync_assessment_gaps(coordinator, assessment)
    gap = Gap.objects.get(source=GapSource.ASSESSMENT, source_key="cyberplan-ncm:PY:1.2")
    return assessment, gap


@pytest.mark.slow
def test_suggestion_for_an_assessment_gap_says_why_and_where(world: World, plan: Plan) -> None:
    assessment, gap = _assessment_gap(world)
    found = traceability.suggestions(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    [suggestion] = [s for s in found if s.gap.pk == gap.pk]
    assert "Factor 1.2" in suggestion.reason
    assert "is at Formative and the target is Established" in suggestion.reason
    assert str(assessment) in suggestion.reason
    assert suggestion.title_en.endswith("(factor 1.2) to the Established stage")
    assert "etapa Establecida" in suggestion.title_es
    # Factor 1.2 is about preparedness: the action goes under the first line of the preparedness axis.
    assert suggestion.parent == plan.line111
    assert suggestion.extra == {"factor": "1.2"}


@pytest.mark.slow
def test_suggestion_reason_in_spanish_and_on_the_page(world: World, plan: Plan) -> None:
    _assessment, gap = _assessment_gap(world)
    with translation.override("es"):
        [suggestion] = [
            s
            for s in traceability.suggestions(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
            if s.gap.pk == gap.pk
        ]
    assert "Formativa" in suggestion.reason and "Establecida" in suggestion.reason
    body = (
        signed_in(world.users[Role.COORDINATOR])
        .get(reverse("strategy:traceability", args=[plan.strategy.pk]))
        .content.decode()
    )
    row = body.split(f'id="suggestion-{gap.pk}"')[1].split("</tr>")[0]
    assert "is at Formative and the target is Established" in row
    assert f"{plan.line111.code} {plan.line111.title}" in row
    assert "Create this action" in row


def test_a_gap_addressed_by_an_action_gets_no_suggestion(world: World, plan: Plan) -> None:
    _assessment, gap = _assessment_gap(world)
    act.do_link_gap(world.users[Role.COORDINATOR], plan.action1, gap)
    found = traceability.suggestions(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    assert gap.pk not in {s.gap.pk for s in found}


def test_other_gaps_get_a_plain_reason(world: World, plan: Plan, register: dict[str, Gap]) -> None:
    [suggestion] = traceability.suggestions(plan.strategy, gaps_visible_to(world.users[Role.COORDINATOR]))
    assert suggestion.gap == register["uncovered"]
    assert (
        suggestion.reason
        == f"{register['uncovered'].identifier} (other, severity high) is open and no action addresses it."
    )
    assert suggestion.title_en == f"Address {register['uncovered'].identifier}: No reporting obligation"
