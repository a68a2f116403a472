"""The regional report rendered by the real worker process, as the regional report page asks for it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import Membership, User
from cyberplan.jobs.models import Job
from cyberplan.regional.report.jobs import REGIONAL_REPORT
from tests import dbutil
from tests.regional.report_support import regional_world
from tests.trends.report_support import pdf_text

dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    return folder


def ask(who: User, programme_pk: int, language: str) -> Job:
    client = Client()
    client.force_login(who)
    posted = client.post(
        reverse("regional:report"), {"programme": programme_pk, "period": "2026", "language": language, "format": "pdf"}
    )
    assert posted.status_code == 302
    return Job.objects.get(kind=REGIONAL_REPORT, created_by=who)


def pdf_of(job: Job) -> list[str]:
    with job.output.open("rb") as file:
        return pdf_text(file.read()).pages


def test_the_worker_renders_the_report_for_what_the_requester_reads_and_refuses_one_who_left(data_dir: Path) -> None:
    programme = regional_world()
    partner = User.objects.get(username=f"p-{Role.EXTERNAL_PARTNER}")
    analyst = User.objects.get(username=f"p-{Role.ANALYST}")
    viewer = User.objects.get(username=f"p-{Role.VIEWER}")
    for_partner, for_analyst, for_viewer = (ask(u, programme.pk, "en") for u in (partner, analyst, viewer))
    Membership.objects.filter(user=viewer, organisation=programme).delete()

    run = subprocess.run(
        dbutil.worker_command("--batch", "--no-reload", "--no-startup-delay"),
        cwd=dbutil.ROOT,
        env=dbutil.worker_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    for job in (for_partner, for_analyst, for_viewer):
        job.refresh_from_db()
    assert for_partner.status == "succeeded", f"{for_partner.message}\n{run.stdout}{run.stderr}"
    assert for_analyst.status == "succeeded", for_analyst.message
    partner_pages = pdf_of(for_partner)
    # The partner reads TLP:GREEN only: UY's amber package is left out and the document is marked GREEN.
    assert all("TLP:GREEN" in page for page in partner_pages)
    assert "Uruguay" not in " ".join(partner_pages) and "Paraguay" in " ".join(partner_pages)
    assert for_partner.result["members"] == 1 and for_partner.result["tlp"] == "green"
    analyst_pages = pdf_of(for_analyst)
    assert all("TLP:AMBER" in page for page in analyst_pages) and "Uruguay" in " ".join(analyst_pages)
    assert for_viewer.status == "failed" and not for_viewer.output
    assert "no longer a member" in for_viewer.message
