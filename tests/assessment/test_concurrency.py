"""Two people editing the same answer through different doors: the second save never silently wins."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from tests.conftest import World


def test_api_save_then_stale_web_save(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    answer = assessment.answers.get(indicator_id="4.1.S1")
    web = Client()
    web.force_login(world.users[Role.COORDINATOR])
    page = web.get(reverse("assessment:factor_detail", args=[assessment.pk, "4.1"])).content.decode()
    assert f'name="a{answer.pk}-version" value="1"' in page  # the version the web editor holds

    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    saved = api.patch(
        f"/api/assessment-answers/{answer.pk}/", {"value": "not_met", "note": "No law yet", "version": 1}, format="json"
    )
    assert saved.status_code == 200

    p = f"a{answer.pk}"
    stale = web.post(
        reverse("assessment:answer", args=[assessment.pk, "4.1", answer.pk]),
        {f"{p}-value": "met", f"{p}-note": "Law 5994/2017", f"{p}-version": 1},
    )
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "No law yet" in body and "Law 5994/2017" in body  # both answers are shown
    assert f'name="{p}-version" value="2"' in body  # saving again, knowingly, is possible
    answer.refresh_from_db()
    assert (answer.value, answer.note, answer.version) == ("not_met", "No law yet", 2)
    assert AuditEntry.objects.filter(content_type__model="answer", object_id=str(answer.pk)).count() == 1

    again = web.post(
        reverse("assessment:answer", args=[assessment.pk, "4.1", answer.pk]),
        {f"{p}-value": "met", f"{p}-note": "Law 5994/2017", f"{p}-version": 2},
    )
    assert again.status_code == 302
    answer.refresh_from_db()
    assert (answer.value, answer.version) == ("met", 3)


@pytest.mark.slow
def test_admin_pages_render(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment()
    admin = world.users[Role.ADMINISTRATOR]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    for url in (
        "/admin/assessment/framework/",
        "/admin/assessment/assessment/",
        f"/admin/assessment/assessment/{assessment.pk}/change/",
        "/admin/assessment/answer/",
    ):
        assert client.get(url).status_code == 200, url
