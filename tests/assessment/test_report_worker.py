"""The assessment report rendered by the real worker process, as the assessment page asks for it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from cyberplan.assessment.models import Assessment
from cyberplan.assessment.report_jobs import ASSESSMENT_REPORT
from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from tests import dbutil
from tests.conftest import World
from tests.trends.report_support import pdf_text

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    return folder


def test_worker_renders_the_requested_report(
    world: World, make_assessment: Callable[..., Assessment], data_dir: Path
) -> None:
    assessment = make_assessment(title="Assessment for the worker", tlp="red")
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    response = client.post(f"/assessment/{assessment.pk}/report/", {"language": "es", "format": "pdf"})
    assert response.status_code == 302
    job = Job.objects.get(kind=ASSESSMENT_REPORT)

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
    assert job.result["format"] == "pdf" and job.result["language"] == "es"
    pdf = pdf_text(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    assert "Assessment for the worker" in pdf.text and "1 de marzo de 2026" in pdf.text
    assert all(page.count("TLP:RED") >= 2 for page in pdf.pages) and pdf.forms >= 1
