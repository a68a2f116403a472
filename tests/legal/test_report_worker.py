"""The legal alignment report rendered by the real worker process, as the review page asks for it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import TLP, Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.legal.choices import Coverage
from cyberplan.legal.models import Instrument, Review
from cyberplan.legal.report.jobs import LEGAL_REPORT
from tests import dbutil
from tests.conftest import World
from tests.legal.report_support import approved_review
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


def test_worker_renders_the_report_for_readers_only(
    world: World, make_review: Callable[..., Review], instruments: list[Instrument], data_dir: Path
) -> None:
    review = approved_review(
        world, make_review, instruments, {"ets-185:2": (Coverage.FULL, "Penal Code 174 b.")}, title="Worker review"
    )
    client = Client()
    client.force_login(world.users[Role.VIEWER])
    assert client.post(f"/legal/reviews/{review.pk}/report/", {"language": "es", "format": "pdf"}).status_code == 302
    job = Job.objects.get(kind=LEGAL_REPORT)
    red = make_review(tlp=TLP.RED, title="Red review")
    refused = do_start_job(
        world.users[Role.EXTERNAL_PARTNER],
        world.org_a,
        LEGAL_REPORT,
        {"review": red.pk, "language": "en", "format": "pdf"},
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
    assert "Worker review" in pdf.text and "1 de marzo de 2026" in pdf.text and pdf.forms >= 1
    assert all("TLP:AMBER" in page for page in pdf.pages)
    assert refused.status == "failed" and not refused.output
