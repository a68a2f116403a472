"""Ending jobs that cannot end themselves, and finding jobs whose process is gone.

A running job records the machine and process that run it and, every few seconds, a heartbeat.
:func:`recover_stale_jobs` (run when a worker starts, by ``cyberplan ingest`` and by
``cyberplan jobs recover``) marks failed, with the reason, every running job whose process no
longer exists on this machine, or whose heartbeat stopped longer ago than
``CYBERPLAN_JOB_STALE_MINUTES`` (a job of another machine).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction

from .choices import FINISHED, JobStatus
from .models import Job
from .registry import get_kind

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0


def this_host() -> str:
    return socket.gethostname()[:255]


def process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def end_job(job: Job, status: str, reason: str) -> bool:
    """Give an unfinished job its final status and reason, then let its kind tidy up.

    Returns False (and changes nothing) if the job had already ended.
    """
    now = timezone.now()
    ended = (
        Job.objects.filter(pk=job.pk)
        .exclude(status__in=FINISHED)
        .update(status=status, message=reason[:500], finished_at=now, heartbeat_at=now)
    )
    job.refresh_from_db()
    if not ended:
        return False
    if status != JobStatus.SUCCEEDED:
        try:
            kind = get_kind(job.kind)
        except KeyError:
            return True
        if kind.on_stop is not None:
            try:
                kind.on_stop(job, reason)
            except Exception:
                logger.exception("tidying up after job %s (%s) failed", job.pk, job.kind)
    return True


def stale_reason(job: Job, now: datetime.datetime) -> str | None:
    """Why a running job is taken for abandoned, or None if it may still be running."""
    if job.worker_host == this_host() and not process_alive(job.worker_pid):
        return _("the process that ran it (%(host)s, process %(pid)s) ended without finishing it") % {
            "host": job.worker_host,
            "pid": job.worker_pid or "?",
        }
    last_sign = job.heartbeat_at or job.started_at or job.created_at
    stale_after = datetime.timedelta(minutes=settings.CYBERPLAN_JOB_STALE_MINUTES)
    if now - last_sign > stale_after:
        return _("no sign of life from the process that ran it (%(host)s, process %(pid)s) since %(when)s") % {
            "host": job.worker_host or "?",
            "pid": job.worker_pid or "?",
            "when": timezone.localtime(last_sign).strftime("%Y-%m-%d %H:%M:%S"),
        }
    return None


def recover_stale_jobs() -> list[Job]:
    """Mark failed every running job whose process is gone; return them."""
    now = timezone.now()
    recovered = []
    for job in Job.objects.filter(status=JobStatus.RUNNING).select_related("organisation"):
        reason = stale_reason(job, now)
        if reason is None:
            continue
        reason = _("Stopped: %(reason)s. Start it again if it is still needed.") % {"reason": reason}
        with transaction.atomic():
            before = audit.snapshot(job, ["status", "message"])
            if not end_job(job, JobStatus.FAILED, reason):
                continue
            audit.record(
                actor=None,
                action=AuditAction.UPDATE,
                instance=job,
                changes=audit.diff(before, audit.snapshot(job, ["status", "message"])),
                organisation=job.organisation,
            )
        logger.warning("job %s (%s) recovered: %s", job.pk, job.kind, reason)
        recovered.append(job)
    return recovered


@contextmanager
def heartbeat(job: Job, interval: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Keep the job's heartbeat fresh from a thread while the block runs (for a job run in-process)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())
                except OperationalError as error:  # e.g. SQLite busy past its timeout: the next beat tries again
                    logger.warning("job %s: heartbeat not recorded (%s); trying again", job.pk, error)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
