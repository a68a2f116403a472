"""Building a statistics package draft as a background job: asked for on the package page, run by the worker.

Building reads the trend tables (refreshing them first) and, the first time on an instance, counts the
country's addresses in the registry data: seconds, so the page queues it rather than making the person wait.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

REGIONAL_BUILD = "regional_package"


def do_request_build(
    actor: User, organisation: Organisation, period: str, *, tlp: str, threshold: int, share_assessment: bool
) -> Job:
    """Queue a draft; the caller has checked that ``actor`` may build for ``organisation`` (checked again when
    the job runs)."""
    parameters = {"period": period, "tlp": tlp, "threshold": threshold, "share_assessment": share_assessment}
    return do_start_job(actor, organisation, REGIONAL_BUILD, parameters)


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (_("Period"), str(parameters.get("period") or "—")),
        (_("TLP"), str(parameters.get("tlp") or "—")),
        (_("Suppression threshold"), str(parameters.get("threshold") or "—")),
    ]


def run_build_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    if job.created_by is None or not has_permission(job.created_by, job.organisation_id, Permission.EDIT):
        raise PermissionError(_("The person who asked may no longer build packages for this organisation."))
    from .actions import do_build_draft  # the URL conf imports this module: the event store loads only here

    progress.step(1, 1, _("Building the statistics package"))
    try:
        package = do_build_draft(
            job.created_by,
            job.organisation,
            str(parameters.get("period", "")),
            tlp=str(parameters.get("tlp", "green")),
            threshold=int(parameters.get("threshold", 10)),
            share_assessment=bool(parameters.get("share_assessment")),
        )
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    return {"package": package.pk, "period": package.period, "version": package.version}
