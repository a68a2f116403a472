"""The assessment report from the web: the button, the job the worker runs, and the download."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from cyberplan.assessment.models import Assessment
from cyberplan.assessment.report_jobs import ASSESSMENT_REPORT
from cyberplan.core.choices import TLP, Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from tests.conftest import World
from tests.trends.report_support import docx_text


def signed_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


@pytest.mark.slow
def test_report_job_end_to_end(world: World, make_assessment: Callable[..., Assessment]) -> None:
    assessment = make_assessment(title="Web report assessment")
    viewer = signed_in(world, Role.VIEWER)
    page = viewer.get(f"/assessment/{assessment.pk}/").content.decode()
    assert f'action="/assessment/{assessment.pk}/report/"' in page and 'name="format"' in page
    response = viewer.post(f"/assessment/{assessment.pk}/report/", {"language": "es", "format": "docx"})
    job = Job.objects.get(kind=ASSESSMENT_REPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.parameters == {"assessment": assessment.pk, "language": "es", "format": "docx"}
    run_job.call(str(job.pk))  # what the worker does
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.output.name.endswith(f"assessment-{assessment.pk}-py-2026-03-01-es.docx")
    assert f"/jobs/{job.pk}/download/" in viewer.get(f"/jobs/{job.pk}/").content.decode()
    download = viewer.get(f"/jobs/{job.pk}/download/")
    document = docx_text(b"".join(download.streaming_content))
    assert "Web report assessment" in document.body and document.pictures == 1
    assert all("TLP:AMBER" in header for header in document.headers)
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/jobs/{job.pk}/download/").status_code == 404


@pytest.mark.slow
def test_bad_requests_and_unseen_assessments_are_refused(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment()
    analyst = signed_in(world, Role.ANALYST)
    response = analyst.post(f"/assessment/{assessment.pk}/report/", {"language": "fr", "format": "odt"}, follow=True)
    assert "Choose a language." in response.content.decode() and not Job.objects.exists()
    assert analyst.get(f"/assessment/{assessment.pk}/report/").status_code == 405
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.post(f"/assessment/{assessment.pk}/report/", {"language": "en", "format": "pdf"}).status_code == 404
    red = make_assessment(tlp=TLP.RED, title="Red")
    partner = signed_in(world, Role.EXTERNAL_PARTNER)
    assert partner.post(f"/assessment/{red.pk}/report/", {"language": "en", "format": "pdf"}).status_code == 404


def test_job_for_someone_who_may_no_longer_see_the_assessment_fails(
    world: World, make_assessment: Callable[..., Assessment]
) -> None:
    assessment = make_assessment(tlp=TLP.RED)
    job = do_start_job(
        world.users[Role.VIEWER],
        world.org_a,
        ASSESSMENT_REPORT,
        {"assessment": assessment.pk, "language": "en", "format": "pdf"},
    )
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer see this assessment" in job.message
    bad = do_start_job(world.users[Role.VIEWER], world.org_a, ASSESSMENT_REPORT, {"language": "xx"})
    run_job.call(str(bad.pk))
    bad.refresh_from_db()
    assert bad.status == "failed" and "Choose a language." in bad.message
