"""The background job that runs an import uploaded in the web UI or through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress, job_kind

from .models import Import

THREAT_IMPORT = "threat_import"
STEPS = ["parsing", "normalising", "enriching", "storing", "stored"]


@job_kind(THREAT_IMPORT, _("Threat evidence import"))
def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    from .actions import do_run_import

    record = Import.objects.select_related("organisation", "mapping", "created_by").get(pk=job.parameters["import_id"])
    progress.update(0, len(STEPS), str(_("Starting")))

    def report(message: str) -> None:
        step = next((i for i, name in enumerate(STEPS) if message.startswith(name)), 0)
        progress.update(step + 1, len(STEPS), message)

    record = do_run_import(
        record, Path(job.parameters["path"]), force=bool(job.parameters.get("force")), progress=report
    )
    progress.update(len(STEPS), len(STEPS), record.message or str(record.get_status_display()))
    return {
        "import_id": str(record.pk),
        "status": record.status,
        "read": record.read,
        "stored": record.stored,
        "duplicates": record.duplicates,
        "quarantined": record.quarantined,
    }
