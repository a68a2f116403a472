"""The trends report rendered by the real worker process, as the web page asks for it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from tests import dbutil
from tests.conftest import World
from tests.trends.report_support import docx_text, sample_events, write_org_store

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    """The worker's data folder: its event stores and media are this process's too."""
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    settings.CYBERPLAN_EVENTS_DIR = folder / "events"
    return folder


def test_worker_renders_the_requested_report(world: World, data_dir: Path) -> None:
    write_org_store(world.org_a, sample_events())
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    response = client.post(
        "/trends/reports/",
        {"organisation": world.org_a.pk, "period": "2026-Q3", "language": "es", "format": "docx", "tlp": "red"},
    )
    assert response.status_code == 302
    job = Job.objects.get(kind="trends_report")

    run = subprocess.run(
        dbutil.worker_command("--batch", "--no-reload", "--no-startup-delay"),
        cwd=dbutil.ROOT,
        env=dbutil.worker_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    job.refresh_from_db()
    assert job.status == "succeeded", f"{job.message}\n{run.stdout}{run.stderr}"
    assert job.result["events"] == 21 and job.result["format"] == "docx"
    download = client.get(f"/jobs/{job.pk}/download/")
    document = docx_text(b"".join(download.streaming_content))
    assert "1 de julio de 2026" in document.body and "61,9" in document.body
    assert all("TLP:RED" in header for header in document.headers)
    assert document.pictures >= 6
