"""The demo's illustrative programmes: labelled, with coverage, evidence in the assessment, a gap and a KPI."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from cyberplan.assessment.choices import EvidenceKind
from cyberplan.assessment.demo import build_demo_assessment_for_workspace
from cyberplan.assessment.models import AnswerEvidence
from cyberplan.core.models import AuditEntry, Organisation, User
from cyberplan.gaps.choices import GapSource
from cyberplan.gaps.models import Gap
from cyberplan.strategy.choices import KPISource
from cyberplan.strategy.demo import build_demo_strategy_for_workspace
from cyberplan.strategy.models import KPI
from cyberplan.training.access import coverage_for_organisation
from cyberplan.training.demo import build_demo_training_for_workspace
from cyberplan.training.models import Participant, Programme
from cyberplan.workspace.demo import build_demo_workspace


def counts() -> tuple[int, ...]:
    return (
        Programme.objects.count(),
        Participant.objects.count(),
        AnswerEvidence.objects.count(),
        Gap.objects.filter(source=GapSource.TRAINING).count(),
        AuditEntry.objects.count(),
    )


def test_built_twice_labelled_with_coverage_evidence_and_one_gap(db: None) -> None:
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    programmes = build_demo_training_for_workspace()
    first = counts()
    build_demo_training_for_workspace()
    assert counts() == first
    assert len(programmes) == 3 and all(p.illustrative for p in programmes)
    assert all("ilustrativo" in p.title and "illustrative" in p.title for p in programmes)
    assert all("Illustrative" in p.description and "ilustrativos" in p.description for p in programmes)
    mitic = Organisation.objects.get(slug="mitic")
    # Named participants are few and invented; the rest are pseudonymous keys only.
    named = Participant.objects.exclude(name="")
    assert named.count() == 3 and all("(invented)" in p.name for p in named)
    table = coverage_for_organisation(mitic.pk, mitic.pk, ["electronic-evidence"])
    judges = table.get("judges", "electronic-evidence", 2026)
    assert judges is not None and judges.denominator == 185
    # 20 of 24 completed in 2025 and 20 of 24 in 2026, 12 people in both: counted once each.
    assert 0 < judges.cumulative_trained < 48
    assert judges.cumulative_share is not None and judges.cumulative_share < 0.5
    evidence = AnswerEvidence.objects.filter(kind=EvidenceKind.PLATFORM, url__contains="/training/coverage/")
    assert evidence.count() == 4
    assert any("185" in e.label for e in evidence)
    gap = Gap.objects.get(source=GapSource.TRAINING, organisation=mitic)
    assert gap.source_key == "judges:electronic-evidence:2026" and "below" in gap.title_en and "meta" in gap.title_es


def test_the_strategy_kpi_is_computed_from_the_demo(db: None) -> None:
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    build_demo_training_for_workspace()
    build_demo_strategy_for_workspace()
    kpi = KPI.objects.get(source=KPISource.TRAINING_COVERAGE)
    measurement = kpi.measurements.get()
    assert Decimal("0") < measurement.value < Decimal("100")
    assert measurement.detail["size"] == 125 and measurement.detail["audience"] == "prosecutors"


def test_the_demo_coverage_and_report_pages_render(db: None) -> None:
    build_demo_workspace()
    build_demo_assessment_for_workspace()
    build_demo_training_for_workspace()
    client = Client()
    client.force_login(User.objects.get(username="demo-viewer"))
    page = client.get(reverse("training:coverage")).content.decode()
    assert "185" in page
    assert client.get(reverse("training:report")).status_code == 200
    assert client.get(reverse("training:spine")).status_code == 200
