from __future__ import annotations

from typing import Any

from django.db import transaction

from cyberplan.core import audit
from cyberplan.core.models import Organisation, User

from .models import Job
from .registry import get_kind


def do_start_job(
    actor: User | None, organisation: Organisation, kind: str, parameters: dict[str, Any] | None = None
) -> Job:
    """Record a job and hand it to the worker once the record is committed."""
    from .tasks import run_job

    get_kind(kind)  # unknown kinds fail here, before anything is written
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            organisation=organisation,
            created_by=actor if actor and actor.pk else None,
            parameters=parameters or {},
        )
        audit.record_create(actor, job, organisation=organisation)
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job
