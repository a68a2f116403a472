from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, organisation_ids_where
from cyberplan.core.models import User

from .models import Job


def jobs_visible_to(user: User) -> QuerySet[Job]:
    """Jobs of the organisations where the user may read the audit log, and the user's own jobs."""
    orgs_viewing = organisation_ids_where(user, Permission.VIEW)
    orgs_auditing = organisation_ids_where(user, Permission.VIEW_AUDIT)
    return Job.objects.filter(
        Q(organisation_id__in=orgs_auditing) | Q(organisation_id__in=orgs_viewing, created_by_id=user.pk)
    ).select_related("organisation", "created_by")


def access_job_by_id(user: User, job_id: uuid.UUID | str) -> Job:
    try:
        return jobs_visible_to(user).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError, ValidationError):
        # ValidationError: the identifier is not a UUID.
        raise Http404 from None


def can_cancel(user: User, job: Job) -> bool:
    """The user who started the job, or someone who may decide or administer in its organisation."""
    if job.is_finished or not user.is_authenticated:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    return has_permission(user, job.organisation_id, Permission.DECIDE) or has_permission(
        user, job.organisation_id, Permission.ADMINISTER
    )
