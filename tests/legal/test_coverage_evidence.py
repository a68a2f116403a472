"""An approved review's coverage attached as evidence to the assessment's legal-framework indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.choices import EvidenceKind, Method
from cyberplan.assessment.models import AnswerEvidence, Assessment, Framework
from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry
from cyberplan.legal.actions import do_set_review_state, do_update_finding
from cyberplan.legal.choices import Coverage, ReviewState
from cyberplan.legal.models import Review
from tests.conftest import World


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def _assessment(world: World, tlp: str = TLP.AMBER) -> Assessment:
    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    return do_create_assessment(
        world.users[Role.COORDINATOR],
        world.org_a,
        framework,
        title="National assessment 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method=Method.EXPERT_REVIEW,
        tlp=tlp,
    )


@pytest.fixture
def approved(world: World, make_review: Callable[..., Review]) -> Review:
    """Substantive law: articles 2 to 4 fully covered, 5 partly, 13 not applicable, the rest not covered."""
    review = make_review(title="Review 2026")
    coordinator = world.users[Role.COORDINATOR]
    wanted = {2: Coverage.FULL, 3: Coverage.FULL, 4: Coverage.FULL, 5: Coverage.PARTIAL, 13: Coverage.NOT_APPLICABLE}
    for number in range(2, 14):
        finding = review.provisions.get(provision=f"ets-185:{number}")
        coverage = wanted.get(number, Coverage.NONE)
        do_update_finding(coordinator, finding, coverage=coverage, reasoning="", national_articles=[])
    review.provisions.filter(provision__startswith="ets-185:", coverage="").update(coverage=Coverage.NOT_APPLICABLE)
    do_set_review_state(coordinator, review, ReviewState.IN_REVIEW)
    return do_set_review_state(coordinator, review, ReviewState.APPROVED)


def _post(world: World, role: str, review: Review, assessment: Assessment, *indicators: str) -> int:
    client = Client()
    client.force_login(world.users.get(role, world.outsider))
    response = client.post(
        reverse("legal:review_evidence", args=[review.pk]),
        {"evidence-assessment": assessment.pk, "evidence-part": "ets-185|II.1", "evidence-indicators": indicators},
    )
    return response.status_code


def _evidence(assessment: Assessment) -> list[AnswerEvidence]:
    return list(AnswerEvidence.objects.filter(answer__assessment=assessment).order_by("answer__indicator_id"))


@pytest.mark.django_db
def test_a_coordinator_attaches_a_chapters_coverage_once_and_it_is_audited(world: World, approved: Review) -> None:
    assessment = _assessment(world)
    page = Client()
    page.force_login(world.users[Role.COORDINATOR])
    body = page.get(reverse("legal:review_detail", args=[approved.pk])).content.decode()
    assert "Attach coverage as assessment evidence" in body and "4.1.E1" in body and "4.4." in body
    assert "1.1.S1" not in body  # only the legal dimension's indicators are offered

    assert _post(world, Role.COORDINATOR, approved, assessment, "4.1.E1", "4.1.F2") == 302
    evidence = _evidence(assessment)
    assert [e.answer.indicator_id for e in evidence] == ["4.1.E1", "4.1.F2"]
    first = evidence[0]
    assert first.kind == EvidenceKind.PLATFORM
    assert first.url == f"/legal/reviews/{approved.pk}/#coverage-ets-185-II.1"
    assert "ETS 185 · II.1 Substantive criminal law: 3 of 11 applicable provisions fully covered (27.3 %)" in (
        first.label
    )
    assert "4 at least in part (36.4 %)" in first.label
    assert AuditEntry.objects.filter(content_type__model="answerevidence", action="create").count() == 2

    # Attaching the same coverage of the same review again adds nothing.
    assert _post(world, Role.COORDINATOR, approved, assessment, "4.1.E1") == 302
    assert len(_evidence(assessment)) == 2
    assert AuditEntry.objects.filter(content_type__model="answerevidence").count() == 2


@pytest.mark.django_db
def test_only_editors_of_the_assessment_attach_and_only_legal_indicators(world: World, approved: Review) -> None:
    assessment = _assessment(world)
    assert _post(world, Role.VIEWER, approved, assessment, "4.1.E1") == 403
    assert _post(world, Role.CONTRIBUTOR, approved, assessment, "4.1.E1") == 403
    assert _post(world, "outsider", approved, assessment, "4.1.E1") == 404
    assert _post(world, Role.COORDINATOR, approved, assessment, "1.1.S1") == 302  # refused with a message
    assert _evidence(assessment) == []


@pytest.mark.django_db
def test_an_assessment_marked_less_restrictively_than_the_review_is_not_offered(world: World, approved: Review) -> None:
    green = _assessment(world, TLP.GREEN)  # the review is AMBER: its figure would reach GREEN readers
    assert _post(world, Role.COORDINATOR, approved, green, "4.1.E1") == 403
    assert _evidence(green) == []


@pytest.mark.django_db
def test_a_draft_reviews_coverage_cannot_be_attached(world: World, make_review: Callable[..., Review]) -> None:
    assessment = _assessment(world)
    draft = make_review()
    assert _post(world, Role.COORDINATOR, draft, assessment, "4.1.E1") == 403
    assert _evidence(assessment) == []
