"""The capacity-building report rendered by the real worker process, as the report page asks for it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cyberplan.core.choices import TLP, Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.training.report.jobs import TRAINING_REPORT
from tests import dbutil
from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import NAMES, report_records
from tests.trends.report_support import pdf_text

dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    return folder


def test_worker_renders_the_report_and_refuses_a_marking_the_requester_no_longer_reads(
    world: World, training: TrainingWorld, data_dir: Path
) -> None:
    report_records(world, training)
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    posted = client.post(
        reverse("training:report"),
        {"organisation": world.org_a.pk, "year": 2026, "tlp": "green", "language": "es", "format": "pdf"},
    )
    assert posted.status_code == 302
    job = Job.objects.get(kind=TRAINING_REPORT)
    refused = do_start_job(
        world.users[Role.EXTERNAL_PARTNER],
        world.org_a,
        TRAINING_REPORT,
        {"year": 2026, "tlp": TLP.RED, "language": "en", "format": "pdf"},
    )

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
    refused.refresh_from_db()
    assert job.status == "succeeded", f"{job.message}\n{run.stdout}{run.stderr}"
    pdf = pdf_text(b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content))
    text = " ".join(pdf.pages).replace("\n", " ")
    assert "Evidence for judges" in text and "Red programme Zeta" not in text and "2026" in text and "2.026" not in text
    assert all("TLP:GREEN" in page for page in pdf.pages)
    assert not any(name in page for page in pdf.pages for name in NAMES)
    assert refused.status == "failed" and not refused.output
