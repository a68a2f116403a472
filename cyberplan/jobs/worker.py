"""The task worker: django-tasks-db's worker, with fair order, time limits and prompt stops.

What it adds to the library's worker:

* **Recovery.** When it starts, jobs left running by a dead process are marked failed
  (:func:`cyberplan.jobs.recovery.recover_stale_jobs`); then it logs ``Worker ready``.
* **Fair order.** Of the jobs waiting, the next one is the oldest job of the organisation whose
  last job started longest ago (an organisation that never ran a job comes first). One
  organisation's backlog therefore takes every other turn at most while others wait. Tasks that
  are not jobs, and jobs that were cancelled while they waited, go first (they end at once).
* **A process per job.** The job runs in a child process; this process watches it, keeps its
  heartbeat, and asks it to stop (the job's ``stop_requested``; the job stops at its next progress
  report) when a user cancels it, when it passes its time limit, or when the worker is told to
  stop (SIGTERM, SIGINT). A job that has not stopped ``CYBERPLAN_JOB_STOP_GRACE_SECONDS`` later, or
  at a second signal, is killed and marked failed (or cancelled) with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.models import Max
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .choices import JobStatus
from .models import Job
from .recovery import HEARTBEAT_SECONDS, end_job, recover_stale_jobs
from .registry import all_kinds, time_limit_reached

logger = logging.getLogger("django_tasks_db")

WATCH_INTERVAL = 0.25  # seconds between two looks at a running job
RUN_JOB_PATH = "cyberplan.jobs.tasks.run_job"


class JobKilled(Exception):  # noqa: N818 -- recorded as the task's failure
    """The worker ended the job's process: it stopped reporting after being asked to stop."""


def fair_choice(tasks: Any) -> Any | None:
    """The id of the task to run next among ``tasks`` (ready ones), or None for the library's order."""
    ready = {str(task_id): task_id for task_id in tasks.values_list("id", flat=True)}
    if not ready:
        return None
    waiting = list(
        Job.objects.filter(task_id__in=list(ready), status=JobStatus.QUEUED, stop_requested=False)
        .order_by("created_at")
        .values_list("task_id", "organisation_id")
    )
    job_tasks = {task_id for task_id, _organisation in waiting}
    others = [task_id for task_id in ready if task_id not in job_tasks]
    if others:
        # Not a job (or a job that will not run): the library's order among them; they end at once.
        return tasks.filter(id__in=[ready[task_id] for task_id in others]).values_list("id", flat=True).first()
    organisations = {organisation for _task, organisation in waiting}
    last_started = dict(
        Job.objects.filter(organisation_id__in=organisations, started_at__isnull=False)
        .values("organisation_id")
        .annotate(last=Max("started_at"))
        .values_list("organisation_id", "last")
    )
    first_waiting: dict[int, int] = {}
    for position, (_task, organisation) in enumerate(waiting):
        first_waiting.setdefault(organisation, position)
    never = timezone.now().replace(year=1)
    chosen = min(organisations, key=lambda org: (last_started.get(org) or never, first_waiting[org]))
    return ready[waiting[first_waiting[chosen]][0]]


class JobWorker(Worker):
    def __init__(self, *, stop_grace: float | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.stop_grace = float(stop_grace if stop_grace is not None else settings.CYBERPLAN_JOB_STOP_GRACE_SECONDS)
        self.force_stop = False
        self.child_pid: int | None = None

    # -- signals ---------------------------------------------------------------------------------

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            logger.warning("Received %s again - ending the running job now.", signal.strsignal(signum))
            self.force_stop = True
            return
        logger.warning("Received %s - stopping the running job and shutting down.", signal.strsignal(signum))
        self.running = False
        if not self.running_task:
            sys.exit(0)

    # -- the loop ----------------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 -- workers started together do not poll together
        known = {kind.name for kind in all_kinds()}
        for name in sorted(set(settings.CYBERPLAN_JOB_TIME_LIMITS) - known):
            logger.warning(
                "CYBERPLAN_JOB_TIME_LIMITS names %r, which is not a job kind (%s).", name, ", ".join(sorted(known))
            )
        for job in recover_stale_jobs():
            logger.warning("Marked job %s (%s) failed: %s", job.pk, job.kind, job.message)
        logger.info("Worker ready worker_id=%s", self.worker_id)
        while self.running:
            close_old_connections()
            task_result, retrieved = self.claim_next()
            if task_result is not None:
                self.run_task(task_result)
            if self.batch and retrieved and task_result is None:
                logger.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info(
                    "Run maximum tasks (%d) on worker=%s - exiting gracefully.", self._run_tasks, self.worker_id
                )
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def ready_tasks(self) -> Any:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        return tasks

    def claim_next(self) -> tuple[DBTaskResult[..., Any] | None, bool]:
        tasks = self.ready_tasks()
        with exclusive_transaction(tasks.db):
            try:
                chosen = fair_choice(tasks)
                task_result = tasks.filter(id=chosen).get_locked() if chosen is not None else None
                if task_result is None:  # nothing to choose from, or another worker took the choice
                    task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as exc:
                if is_locked_database_exception(exc):
                    return None, False
                raise
        return task_result, True

    # -- one job, in a child process ---------------------------------------------------------------

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        self.running_task = True
        connections.close_all()  # the child opens its own connections
        pid = os.fork()
        if pid == 0:  # pragma: no cover -- the child process
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the worker, which decides
            code = 0
            try:
                super().run_task(db_task_result)
            except BaseException:
                code = 1
            finally:
                connections.close_all()
                os._exit(code)
        self.child_pid = pid
        try:
            self.watch(pid, db_task_result)
        finally:
            self.child_pid = None
            self.running_task = False
            self._run_tasks += 1

    def watch(self, pid: int, db_task_result: DBTaskResult[..., Any]) -> None:
        args = db_task_result.args_kwargs.get("args") or []
        job_id = args[0] if db_task_result.task_path == RUN_JOB_PATH and args else None
        asked_at: float | None = None
        beat_at = 0.0
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                self.after_exit(job_id, db_task_result, status)
                return
            if job_id is None:
                if self.force_stop:
                    self.kill(pid)
                time.sleep(WATCH_INTERVAL)
                continue
            now = time.monotonic()
            job = Job.objects.filter(pk=job_id).first()
            if job is not None and job.status == JobStatus.RUNNING:
                if now - beat_at >= HEARTBEAT_SECONDS:
                    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
                    beat_at = now
                if not job.stop_requested:
                    deadline = job.deadline
                    if not self.running:
                        self.ask_to_stop(job, _("the worker was stopped; start the job again"), JobStatus.FAILED)
                    elif deadline is not None and timezone.now() >= deadline:
                        self.ask_to_stop(job, time_limit_reached(job.time_limit or 0), JobStatus.FAILED)
                if job.stop_requested and asked_at is None:
                    asked_at = now
                if asked_at is not None and (self.force_stop or now - asked_at >= self.stop_grace):
                    self.kill(pid)
                    job.refresh_from_db()
                    end_job(job, job.stop_status or JobStatus.CANCELLED, job.stop_reason or _("cancelled"))
                    self.fail_task(db_task_result, job.message)
                    logger.warning("Ended job %s (%s): %s", job.pk, job.kind, job.message)
                    return
            time.sleep(WATCH_INTERVAL)

    def ask_to_stop(self, job: Job, reason: str, status: str) -> None:
        Job.objects.filter(pk=job.pk, stop_requested=False).update(
            stop_requested=True, stop_reason=reason[:300], stop_status=status
        )
        job.refresh_from_db()
        logger.warning("Asked job %s (%s) to stop: %s", job.pk, job.kind, job.stop_reason)

    def kill(self, pid: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    def after_exit(self, job_id: str | None, db_task_result: DBTaskResult[..., Any], status: int) -> None:
        """A job whose process ended without giving it a final status fails with the reason."""
        if job_id is None:
            return
        job = Job.objects.filter(pk=job_id).first()
        if job is None or job.is_finished:
            return
        code = os.waitstatus_to_exitcode(status)
        reason = _("the process running the job ended unexpectedly (exit code %(code)s)") % {"code": code}
        end_job(job, JobStatus.FAILED, reason)
        self.fail_task(db_task_result, reason)

    def fail_task(self, db_task_result: DBTaskResult[..., Any], reason: str) -> None:
        db_task_result.refresh_from_db()
        if db_task_result.status == "RUNNING":
            db_task_result.set_failed(JobKilled(reason))
