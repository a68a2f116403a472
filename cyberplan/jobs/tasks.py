"""The one task the worker runs for every job kind."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from cyberplan.core.channel import channel

from .choices import JobStatus
from .models import Job
from .registry import Progress, get_kind

logger = logging.getLogger(__name__)


@task()
def run_job(job_id: str) -> str:
    job = Job.objects.select_related("organisation", "created_by").get(pk=job_id)
    if job.is_finished:
        return job.status
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        with channel("worker"):
            result = get_kind(job.kind).handler(job, Progress(job))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.message = f"{type(exc).__name__}: {exc}"[:500]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job.status
    job.status = JobStatus.SUCCEEDED
    job.result = result
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    return job.status
