from __future__ import annotations

import os
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User

from .choices import JobStatus
from .models import Job
from .recovery import end_job, this_host
from .registry import get_kind
from .tasks import run_job

AUDITED = ["status", "stop_requested", "stop_reason", "message"]


def _record_job(
    actor: User | None, organisation: Organisation, kind: str, parameters: dict[str, Any] | None, **state: Any
) -> Job:
    """Write the job and its audit entry in one transaction; unknown kinds fail before anything is written."""
    get_kind(kind)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            organisation=organisation,
            created_by=actor if actor and actor.pk else None,
            parameters=parameters or {},
            **state,
        )
        audit.record_create(actor, job, organisation=organisation)
    return job


def do_start_job(
    actor: User | None, organisation: Organisation, kind: str, parameters: dict[str, Any] | None = None
) -> Job:
    """Record a job and hand it to the worker once the record is committed."""
    job = _record_job(actor, organisation, kind, parameters)
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


def do_record_job_run_here(
    actor: User | None, organisation: Organisation, kind: str, parameters: dict[str, Any] | None = None
) -> Job:
    """Record a job that this process runs itself (``cyberplan ingest``), not the worker.

    It shows in the job list with its progress, may be cancelled, and is marked failed by the
    recovery if this process dies. It has no time limit: the operator who started it is watching.
    """
    now = timezone.now()
    return _record_job(
        actor,
        organisation,
        kind,
        parameters,
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker_host=this_host(),
        worker_pid=os.getpid(),
    )


def do_cancel_job(actor: User | None, job: Job) -> Job:
    """Cancel a job: a waiting one never runs; a running one stops at its next progress report
    (the worker ends it if it does not stop soon). Audited; a finished job is left as it is."""
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("organisation").get(pk=job.pk)
        if job.is_finished or job.stop_requested:
            return job
        before = audit.snapshot(job, AUDITED)
        who = actor.get_username() if actor is not None and actor.pk else _("an operator")
        reason = _("Cancelled by %(user)s.") % {"user": who}
        job.stop_requested = True
        job.stop_reason = reason[:300]
        job.stop_status = JobStatus.CANCELLED
        job.save(update_fields=["stop_requested", "stop_reason", "stop_status"])
        if job.status == JobStatus.QUEUED:
            end_job(job, JobStatus.CANCELLED, reason)
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=job,
            changes=audit.diff(before, audit.snapshot(job, AUDITED)),
            organisation=job.organisation,
        )
    return job
