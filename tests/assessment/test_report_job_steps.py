"""A report job records each step as it starts, and its page shows the counter move step by step."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db.models.signals import post_save
from django.test import Client

from cyberplan.assessment.models import Assessment
from cyberplan.assessment.report_jobs import ASSESSMENT_REPORT
from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from tests.conftest import World


@pytest.fixture
def pages_at_each_step(world: World) -> Iterator[list[str]]:
    """The job's status block as its page shows it after each step the job writes."""
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    seen: list[str] = []

    def record(sender: type[Job], instance: Job, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields and "step" in update_fields:
            seen.append(client.get(f"/jobs/{instance.pk}/", HTTP_HX_REQUEST="true").content.decode())

    post_save.connect(record, sender=Job, dispatch_uid="pages-at-each-step")
    yield seen
    post_save.disconnect(sender=Job, dispatch_uid="pages-at-each-step")


def test_a_report_job_shows_each_of_its_steps_in_turn(
    world: World, make_assessment: Callable[..., Assessment], pages_at_each_step: list[str]
) -> None:
    assessment = make_assessment(title="Steps assessment")
    viewer = Client()
    viewer.force_login(world.users[Role.VIEWER])
    viewer.post(f"/assessment/{assessment.pk}/report/", {"language": "es", "format": "html"})
    job = Job.objects.get(kind=ASSESSMENT_REPORT)

    run_job.call(str(job.pk))  # what the worker does

    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    steps = [
        "checking the request and the requester&#x27;s access",
        "gathering the figures",
        "drawing the charts and writing the document",
        "saving the file",
    ]
    assert len(pages_at_each_step) == len(steps)
    for number, (page, words) in enumerate(zip(pages_at_each_step, steps, strict=True), start=1):
        assert f"Step {number} of 4: {words}" in page
        assert f'<progress max="4" value="{number - 1}"' in page
    page = viewer.get(f"/jobs/{job.pk}/").content.decode()
    assert "<dt>Assessment</dt><dd>Steps assessment</dd>" in page and "<dt>Format</dt><dd>HTML</dd>" in page
    assert '<progress max="4" value="4"' in page and "hx-trigger" not in page and "Step 4 of 4" not in page
