"""The one task the worker runs for every job kind."""

from __future__ import annotations

import logging
import os

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cyberplan.core.channel import channel

from .choices import JobStatus
from .models import Job
from .recovery import end_job, this_host
from .registry import Handler, JobStopped, Progress, get_kind

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.is_finished:
        return job.status  # cancelled while it waited
    kind = get_kind(job.kind)
    now = timezone.now()
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED, stop_requested=False).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        time_limit=kind.time_limit,
        worker_host=this_host(),
        worker_pid=os.getpid(),
    )
    job.refresh_from_db()
    if not claimed:
        # Cancelled between the worker picking it and now: it never starts.
        if not job.is_finished:
            end_job(job, job.stop_status or JobStatus.CANCELLED, job.stop_reason or _("cancelled"))
        return job.status
    with channel("worker"):
        return execute(job, kind.handler)


def execute(job: Job, handler: Handler) -> str:
    """Run a job that is marked running; record its outcome (and let its kind tidy up on failure)."""
    try:
        result = handler(job, Progress(job))
    except JobStopped as stop:
        logger.warning("job %s (%s) stopped: %s", job.pk, job.kind, stop.reason)
        end_job(job, stop.status, stop.reason)
        return job.status
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        end_job(job, JobStatus.FAILED, f"{type(exc).__name__}: {exc}")
        return job.status
    job.status = JobStatus.SUCCEEDED
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    return job.status
