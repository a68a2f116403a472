"""The pooled-events figures computed by the real worker process, as the regional dashboard asks for them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import User
from cyberplan.jobs.models import Job
from cyberplan.regional import pooled
from cyberplan.regional.jobs import REGIONAL_POOLED
from tests import dbutil
from tests.regional.report_support import regional_world
from tests.regional.test_pooled_section import EVENTS, dashboard, share_events, tables

dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_computes_the_section_the_dashboard_then_shows(tmp_path: Path, settings: Settings) -> None:
    data_dir = tmp_path / "worker-data"
    data_dir.mkdir()
    settings.CYBERPLAN_EVENTS_DIR = data_dir / "events"  # the worker's events folder (its data folder's)
    programme = regional_world()
    share_events(programme, EVENTS)
    analyst = User.objects.get(username=f"p-{Role.ANALYST}")
    client = Client()
    client.force_login(analyst)
    assert (
        client.post(reverse("regional:pooled_compute"), {"programme": programme.pk, "period": "2026"}).status_code
        == 302
    )

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
    job = Job.objects.get(kind=REGIONAL_POOLED)
    assert job.status == "succeeded", f"{job.message}\n{run.stdout}{run.stderr}"
    assert job.result["members"] == ["PY", "UY"] and job.result["engine"] == "duckdb"
    rows = pooled.compute(programme, "2026", "duckdb").rows
    assert job.result["events"] == sum(int(r["events"]) for r in rows["events_by_country"])
    page = tables(dashboard(User.objects.get(username=f"p-{Role.VIEWER}")))
    assert [r[0] for r in page.tables["pooled-by-country"]] == ["PY", "UY"]
    assert [r[1].replace(",", "") for r in page.tables["pooled-by-country"]] == [
        str(r["events"]) for r in sorted(rows["events_by_country"], key=lambda r: r["country"])
    ]
