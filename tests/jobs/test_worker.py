"""Jobs run by the real worker process (``db_worker``), on the same database as the test."""

from __future__ import annotations

import csv
import io
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.csvsafe import FORMULA_PREFIXES
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.actions import do_add_gap_evidence
from cyberplan.gaps.choices import EvidenceKind
from cyberplan.gaps.models import Gap
from cyberplan.jobs.actions import do_cancel_job, do_record_job_run_here, do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.threats.actions import do_register_import
from cyberplan.threats.choices import ImportStatus
from cyberplan.threats.jobs import THREAT_IMPORT
from cyberplan.threats.models import Import
from tests import dbutil
from tests.conftest import World
from tests.jobs import kinds

# The worker is another process: with SQLite the test database has to be a file it can open.
dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WORKER_MAIN = "tests.jobs.worker_main"  # the worker, with the job kinds of tests/jobs/kinds.py
# Short limits for the test kinds, through the setting an operator would use.
LIMITS = {"CYBERPLAN_JOB_TIME_LIMITS": "test_steps=0.05,test_silent=0.05"}  # 3 seconds
LONG = {"steps": 100_000, "pause": 0.05}  # a job that would report for about 80 minutes

CSV_HEADER = ["timestamp", "actor", "action", "record_type", "record_id", "record", "channel", "changes"]
RECORD = CSV_HEADER.index("record")


def run_worker_until_idle(
    data_dir: Path, env: dict[str, str] | None = None, *, test_kinds: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run every queued task in a real worker process, which exits when the queue is empty."""
    return subprocess.run(
        dbutil.worker_command(
            "--batch", "--no-reload", "--no-startup-delay", module=WORKER_MAIN if test_kinds else "cyberplan.cli"
        ),
        cwd=dbutil.ROOT,
        env=dbutil.worker_environment(data_dir) | (env or {}),
        capture_output=True,
        text=True,
        timeout=240,  # ends a worker that hangs; six short jobs take seconds, but a loaded machine is slow
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


@pytest.fixture
def worker(data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., dbutil.WorkerProcess]]:
    """Start a long-running worker (with the test job kinds) once it is ready; stopped at the end."""
    started: list[dbutil.WorkerProcess] = []

    def start(*options: str, env: dict[str, str] | None = None) -> dbutil.WorkerProcess:
        process = dbutil.start_worker(
            data_dir,
            tmp_path / f"worker-{len(started)}.log",
            *options,
            env=env,
            command=dbutil.worker_command(module=WORKER_MAIN),
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def job_state(job: Job) -> str:
    job.refresh_from_db()
    return f"job {job.status}: {job.message} (stop requested: {job.stop_requested})"


def wait_for_status(job: Job, statuses: set[str], process: dbutil.WorkerProcess) -> None:
    def reached() -> bool:
        job.refresh_from_db()
        return job.status in statuses

    dbutil.wait_until(
        reached,
        f"{job_state(job)} to become {'/'.join(sorted(statuses))}",
        describe=lambda: f"{job_state(job)}\n{process.output()}",
    )


def test_one_organisations_backlog_does_not_starve_another(world: World, data_dir: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    backlog = [do_start_job(coordinator, world.org_a, kinds.STEPS) for _ in range(4)]
    other = [do_start_job(world.outsider, world.org_b, kinds.STEPS) for _ in range(2)]

    run = run_worker_until_idle(data_dir, test_kinds=True)

    assert run.returncode == 0, run.stdout + run.stderr
    names = {job.pk: f"{job.organisation.acronym}{n}" for jobs in (backlog, other) for n, job in enumerate(jobs, 1)}
    order = [names[pk] for pk in Job.objects.order_by("started_at").values_list("pk", flat=True)]
    # Turn about while both wait, oldest first within each organisation.
    assert order == ["AA1", "CB1", "AA2", "CB2", "AA3", "AA4"], run.stdout + run.stderr
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}


def test_a_queued_job_that_was_cancelled_never_runs(world: World, data_dir: Path) -> None:
    cancelled = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS)
    do_cancel_job(world.users[Role.ANALYST], cancelled)
    after = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS)

    run = run_worker_until_idle(data_dir, test_kinds=True)

    assert run.returncode == 0, run.stdout + run.stderr
    cancelled.refresh_from_db()
    after.refresh_from_db()
    assert (cancelled.status, cancelled.started_at, cancelled.progress_done) == (JobStatus.CANCELLED, None, 0)
    assert cancelled.result == {"on_stop": "Cancelled by a-analyst."}  # its kind tidied up, at once
    assert after.status == JobStatus.SUCCEEDED


def test_a_running_job_cancelled_stops_at_its_next_step(
    world: World, worker: Callable[..., dbutil.WorkerProcess]
) -> None:
    process = worker()
    job = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS, LONG)
    dbutil.wait_until(
        lambda: (job.refresh_from_db(), job.progress_done > 0)[1], "the job to report", describe=process.output
    )

    do_cancel_job(world.users[Role.COORDINATOR], job)

    wait_for_status(job, {JobStatus.CANCELLED, JobStatus.FAILED}, process)
    assert job.status == JobStatus.CANCELLED, process.output()
    assert job.message == "Cancelled by a-coordinator."
    assert job.result == {"on_stop": "Cancelled by a-coordinator."}  # the kind tidied up
    assert job.progress_done < LONG["steps"]
    assert "Ended job" not in process.output()  # it stopped itself; nothing was killed


def test_a_job_over_its_time_limit_is_stopped_and_failed(
    world: World, worker: Callable[..., dbutil.WorkerProcess]
) -> None:
    process = worker("--stop-grace", "1", env=LIMITS)
    reporting = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS, LONG)
    silent = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.SILENT, {"seconds": 3600})
    after = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS)

    wait_for_status(after, {JobStatus.SUCCEEDED, JobStatus.FAILED}, process)

    for job in (reporting, silent):
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED, process.output()
        assert job.message == "time limit of 3 seconds reached"
        assert job.result == {"on_stop": "time limit of 3 seconds reached"}
        assert job.time_limit == 3
    # The one that reports stopped by itself; the silent one was ended by the worker, which went on.
    assert f"Ended job {silent.pk}" in process.output()
    assert f"Ended job {reporting.pk}" not in process.output()
    assert after.status == JobStatus.SUCCEEDED


def test_sigterm_stops_the_running_job_instead_of_waiting_for_it(
    world: World, worker: Callable[..., dbutil.WorkerProcess]
) -> None:
    process = worker()
    job = do_start_job(world.users[Role.ANALYST], world.org_a, kinds.STEPS, LONG)
    wait_for_status(job, {JobStatus.RUNNING}, process)

    code = process.stop(timeout=90)

    assert code == 0, process.output()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED, process.output()
    assert job.message == "the worker was stopped; start the job again"
    assert job.result == {"on_stop": job.message}


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(finished.stdout)


def test_jobs_and_imports_left_running_by_a_dead_process_are_failed_at_worker_start(
    world: World, data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    path.write_text("{}", encoding="utf-8")
    record = do_register_import(world.users[Role.ANALYST], world.org_a, path)
    job = do_record_job_run_here(world.users[Role.ANALYST], world.org_a, THREAT_IMPORT, {"import_id": str(record.pk)})
    pid = dead_pid()
    Job.objects.filter(pk=job.pk).update(worker_pid=pid)
    Import.objects.filter(pk=record.pk).update(job=job, status=ImportStatus.RUNNING)
    alive = do_record_job_run_here(None, world.org_b, kinds.STEPS)  # this test process: still running

    run = run_worker_until_idle(data_dir, test_kinds=True)

    assert run.returncode == 0, run.stdout + run.stderr
    job.refresh_from_db()
    record.refresh_from_db()
    reason = (
        f"Stopped: the process that ran it ({socket.gethostname()}, process {pid}) ended without finishing it. "
        "Start it again if it is still needed."
    )
    assert (job.status, job.message) == (JobStatus.FAILED, reason)
    assert (record.status, record.message) == (ImportStatus.FAILED, reason)
    assert record.finished_at is not None
    assert AuditEntry.objects.filter(object_id=str(job.pk), changes__status=["running", "failed"]).exists()
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING
