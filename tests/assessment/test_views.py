"""The assessment pages: rendering, answering, evidence, approval, conflicts, lock, escaping."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cyberplan.assessment import actions
from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import Role
from cyberplan.core.models import User
from tests.conftest import World


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_renders(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment(title="Evaluación <b>2026</b>")
    later = make_assessment(title="Follow-up", date=assessment.date.replace(year=2027))
    client = client_for(world.users[Role.COORDINATOR])
    pages = [
        reverse("assessment:assessment_list"),
        reverse("assessment:assessment_create"),
        reverse("assessment:assessment_import"),
        reverse("assessment:assessment_detail", args=[assessment.pk]),
        reverse("assessment:factor_detail", args=[assessment.pk, "1.1"]),
        reverse("assessment:assessment_benchmark", args=[assessment.pk]),
        reverse("assessment:assessment_crosswalk", args=[assessment.pk]),
        reverse("assessment:assessment_compare", args=[assessment.pk]) + f"?other={later.pk}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<b>2026</b>" not in body, url
    assert "Evaluación &lt;b&gt;2026&lt;/b&gt;" in client.get(pages[3]).content.decode()
    benchmark = client.get(pages[5]).content.decode()
    assert "External figures (published by others)" in benchmark
    assert "https://" in benchmark
    crosswalk = client.get(pages[6]).content.decode()
    assert "NCAF" in crosswalk or "ncaf" in crosswalk.lower()


def test_create_from_the_web(world: World, shipped) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.users[Role.ANALYST])
    url = reverse("assessment:assessment_create")
    response = client.post(url, {"title": "", "country": "PY", "date": "2026-05-01", "method": "desk_research"})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "organisation": world.org_a.pk,
            "title": "Desk study",
            "country": "PY",
            "date": "2026-05-01",
            "method": "desk_research",
            "stakeholder_groups": ["government", "academia"],
            "framework": shipped.pk,
            "tlp": "green",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(title="Desk study")
    assert assessment.stakeholder_groups == ["government", "academia"]
    assert assessment.created_by == world.users[Role.ANALYST]
    # An organisation where the user may not edit is not offered.
    response = client.post(
        url,
        {
            "organisation": world.org_b.pk,
            "title": "x",
            "country": "UY",
            "date": "2026-05-01",
            "method": "desk_research",
            "framework": shipped.pk,
            "tlp": "green",
        },
    )
    assert response.status_code == 400


def test_answer_evidence_and_approval_from_the_web(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="1.1.S1")
    client = client_for(world.users[Role.COORDINATOR])
    url = reverse("assessment:answer", args=[assessment.pk, "1.1", answer.pk])
    response = client.post(
        url, {f"a{answer.pk}-value": "met", f"a{answer.pk}-note": "Decree", f"a{answer.pk}-version": 1}
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.value, answer.version) == ("met", 2)
    page = client.get(reverse("assessment:factor_detail", args=[assessment.pk, "1.1"])).content.decode()
    assert "claimed without evidence" in page
    response = client.post(
        reverse("assessment:add_evidence", args=[assessment.pk, "1.1"]),
        {
            "indicator": "1.1.S1",
            "kind": "document",
            "label": "Decree 7052/2017",
            "document": SimpleUploadedFile("decree.pdf", b"%PDF-1.4 test"),
        },
    )
    assert response.status_code == 302
    evidence = answer.evidence.get()
    download = client.get(reverse("assessment:evidence_download", args=[assessment.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    bad = client.post(
        reverse("assessment:add_evidence", args=[assessment.pk, "1.1"]),
        {"indicator": "1.1.S1", "kind": "document", "label": "x", "document": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert bad.status_code == 400
    assert "not accepted as evidence" in bad.content.decode()
    response = client.post(reverse("assessment:approve_factor", args=[assessment.pk, "1.1"]))
    assert response.status_code == 302
    assert assessment.factors.get(factor_id="1.1").approved
    response = client.post(reverse("assessment:add_comment", args=[assessment.pk, "1.1"]), {"text": "<i>ok</i>"})
    assert response.status_code == 302
    page = client.get(reverse("assessment:factor_detail", args=[assessment.pk, "1.1"])).content.decode()
    assert "&lt;i&gt;ok&lt;/i&gt;" in page
    assert "Approved by a-coordinator" in page


def test_second_save_of_the_same_answer_is_a_conflict(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="2.1.S1")
    analyst, coordinator = client_for(world.users[Role.ANALYST]), client_for(world.users[Role.COORDINATOR])
    url = reverse("assessment:answer", args=[assessment.pk, "2.1", answer.pk])
    p = f"a{answer.pk}"
    assert analyst.post(url, {f"{p}-value": "met", f"{p}-note": "first", f"{p}-version": 1}).status_code == 302
    response = coordinator.post(url, {f"{p}-value": "not_met", f"{p}-note": "second", f"{p}-version": 1})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else changed this answer" in body
    assert "first" in body and "second" in body
    answer.refresh_from_db()
    assert (answer.value, answer.note) == ("met", "first")


def test_locked_assessment_refuses_answers(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    client = client_for(world.users[Role.COORDINATOR])
    assert client.post(reverse("assessment:assessment_lock", args=[assessment.pk])).status_code == 302
    answer = assessment.answers.get(indicator_id="1.1.S1")
    p = f"a{answer.pk}"
    response = client.post(
        reverse("assessment:answer", args=[assessment.pk, "1.1", answer.pk]),
        {f"{p}-value": "met", f"{p}-note": "", f"{p}-version": 1},
        follow=True,
    )
    assert "This assessment is locked" in response.content.decode()
    answer.refresh_from_db()
    assert answer.value == ""
    # Only an administrator unlocks, with a reason.
    url = reverse("assessment:assessment_unlock", args=[assessment.pk])
    assert client.post(url, {"reason": "fix"}).status_code == 403
    admin = client_for(world.users[Role.ADMINISTRATOR])
    admin.post(url, {"reason": ""})
    assessment.refresh_from_db()
    assert assessment.locked
    admin.post(url, {"reason": "Correction agreed in the steering committee"})
    assessment.refresh_from_db()
    assert not assessment.locked


def test_contributor_answers_only_assigned_factors(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    contributor = world.users[Role.CONTRIBUTOR]
    client = client_for(contributor)
    answer = assessment.answers.get(indicator_id="3.2.S1")
    url = reverse("assessment:answer", args=[assessment.pk, "3.2", answer.pk])
    data = {f"a{answer.pk}-value": "met", f"a{answer.pk}-note": "", f"a{answer.pk}-version": 1}
    assert client.post(url, data).status_code == 403
    coordinator = client_for(world.users[Role.COORDINATOR])
    response = coordinator.post(
        reverse("assessment:assign_factor", args=[assessment.pk, "3.2"]), {"assignee": contributor.pk}
    )
    assert response.status_code == 302
    assert client.post(url, data).status_code == 302
    other = assessment.answers.get(indicator_id="3.1.S1")
    assert (
        client.post(
            reverse("assessment:answer", args=[assessment.pk, "3.1", other.pk]),
            {f"a{other.pk}-value": "met", f"a{other.pk}-note": "", f"a{other.pk}-version": 1},
        ).status_code
        == 403
    )
    actions.do_lock_assessment(None, assessment)


@pytest.mark.slow
def test_edit_details(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    url = reverse("assessment:assessment_edit", args=[assessment.pk])
    data = {
        "title": "Renamed",
        "country": "PY",
        "date": "2026-04-01",
        "method": "self_assessment",
        "stakeholder_groups": ["csirt"],
        "tlp": "green",
        "version": 1,
    }
    assert client_for(world.users[Role.CONTRIBUTOR]).get(url).status_code == 403
    client = client_for(world.users[Role.ANALYST])
    assert client.get(url).status_code == 200
    assert client.post(url, {**data, "method": "guess"}).status_code == 400
    assert client.post(url, data).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.title, assessment.tlp, assessment.version) == ("Renamed", "green", 2)
    stale = client.post(url, {**data, "title": "Stale"})
    assert stale.status_code == 400 and "Someone else changed this assessment" in stale.content.decode()
    actions.do_lock_assessment(None, assessment)
    assert client.get(url, follow=True).content.decode().count("This assessment is locked") == 1
