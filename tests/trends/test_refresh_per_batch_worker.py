"""Imports queued for the real worker process: several imports of one store refresh the trend tables once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.threats.choices import THREAT_IMPORT, ImportStatus
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from cyberplan.trends.jobs import TRENDS_REFRESH
from tests import dbutil
from tests.conftest import World
from tests.trends.batch_support import daily_reports, from_events, from_tables, parts

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def run_worker_until_idle(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run every queued job in a real worker process, which exits when the queue is empty."""
    return subprocess.run(
        dbutil.worker_command("--batch", "--no-reload", "--no-startup-delay"),
        cwd=dbutil.ROOT,
        env=dbutil.worker_environment(data_dir) | {"CYBERPLAN_TRENDS_WARM": "false"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    """The worker's data folder; this process reads the same event stores and uploaded files."""
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    settings.CYBERPLAN_EVENTS_DIR = folder / "events"
    settings.CYBERPLAN_TRENDS_WARM = False
    return folder


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def test_a_lone_upload_refreshes_at_once_and_a_batch_refreshes_once_after_the_last(
    world: World, data_dir: Path, tmp_path: Path
) -> None:
    lone, first, second, third = daily_reports(tmp_path / "reports", days=(25, 26, 27, 28))
    analyst = world.users[Role.ANALYST]
    web = Client()
    web.force_login(analyst)
    response = web.post(
        "/threats/", {"organisation": world.org_a.pk, "file": upload(lone), "format": "auto", "tlp": "amber"}
    )
    assert response.status_code == 302

    run = run_worker_until_idle(data_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    store = event_store(world.org_a)
    record = Import.objects.get(file_name=lone.name)
    assert record.status == ImportStatus.SUCCEEDED, record.message
    # A lone import refreshed the tables itself, at once: no refresh job was needed.
    assert list(parts(store).values()) == [[str(record.pk)]]
    assert not Job.objects.filter(kind=TRENDS_REFRESH).exists()

    # Two files in one upload of the web form, and one through the API: three queued imports.
    response = web.post(
        "/threats/",
        {"organisation": world.org_a.pk, "file": [upload(first), upload(second)], "format": "auto", "tlp": "amber"},
    )
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(analyst)
    with third.open("rb") as handle:
        response = api.post("/api/imports/", {"organisation": world.org_a.pk, "file": handle}, format="multipart")
    assert response.status_code == 202
    assert Job.objects.filter(kind=THREAT_IMPORT, status=JobStatus.QUEUED).count() == 3

    run = run_worker_until_idle(data_dir)
    assert run.returncode == 0, run.stdout + run.stderr
    batch = Import.objects.filter(file_name__in=[first.name, second.name, third.name])
    assert sorted(i.status for i in batch) == [ImportStatus.SUCCEEDED] * 3, [i.message for i in batch]
    # One refresh job, queued by the first import of the batch and run after the last, aggregated
    # all three: the watermark gained one part naming them.
    refresh = Job.objects.get(kind=TRENDS_REFRESH)
    assert refresh.status == JobStatus.SUCCEEDED, refresh.message
    assert refresh.result["imports"] == 3
    assert refresh.started_at >= max(Job.objects.filter(kind=THREAT_IMPORT).values_list("finished_at", flat=True))
    new_parts = [imports for imports in parts(store).values() if str(record.pk) not in imports]
    assert [sorted(imports) for imports in new_parts] == [sorted(str(i.pk) for i in batch)]
    # The dashboard's figures are those of the raw events, each event counted once.
    assert from_tables(store) == from_events(store)
    assert from_tables(store)["totals"][0]["events"] == sum(
        Import.objects.filter(status=ImportStatus.SUCCEEDED).values_list("stored", flat=True)
    )
