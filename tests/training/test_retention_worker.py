"""The retention job run by the real worker process, as the retention page starts it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.training import actions
from cyberplan.training.jobs import ERASE_NAMES
from cyberplan.training.models import Attendance, Participant
from tests import dbutil
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    return folder


def test_the_worker_erases_names_past_the_period_and_keeps_attendance(
    world: World, training: TrainingWorld, data_dir: Path
) -> None:
    coordinator = world.users[Role.COORDINATOR]
    actions.do_import_participants(coordinator, training.programme, "list.csv", LIST_CSV.encode(), with_names=True)
    actions.do_set_retention(coordinator, world.org_a, 1)  # every session of the list ended more than a day ago
    job = do_start_job(coordinator, world.org_a, ERASE_NAMES, {"organisation": world.org_a.pk})

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
    assert job.result["erased"] == 2 and job.result["retention_days"] == 1
    assert not Participant.objects.exclude(name="").exists()
    assert Participant.objects.filter(names_erased_at__isnull=False).count() == 2
    assert Attendance.objects.count() == 4  # the counts stay
