"""Targets and gaps: factors below target open gaps; a later assessment that reaches the target closes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cyberplan.assessment import actions
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.choices import EvidenceKind, GapSource, GapStatus
from cyberplan.gaps.models import Gap
from tests.conftest import World


def meet(assessment: Assessment, factor_id: str, up_to: int) -> None:
    for indicator in assessment.framework.structure().factor(factor_id).indicators:
        if indicator.stage <= up_to:
            answer = assessment.answers.get(indicator_id=indicator.id)
            actions.do_answer_indicator(None, answer, None, value="met")


def set_targets(assessment: Assessment, targets: dict[str, int]) -> None:
    for factor_id, stage in targets.items():
        actions.do_set_target_stage(None, assessment.factors.get(factor_id=factor_id), stage)


def test_gaps_created_then_closed_across_two_assessments(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    coordinator = world.users[Role.COORDINATOR]
    first = make_assessment(title="Baseline", date=dt.date(2026, 3, 1))
    set_targets(first, {"1.1": 2, "1.2": 1, "4.1": 3})
    meet(first, "1.1", 1)  # 1.1 reaches stage 1, target 2
    meet(first, "1.2", 1)  # 1.2 reaches its target 1
    changes = actions.do_sync_assessment_gaps(coordinator, first)
    assert sorted((c.factor_id, c.change) for c in changes) == [("1.1", "created"), ("4.1", "created")]
    gap_11 = Gap.objects.get(source=GapSource.ASSESSMENT, source_key="cyberplan-ncm:PY:1.1")
    gap_41 = Gap.objects.get(source=GapSource.ASSESSMENT, source_key="cyberplan-ncm:PY:4.1")
    assert gap_11.identifier.startswith("ASM-")
    assert gap_11.status == GapStatus.OPEN and gap_11.organisation == world.org_a
    assert gap_11.tlp == first.tlp
    # The gap lists the indicators still missing: stage 2 of 1.1, but none of stage 1.
    structure = first.framework.structure()
    for indicator in structure.factor("1.1").indicators_at(2):
        assert indicator.id in gap_11.description_en and indicator.id in gap_11.description_es
    for indicator in structure.factor("1.1").indicators_at(1):
        assert indicator.id not in gap_11.description_en
    link = gap_11.evidence.get()
    assert link.kind == EvidenceKind.PLATFORM
    assert link.url == f"/assessment/{first.pk}/factors/1.1/"
    assert not Gap.objects.filter(source_key="cyberplan-ncm:PY:1.2").exists()

    # Running it again changes nothing: no duplicate gap, no duplicate evidence.
    again = actions.do_sync_assessment_gaps(coordinator, first)
    assert sorted(c.change for c in again) == ["updated", "updated"]
    assert Gap.objects.filter(source=GapSource.ASSESSMENT).count() == 2
    assert gap_11.evidence.count() == 1

    # A later assessment of the same country carries the targets over and reaches 1.1's target.
    second = make_assessment(title="Follow-up", date=dt.date(2027, 3, 1))
    assert second.factors.get(factor_id="1.1").target_stage == 2
    meet(second, "1.1", 2)
    meet(second, "1.2", 1)
    with pytest.raises(ValidationError):
        actions.do_sync_assessment_gaps(coordinator, first)  # the older one may no longer touch the register
    changes = actions.do_sync_assessment_gaps(coordinator, second)
    assert sorted((c.factor_id, c.change) for c in changes) == [("1.1", "closed"), ("4.1", "updated")]
    gap_11.refresh_from_db()
    gap_41.refresh_from_db()
    assert gap_11.status == GapStatus.CLOSED and gap_11.closed_at is not None
    assert gap_41.status == GapStatus.OPEN
    assert set(gap_11.evidence.values_list("url", flat=True)) == {
        f"/assessment/{first.pk}/factors/1.1/",
        f"/assessment/{second.pk}/factors/1.1/",
    }
    closing = AuditEntry.objects.filter(content_type__model="gap", object_id=str(gap_11.pk)).latest("id")
    assert closing.changes["status"] == [GapStatus.OPEN, GapStatus.CLOSED]

    # A third assessment that falls back reopens the same gap, under the same identifier.
    third = make_assessment(title="Regression", date=dt.date(2028, 3, 1))
    changes = actions.do_sync_assessment_gaps(coordinator, third)
    gap_11.refresh_from_db()
    assert gap_11.status == GapStatus.OPEN
    assert ("1.1", "updated") in [(c.factor_id, c.change) for c in changes]
    assert ("1.2", "created") in [(c.factor_id, c.change) for c in changes]  # 1.2 fell below its target too
    assert Gap.objects.filter(source=GapSource.ASSESSMENT).count() == 3


def test_another_country_has_its_own_gaps(world: World, make_assessment: Callable[..., Assessment]) -> None:
    py = make_assessment(country="PY")
    uy = make_assessment(country="UY", title="Uruguay")
    set_targets(py, {"2.1": 1})
    set_targets(uy, {"2.1": 1})
    actions.do_sync_assessment_gaps(None, py)
    actions.do_sync_assessment_gaps(None, uy)
    assert set(Gap.objects.values_list("source_key", flat=True)) == {"cyberplan-ncm:PY:2.1", "cyberplan-ncm:UY:2.1"}
    # nobody answered 2.1: its gap says it is not assessed, never that it is below its target
    gap = Gap.objects.get(source_key="cyberplan-ncm:PY:2.1")
    assert "not assessed against its target stage (Start-up)" in gap.title_en and "below" not in gap.title_en
    assert "sin evaluar" in gap.title_es and "2.1.S1" in gap.description_en


def test_sync_from_the_web_and_gaps_on_the_page(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    response = client.post(reverse("assessment:set_target", args=[assessment.pk, "3.3"]), {"target_stage": "2"})
    assert response.status_code == 302
    response = client.post(reverse("assessment:assessment_sync_gaps", args=[assessment.pk]), follow=True)
    body = response.content.decode()
    assert "1 created, 0 updated, 0 closed" in body
    gap = Gap.objects.get()
    assert gap.identifier in body
    api = client.post(f"/api/assessments/{assessment.pk}/gaps/")
    assert api.status_code == 200
    assert api.json() == [{"factor_id": "3.3", "gap": gap.pk, "identifier": gap.identifier, "change": "updated"}]
