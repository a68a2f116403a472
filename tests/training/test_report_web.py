"""The report page: members ask for the report at a marking they read; the job is queued for the worker."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from cyberplan.training.report.jobs import TRAINING_REPORT, describe
from tests.conftest import World


def test_a_viewer_asks_for_the_report_and_the_job_is_queued(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    page = client.get(reverse("training:report"))
    assert page.status_code == 200 and "Make the report" in page.content.decode()
    answer = client.post(
        reverse("training:report"),
        {"organisation": world.org_a.pk, "year": 2026, "tlp": "amber", "language": "es", "format": "docx"},
    )
    job = Job.objects.get(kind=TRAINING_REPORT)
    assert answer.status_code == 302 and answer["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.organisation == world.org_a and job.created_by == world.users[Role.VIEWER]
    assert job.parameters == {"year": 2026, "tlp": "amber", "language": "es", "format": "docx"}
    assert ("Year", "2026") in describe(job.parameters)


def test_a_marking_the_person_does_not_read_and_another_organisation_are_refused(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.EXTERNAL_PARTNER])
    answer = client.post(
        reverse("training:report"),
        {"organisation": world.org_a.pk, "year": 2026, "tlp": "amber", "language": "en", "format": "pdf"},
    )
    assert answer.status_code == 400 and "You may not read records marked" in answer.content.decode()
    client.force_login(world.outsider)
    answer = client.post(
        reverse("training:report"),
        {"organisation": world.org_a.pk, "year": 2026, "tlp": "green", "language": "en", "format": "pdf"},
    )
    assert answer.status_code == 400
    assert not Job.objects.filter(kind=TRAINING_REPORT).exists()


def test_signing_in_is_required(world: World) -> None:
    answer = Client().get(reverse("training:report"))
    assert answer.status_code == 302 and "login" in answer["Location"]
