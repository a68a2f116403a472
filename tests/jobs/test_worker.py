"""Jobs run by the real worker process (``db_worker``), on the same database as the test."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.csvsafe import FORMULA_PREFIXES
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.actions import do_add_gap_evidence
from cyberplan.gaps.choices import EvidenceKind
from cyberplan.gaps.models import Gap
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from tests import dbutil
from tests.conftest import World

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CSV_HEADER = ["timestamp", "actor", "action", "record_type", "record_id", "record", "channel", "changes"]
RECORD = CSV_HEADER.index("record")


def run_worker_until_idle(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run every queued task in a real worker process, which exits when the queue is empty."""
    return subprocess.run(
        dbutil.worker_command("--batch", "--no-reload", "--no-startup-delay"),
        cwd=dbutil.ROOT,
        env=dbutil.worker_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    """The worker's data folder; this process reads job output from the same media folder."""
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    return folder


def test_audit_export_runs_in_the_worker(world: World, make_gap: Callable[..., Gap], data_dir: Path) -> None:
    make_gap(title_en="No incident reporting duty")
    formula_title = make_gap(title_en='=HYPERLINK("x")')
    do_add_gap_evidence(
        world.users[Role.COORDINATOR], formula_title, kind=EvidenceKind.CITATION, label='=HYPERLINK("y")', citation="x"
    )
    make_gap(organisation=world.org_b, title_en="Belongs to the other organisation")
    job = do_start_job(world.users[Role.ADMINISTRATOR], world.org_a, "audit_export")
    assert job.status == JobStatus.QUEUED

    run = run_worker_until_idle(data_dir)

    assert run.returncode == 0, run.stdout + run.stderr
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, f"{job.message}\n{run.stdout}{run.stderr}"
    entries = AuditEntry.objects.filter(organisation=world.org_a).count()
    assert entries == 4  # two gaps, one piece of evidence and the job itself
    assert job.progress_done == job.progress_total == entries
    assert job.result == {"rows": entries}
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at

    with job.output.open("rb") as output:
        rows = list(csv.reader(io.StringIO(output.read().decode("utf-8"))))
    assert rows[0] == CSV_HEADER
    assert len(rows) == entries + 1
    records = [row[RECORD] for row in rows[1:]]
    assert "Belongs to the other organisation" not in " ".join(records)
    # A record whose text begins with a formula character is written so a spreadsheet shows it as text.
    assert '\'=HYPERLINK("y")' in records
    # A gap's record begins with its identifier, so its title needs no such protection.
    assert f'{formula_title.identifier} =HYPERLINK("x")' in records
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_PREFIXES)]


def test_a_job_whose_handler_raises_is_marked_failed(world: World, data_dir: Path) -> None:
    # Job kinds registered only in the test process do not exist in the worker process, so the real
    # export is made to fail: where its output folder should be there is a file, and saving raises.
    (data_dir / "media").write_text("not a folder", encoding="utf-8")
    job = do_start_job(world.users[Role.ADMINISTRATOR], world.org_a, "audit_export")

    run = run_worker_until_idle(data_dir)

    # The task itself ends normally: it records the failure on the job rather than crashing the worker.
    assert run.returncode == 0, run.stdout + run.stderr
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED, run.stdout + run.stderr
    assert job.message.startswith("NotADirectoryError: "), job.message
    assert "Not a directory" in job.message
    assert not job.output
    assert job.finished_at is not None
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).count() == 0
