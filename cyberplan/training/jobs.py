"""Erasing names past the retention period as a background job (the retention page's button), run by the worker."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

from . import actions

ERASE_NAMES = "training_erase_names"


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    raw = str(parameters.get("organisation") or "")
    name = Organisation.objects.filter(pk=int(raw)).values_list("name", flat=True).first() if raw.isdigit() else None
    return [(_("Organisation"), name or "—")]


def run_erase_names_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Erase the names of the job's organisation past its retention period (the job's organisation only)."""
    progress.step(1, 1, _("Erasing names past the retention period"))
    results = actions.do_erase_expired_names(job.created_by, [job.organisation])
    result = results[0]
    return {"organisation": job.organisation_id, "retention_days": result.retention_days, "erased": result.erased}
