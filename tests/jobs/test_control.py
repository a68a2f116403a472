"""Cancelling jobs (web page, API, command line), who may, the audit trail, and live import progress.

These run in the test process; what the worker does with a cancelled or slow job is in
test_worker.py, with the real worker process.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import JobStopped, Progress
from cyberplan.pipeline.importers.progress import reporting
from cyberplan.threats.actions import do_register_import, do_run_import
from cyberplan.threats.choices import ImportStatus
from tests.conftest import World
from tests.jobs import kinds
from tests.pipeline.test_misp import attribute, misp_event
from tests.pipeline.test_stix import bundle, indicator, write

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"


def browser_for(user: object) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)  # type: ignore[arg-type]
    return client


def csrf_post(client: Client, url: str) -> object:
    page = client.get(url.replace("cancel/", ""))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    return client.post(url, HTTP_X_CSRFTOKEN=token)


def test_a_queued_job_cancelled_on_its_page_is_cancelled_and_audited(world: World) -> None:
    analyst = world.users[Role.ANALYST]
    job = do_start_job(analyst, world.org_a, kinds.STEPS)
    client = browser_for(analyst)
    page = client.get(reverse("jobs:job_detail", args=[job.pk]))
    assert b"Cancel this job" in page.content
    assert client.get(reverse("jobs:job_cancel", args=[job.pk])).status_code == 405  # a change is a POST

    response = csrf_post(client, reverse("jobs:job_cancel", args=[job.pk]))

    assert response.status_code == 302  # type: ignore[attr-defined]
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.message == "Cancelled by a-analyst."
    assert job.finished_at is not None and job.started_at is None
    entry = AuditEntry.objects.filter(object_id=str(job.pk), action="update").get()
    assert entry.changes["status"] == ["queued", "cancelled"]
    assert entry.actor == analyst
    assert b"Cancel this job" not in client.get(reverse("jobs:job_detail", args=[job.pk])).content


def test_without_a_csrf_token_nothing_is_cancelled(world: World) -> None:
    job = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS)
    response = browser_for(world.users[Role.ANALYST]).post(reverse("jobs:job_cancel", args=[job.pk]))
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_only_the_starter_or_a_coordinator_may_cancel(world: World, api_client: APIClient) -> None:
    job = do_start_job(world.users[Role.COORDINATOR], world.org_a, kinds.STEPS)
    url = f"/api/jobs/{job.pk}/cancel/"
    for user in (world.users[Role.ANALYST], world.users[Role.VIEWER], world.outsider, world.nobody):
        api_client.force_authenticate(user)
        assert api_client.post(url).status_code == 404, user  # they cannot see it at all
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED

    # A job of the analyst's own: the analyst may; the administrator may cancel anyone's.
    own = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS)
    api_client.force_authenticate(world.users[Role.ANALYST])
    response = api_client.post(f"/api/jobs/{own.pk}/cancel/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert response.json()["stop_requested"] is True

    api_client.force_authenticate(world.users[Role.ADMINISTRATOR])
    assert api_client.post(url).json()["status"] == "cancelled"
    again = api_client.post(url)
    assert again.status_code == 409
    assert again.json() == {"detail": "This job has already ended."}


def test_a_running_job_is_asked_to_stop_and_stops_at_its_next_progress_report(world: World) -> None:
    job = do_start_job(world.users[Role.COORDINATOR], world.org_a, kinds.STEPS)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    api_client = APIClient()
    api_client.force_authenticate(world.users[Role.COORDINATOR])

    body = api_client.post(f"/api/jobs/{job.pk}/cancel/").json()

    assert body["status"] == "running"
    assert body["stop_requested"] is True
    assert body["stop_reason"] == "Cancelled by a-coordinator."
    job.refresh_from_db()
    with pytest.raises(JobStopped) as stopped:
        Progress(job).update(1, 10)
    assert stopped.value.status == JobStatus.CANCELLED
    assert stopped.value.reason == "Cancelled by a-coordinator."


def test_jobs_list_and_cancel_on_the_command_line(world: World) -> None:
    job = do_start_job(world.users[Role.COORDINATOR], world.org_a, kinds.STEPS)
    out = StringIO()
    call_command("jobs", "list", stdout=out)
    assert str(job.pk) in out.getvalue()
    assert "queued" in out.getvalue()

    out = StringIO()
    call_command("jobs", "cancel", str(job.pk), stdout=out)
    assert "was cancelled" in out.getvalue()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.message == "Cancelled by an operator."
    assert AuditEntry.objects.filter(object_id=str(job.pk), action="update", actor=None).exists()

    with pytest.raises(Exception, match="has already ended"):
        call_command("jobs", "cancel", str(job.pk))
    with pytest.raises(Exception, match="There is no job 'nonsense'"):
        call_command("jobs", "cancel", "nonsense")


def stix_bundle(path: Path, count: int) -> Path:
    return write(path, bundle(*(indicator(n, f"[ipv4-addr:value = '198.51.100.{n % 250}']") for n in range(count))))


def test_stix_and_misp_imports_report_objects_read(world: World, tmp_path: Path) -> None:
    for name, document, total in (
        ("feed.json", None, 2 * 40),  # STIX: each object is checked, then mapped
        ("event.json", misp_event(*(attribute(n, "ip-dst", f"192.0.2.{n}") for n in range(30))), 30),
    ):
        path = stix_bundle(tmp_path / name, 40) if document is None else write(tmp_path / name, document)
        record = do_register_import(world.users[Role.ANALYST], world.org_a, path)
        seen: list[tuple[int, int]] = []
        with reporting(lambda done, of, seen=seen: seen.append((done, of))):
            record = do_run_import(record, path)
        assert record.status == ImportStatus.SUCCEEDED, record.message
        assert seen[0] == (0, total), name
        assert seen[-1] == (total, total), name
        assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_stix_bundle_over_the_configured_object_limit_is_refused(
    world: World, tmp_path: Path, settings: Settings
) -> None:
    assert settings.CYBERPLAN_MAX_IMPORT_OBJECTS == 50_000  # a daily national feed, not 2,000,000
    settings.CYBERPLAN_MAX_IMPORT_OBJECTS = 5
    path = stix_bundle(tmp_path / "big.json", 6)
    record = do_run_import(do_register_import(None, world.org_a, path), path)
    assert record.status == ImportStatus.FAILED
    assert record.message == "big.json: the bundle has 6 objects; the limit is 5 (split the bundle, or raise the limit)"


def test_job_page_says_a_running_job_is_stopping(world: World) -> None:
    job = do_start_job(world.users[Role.COORDINATOR], world.org_a, kinds.STEPS)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    client.post(reverse("jobs:job_cancel", args=[job.pk]))
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "Stopping: Cancelled by a-coordinator." in page
    assert "Cancel this job" not in page
