"""The assessment API: create, answers with 409 on a stale version, evidence, scores, lock, errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cyberplan.assessment.models import Assessment, Framework
from cyberplan.core.choices import Role
from cyberplan.core.models import User
from tests.conftest import World


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_list_and_field_errors(world: World, shipped: Framework) -> None:
    client = api(world.users[Role.ANALYST])
    body = {
        "organisation": world.org_a.pk,
        "title": "API assessment",
        "country": "PY",
        "date": "2026-06-01",
        "method": "self_assessment",
        "stakeholder_groups": ["government"],
        "framework": shipped.pk,
        "tlp": "green",
    }
    response = client.post("/api/assessments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["framework_key"] == "cyberplan-ncm@2026.2"
    assessment = Assessment.objects.get(pk=response.json()["id"])
    assert assessment.answers.count() == 288
    listing = client.get("/api/assessments/", {"country": "PY"}).json()
    assert [a["id"] for a in listing["results"]] == [assessment.pk]
    for field, value in (("method", "guess"), ("stakeholder_groups", ["aliens"]), ("organisation", world.org_b.pk)):
        bad = client.post("/api/assessments/", {**body, field: value}, format="json")
        assert bad.status_code == 400
        assert field in bad.json()


def test_answer_update_and_stale_version_409(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="1.1.S1")
    first, second = api(world.users[Role.ANALYST]), api(world.users[Role.COORDINATOR])
    url = f"/api/assessment-answers/{answer.pk}/"
    response = first.patch(url, {"value": "met", "note": "Decree 7052/2017", "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    conflict = second.patch(url, {"value": "not_met", "version": 1}, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["current"]["value"] == "met"
    assert conflict.json()["current"]["note"] == "Decree 7052/2017"
    answer.refresh_from_db()
    assert answer.value == "met"
    assert second.patch(url, {"value": "not_met"}, format="json").status_code == 400
    assert second.patch(url, {"value": "maybe", "version": 2}, format="json").json().keys() == {"value"}
    assert second.patch(url, {"value": "not_met", "version": 2}, format="json").status_code == 200
    listing = first.get("/api/assessment-answers/", {"assessment": assessment.pk, "factor_id": "1.1"}).json()
    assert listing["count"] == len(assessment.framework.structure().factor("1.1").indicators)


def test_evidence_scores_lock_and_unlock(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="1.1.S1")
    client = api(world.users[Role.COORDINATOR])
    url = f"/api/assessment-answers/{answer.pk}/evidence/"
    bad = client.post(url, {"kind": "url", "label": "x"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()
    upload = client.post(
        url, {"kind": "document", "label": "Decree", "document": SimpleUploadedFile("d.exe", b"MZ")}, format="multipart"
    )
    assert upload.status_code == 400 and "document" in upload.json()
    ok = client.post(url, {"kind": "citation", "label": "Decree", "citation": "Decree 7052/2017"}, format="json")
    assert ok.status_code == 201
    assert len(client.get(url).json()) == 1
    client.patch(f"/api/assessment-answers/{answer.pk}/", {"value": "met", "version": 1}, format="json")
    scores = {s["factor_id"]: s for s in client.get(f"/api/assessments/{assessment.pk}/scores/").json()}
    assert len(scores) == 23
    assert scores["1.1"]["counts"][0]["met_with_evidence"] == 1
    assert scores["1.1"]["claimed_without_evidence"] == []
    assert client.post(f"/api/assessments/{assessment.pk}/lock/").json()["locked"] is True
    locked = client.patch(f"/api/assessment-answers/{answer.pk}/", {"value": "not_met", "version": 2}, format="json")
    assert locked.status_code == 409 and "locked" in locked.json()["detail"]
    assert (
        client.post(url, {"kind": "url", "label": "x", "url": "https://a.example/"}, format="json").status_code == 409
    )
    assert client.post(f"/api/assessments/{assessment.pk}/unlock/", {"reason": "x"}, format="json").status_code == 403
    admin = api(world.users[Role.ADMINISTRATOR])
    assert admin.post(f"/api/assessments/{assessment.pk}/unlock/", {}, format="json").status_code == 400
    unlocked = admin.post(f"/api/assessments/{assessment.pk}/unlock/", {"reason": "Correction"}, format="json")
    assert unlocked.json()["locked"] is False


def test_answers_of_invisible_assessments_are_404(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.first()
    assert answer is not None
    outsider = api(world.outsider)
    assert outsider.get(f"/api/assessment-answers/{answer.pk}/").status_code == 404
    assert outsider.get("/api/assessment-answers/").json()["count"] == 0
    assert outsider.get(f"/api/assessment-answers/{answer.pk}/evidence/").status_code == 404


@pytest.mark.slow
def test_factor_target_assignee_approval_and_comments(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    base = f"/api/assessments/{assessment.pk}/factors/1.1"
    coordinator, analyst = api(world.users[Role.COORDINATOR]), api(world.users[Role.ANALYST])
    contributor = world.users[Role.CONTRIBUTOR]
    assert analyst.patch(f"{base}/", {"target_stage": 3}, format="json").status_code == 403
    response = coordinator.patch(f"{base}/", {"target_stage": 3, "assignee": contributor.username}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["target_stage"], response.json()["assignee"]) == (3, contributor.username)
    bad = coordinator.patch(f"{base}/", {"target_stage": 9}, format="json")
    assert bad.status_code == 400 and "target_stage" in bad.json()
    bad = coordinator.patch(f"{base}/", {"assignee": world.users[Role.VIEWER].username}, format="json")
    assert bad.status_code == 400 and "assignee" in bad.json()
    assert coordinator.patch(f"/api/assessments/{assessment.pk}/factors/9.9/", {}, format="json").status_code == 404

    assert analyst.post(f"{base}/approve/").status_code == 403
    approved = coordinator.post(f"{base}/approve/")
    assert approved.status_code == 200 and approved.json()["approved"] is True

    # The assigned contributor may comment on this factor, not on another.
    own = api(contributor)
    assert own.post(f"{base}/comments/", {"text": "Draft strategy seen."}, format="json").status_code == 201
    other = own.post(f"/api/assessments/{assessment.pk}/factors/1.2/comments/", {"text": "x"}, format="json")
    assert other.status_code == 403
    assert [c["text"] for c in analyst.get(f"{base}/comments/").json()] == ["Draft strategy seen."]
    assert api(world.outsider).get(f"{base}/comments/").status_code == 404
