"""The assessment workflow through the actions: answers, evidence, comments, approval, lock, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cyberplan.assessment import actions
from cyberplan.assessment.models import Answer, Assessment
from cyberplan.assessment.results import assessment_results, factor_scores
from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry
from tests.conftest import World

PDF = b"%PDF-1.4\n%test\n"


def _answer(assessment: Assessment, indicator_id: str) -> Answer:
    return assessment.answers.get(indicator_id=indicator_id)


def _meet(assessment: Assessment, factor_id: str, up_to: int, actor=None) -> None:  # type: ignore[no-untyped-def]
    structure = assessment.framework.structure()
    for indicator in structure.factor(factor_id).indicators:
        if indicator.stage <= up_to:
            answer = _answer(assessment, indicator.id)
            actions.do_answer_indicator(actor, answer, None, value="met")
            actions.do_add_answer_evidence(
                actor, answer, kind="url", label="Official page", url="https://example.gov.py/"
            )


def test_create_makes_one_blank_answer_per_indicator(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment(stakeholder_groups=["government", "csirt"])
    assert assessment.answers.count() == 288
    assert set(assessment.answers.values_list("value", flat=True)) == {""}
    assert assessment.factors.count() == 23
    entry = AuditEntry.objects.get(content_type__model="assessment", object_id=str(assessment.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.organisation == world.org_a
    with pytest.raises(ValidationError) as info:
        make_assessment(stakeholder_groups=["aliens"])
    assert "stakeholder_groups" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make_assessment(method="guesswork")
    assert "method" in info.value.message_dict


def test_answer_is_audited_and_scored(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    coordinator = world.users[Role.COORDINATOR]
    answer = _answer(assessment, "1.1.S1")
    answer = actions.do_answer_indicator(coordinator, answer, 1, value="met", note="Decree 7052/2017")
    assert (answer.value, answer.version, answer.answered_by) == ("met", 2, coordinator)
    entry = AuditEntry.objects.filter(content_type__model="answer", object_id=str(answer.pk)).get()
    assert entry.changes["value"] == ["", "met"]
    assert entry.changes["version"] == [1, 2]
    # Same values again: no new version, no audit entry.
    actions.do_answer_indicator(coordinator, answer, 2, value="met", note="Decree 7052/2017")
    assert AuditEntry.objects.filter(content_type__model="answer").count() == 1
    with pytest.raises(ValidationError):
        actions.do_answer_indicator(coordinator, answer, None, value="maybe")

    scores = {s["factor_id"]: s for s in factor_scores(assessment)}
    # one indicator answered: assessed, so at Start-up, the floor, and 1 of the factor's indicators assessed
    assert (scores["1.1"]["stage"], scores["1.1"]["assessed"]) == (1, 1)
    assert scores["1.2"]["stage"] is None and scores["1.2"]["stage_name"] == "not assessed"
    assert scores["1.1"]["claimed_without_evidence"] == ["1.1.S1"]
    _meet(assessment, "1.1", 2, coordinator)
    scores = {s["factor_id"]: s for s in factor_scores(assessment)}
    assert scores["1.1"]["stage"] == 2
    assert scores["1.1"]["claimed_without_evidence"] == []
    assert scores["1.1"]["met"] == scores["1.1"]["met_with_evidence"]
    assert scores["1.2"]["stage"] is None
    results = assessment_results(assessment)
    d1 = next(d for d in results["dimensions"] if d["dimension_id"] == "D1")
    assert (d1["lowest"], d1["highest"], d1["not_assessed"]) == (2, 2, 3)  # the three others are not assessed
    assert {x["stage"]: x["factors"] for x in d1["distribution"]} == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0}
    assert results["framework"]["version"] == "2026.2"
    assert len(results["evidence"]) == len(
        [i for i in assessment.framework.structure().factor("1.1").indicators if i.stage <= 2]
    )


def test_stale_version_raises_with_the_current_answer(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = _answer(assessment, "2.1.S1")
    first = actions.do_answer_indicator(world.users[Role.ANALYST], answer, 1, value="met")
    with pytest.raises(actions.ConcurrentEditError) as info:
        actions.do_answer_indicator(world.users[Role.COORDINATOR], answer, 1, value="not_met")
    assert info.value.current.value == "met"
    assert Answer.objects.get(pk=first.pk).value == "met"


def test_approval_is_cleared_when_an_answer_or_evidence_changes(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment()
    coordinator = world.users[Role.COORDINATOR]
    factor = assessment.factors.get(factor_id="1.1")
    factor = actions.do_approve_factor(coordinator, factor)
    assert factor.approved and factor.approved_by == coordinator
    actions.do_answer_indicator(world.users[Role.ANALYST], _answer(assessment, "1.2.S1"), None, value="met")
    factor.refresh_from_db()
    assert factor.approved  # another factor's answer does not touch this approval
    actions.do_answer_indicator(world.users[Role.ANALYST], _answer(assessment, "1.1.S1"), None, value="met")
    factor.refresh_from_db()
    assert not factor.approved and factor.approved_by is None
    factor = actions.do_approve_factor(coordinator, factor)
    actions.do_add_answer_evidence(
        None, _answer(assessment, "1.1.S1"), kind="citation", label="Decree", citation="Decree 7052/2017, art. 1"
    )
    factor.refresh_from_db()
    assert not factor.approved


def test_evidence_kinds_and_upload_checks(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = _answer(assessment, "1.1.S1")
    cases = [
        ({"kind": "url", "label": "x"}, "url"),
        ({"kind": "url", "label": "x", "url": "javascript:alert(1)"}, "url"),
        ({"kind": "platform", "label": "x", "url": "https://elsewhere.example/"}, "url"),
        ({"kind": "citation", "label": "x"}, "citation"),
        ({"kind": "document", "label": "x"}, "document"),
        ({"kind": "document", "label": "x", "document": SimpleUploadedFile("a.exe", b"MZ")}, "document"),
        ({"kind": "document", "label": "x", "document": SimpleUploadedFile("a.pdf", b"not a pdf")}, "document"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as info:
            actions.do_add_answer_evidence(None, answer, **values)  # type: ignore[arg-type]
        assert field in info.value.message_dict, values
    evidence = actions.do_add_answer_evidence(
        None, answer, kind="document", label="Annual report", document=SimpleUploadedFile("report.pdf", PDF)
    )
    assert evidence.document.name.endswith(".pdf")
    platform = actions.do_add_answer_evidence(
        None, answer, kind="platform", label="Trends dashboard", url="/trends/?country=PY"
    )
    assert platform.record_type is None
    assert answer.evidence.count() == 2


def test_upload_size_limit(world: World, make_assessment: Callable[..., Assessment], settings) -> None:  # type: ignore[no-untyped-def]
    settings.CYBERPLAN_MAX_UPLOAD_BYTES = 10
    assessment = make_assessment()
    with pytest.raises(ValidationError) as info:
        actions.do_add_answer_evidence(
            None,
            _answer(assessment, "1.1.S1"),
            kind="document",
            label="Big",
            document=SimpleUploadedFile("big.pdf", PDF * 10),
        )
    assert "limit" in info.value.message_dict["document"][0]


def test_lock_refuses_edits_and_unlock_needs_a_reason(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    coordinator, admin = world.users[Role.COORDINATOR], world.users[Role.ADMINISTRATOR]
    assessment = actions.do_lock_assessment(coordinator, assessment)
    assert assessment.locked and assessment.locked_by == coordinator
    factor = assessment.factors.get(factor_id="1.1")
    answer = _answer(assessment, "1.1.S1")
    for attempt in (
        lambda: actions.do_answer_indicator(coordinator, answer, None, value="met"),
        lambda: actions.do_add_answer_evidence(coordinator, answer, kind="url", label="x", url="https://a.example/"),
        lambda: actions.do_add_factor_comment(coordinator, factor, "late"),
        lambda: actions.do_approve_factor(coordinator, factor),
        lambda: actions.do_set_target_stage(coordinator, factor, 3),
        lambda: actions.do_assign_factor(coordinator, factor, None),
        lambda: actions.do_update_assessment(coordinator, assessment, None, title="New"),
    ):
        with pytest.raises(actions.AssessmentLockedError):
            attempt()
    with pytest.raises(ValidationError):
        actions.do_unlock_assessment(admin, assessment, "  ")
    assessment = actions.do_unlock_assessment(admin, assessment, "A late correction from the CSIRT")
    assert not assessment.locked
    entry = AuditEntry.objects.filter(content_type__model="assessment", object_id=str(assessment.pk)).latest("id")
    assert entry.changes["unlock_reason"] == [None, "A late correction from the CSIRT"]
    assert entry.changes["locked"] == [True, False]
    actions.do_answer_indicator(coordinator, answer, None, value="met")


def test_assign_comment_and_target(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    coordinator = world.users[Role.COORDINATOR]
    factor = assessment.factors.get(factor_id="3.2")
    factor = actions.do_assign_factor(coordinator, factor, world.users[Role.CONTRIBUTOR])
    assert factor.assignee == world.users[Role.CONTRIBUTOR]
    for user in (world.users[Role.VIEWER], world.outsider, world.nobody):
        with pytest.raises(ValidationError):
            actions.do_assign_factor(coordinator, factor, user)
    comment = actions.do_add_factor_comment(world.users[Role.CONTRIBUTOR], factor, "Two universities only.")
    assert comment.factor_id == "3.2"
    with pytest.raises(ValidationError):
        actions.do_add_factor_comment(coordinator, factor, "   ")
    actions.do_set_target_stage(coordinator, factor, 3)
    with pytest.raises(ValidationError):
        actions.do_set_target_stage(coordinator, factor, 6)
    factor.refresh_from_db()
    assert factor.target_stage == 3
    # The target profile is carried over to the next assessment of the same country.
    later = Assessment.objects.get(pk=assessment.pk)

    nxt = actions.do_create_assessment(
        coordinator,
        world.org_a,
        later.framework,
        title="Follow-up",
        country="PY",
        date=dt.date(2027, 3, 1),
        method="self_assessment",
    )
    assert nxt.factors.get(factor_id="3.2").target_stage == 3
    other = actions.do_create_assessment(
        coordinator,
        world.org_a,
        later.framework,
        title="UY",
        country="UY",
        date=dt.date(2027, 3, 1),
        method="self_assessment",
    )
    assert other.factors.get(factor_id="3.2").target_stage is None
