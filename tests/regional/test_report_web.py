"""The regional report page: members of the programme ask for the report; the job is queued and audited."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import AuditAction, Role
from cyberplan.core.models import AuditEntry, Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.regional.report.jobs import REGIONAL_REPORT, describe
from tests.conftest import World
from tests.regional.report_support import regional_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Organisation:
    return regional_world()


def signed_in(who: User) -> Client:
    client = Client()
    client.force_login(who)
    return client


def test_a_member_of_the_programme_asks_for_the_report_and_the_job_is_queued_and_audited(
    programme: Organisation,
) -> None:
    viewer = User.objects.get(username=f"p-{Role.VIEWER}")
    client = signed_in(viewer)
    page = client.get(reverse("regional:report")).content.decode()
    assert "Make the report" in page and 'value="2026"' in page  # the latest period received
    assert reverse("regional:report") in client.get(reverse("regional:programme_overview")).content.decode()
    answer = client.post(
        reverse("regional:report"),
        {"programme": programme.pk, "period": "2026", "language": "es", "format": "docx"},
    )
    job = Job.objects.get(kind=REGIONAL_REPORT)
    assert answer.status_code == 302 and answer["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.organisation == programme and job.created_by == viewer
    assert job.parameters == {"period": "2026", "language": "es", "format": "docx"}
    assert ("Period", "2026") in describe(job.parameters)
    content_type = ContentType.objects.get_for_model(job)
    entry = AuditEntry.objects.get(content_type=content_type, object_id=str(job.pk), action=AuditAction.CREATE)
    assert entry.actor == viewer and entry.organisation == programme
    assert "2026 · ES · DOCX" in client.get(reverse("regional:report")).content.decode()


def test_a_bad_period_is_refused_on_its_field(programme: Organisation) -> None:
    client = signed_in(User.objects.get(username=f"p-{Role.ANALYST}"))
    answer = client.post(
        reverse("regional:report"), {"programme": programme.pk, "period": "2026-11", "language": "en", "format": "pdf"}
    )
    assert answer.status_code == 400 and "Give a year (2026) or a quarter (2026-Q2)." in answer.content.decode()
    assert not Job.objects.exists()


def test_people_outside_the_programme_are_refused(programme: Organisation, world: World) -> None:
    for outsider in (world.users[Role.ADMINISTRATOR], world.nobody):
        client = signed_in(outsider)
        assert client.get(reverse("regional:report")).status_code == 403
        answer = client.post(
            reverse("regional:report"), {"programme": programme.pk, "period": "2026", "language": "en", "format": "pdf"}
        )
        assert answer.status_code == 403
    assert not Job.objects.exists()
    assert Client().get(reverse("regional:report")).status_code == 302  # signing in is required
