"""The demo's illustrative strategy of Paraguay: labelled, seven axes, linked to the demo gaps, built once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from cyberplan.assessment.demo import build_demo_assessment_for_workspace
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.models import Gap
from cyberplan.strategy import snapshot
from cyberplan.strategy.choices import (
    ActionStatus,
    ElementKind,
    KPISource,
    MeasurementOrigin,
    Resolution,
    VersionStatus,
)
from cyberplan.strategy.demo import LEGAL_REFERENCE, TITLE, build_demo_strategy_for_workspace
from cyberplan.strategy.models import KPI, Action, ActionGap, Comment, Element, KPIMeasurement, ProgressUpdate, Strategy
from cyberplan.workspace.demo import build_demo_workspace

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

AXES_ES = [
    "Sensibilización y cultura",
    "Investigación, desarrollo e innovación",
    "Protección de infraestructuras críticas",
    "Capacidad de respuesta ante incidentes",
    "Investigación y persecución de la ciberdelincuencia",
    "Administración pública",
    "Sistema nacional de ciberseguridad",
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
        AuditEntry.objects.count(),
    )


def test_built_labelled_with_seven_axes_and_linked_to_the_demo_gaps(db: None) -> None:
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    strategy = build_demo_strategy_for_workspace()
    assert strategy.illustrative and strategy.organisation.slug == "mitic" and strategy.country == "PY"
    assert strategy.title_en == TITLE and "(illustrative)" in strategy.title_en
    assert "(ilustrativa)" in strategy.title_es
    axes = list(strategy.elements.filter(kind=ElementKind.AXIS).order_by("code"))
    assert [a.title_es for a in axes] == AXES_ES
    assert all(a.focus_area for a in axes)
    assert all(1 <= a.children.count() <= 3 for a in axes)
    actions = Action.objects.filter(strategy=strategy)
    assert 15 <= actions.count() <= 18
    assert {a.lead.slug for a in actions if a.lead} == {"mitic", "cert-py", "cnc", "ministerio-publico"}
    assert all(a.budget is not None and a.currency == "USD" and a.start_date and a.end_date for a in actions)
    # Linked to the demo gaps by source key: the workspace's and the assessment's (MITIC's register only).
    linked = set(Gap.objects.filter(action_links__action__strategy=strategy).values_list("source_key", flat=True))
    assert {"demo:data-protection-law", "demo:cets-224", "demo:ci-protection-plan"} <= linked
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
    assert v1.comments.get().resolution == Resolution.ACCEPTED
    assert v2.status == VersionStatus.DRAFT
    changes = snapshot.compare(v1.snapshot, v2.snapshot)
    assert {c.change for c in changes} >= {"added", "changed"}


def test_demo_command_builds_it_once(db: None) -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "Built the illustrative strategy of Paraguay" in out.getvalue()
    first = state()
    out = io.StringIO()
    call_command("demo", "--no-serve", "--no-events", stdout=out)
    assert "The illustrative strategy of Paraguay exists already" in out.getvalue()
    assert state()[:8] == first[:8]
    assert Strategy.objects.filter(illustrative=True).count() == 1


def test_a_missing_gap_is_skipped_with_a_note(db: None) -> None:
    build_demo_workspace()  # no assessment: its gaps are missing
    notes: list[str] = []
    strategy = build_demo_strategy_for_workspace(notes.append)
    assert any("cyberplan-ncm:PY:1.2" in n and "skipped" in n for n in notes)
    assert Action.objects.filter(strategy=strategy).count() >= 15
