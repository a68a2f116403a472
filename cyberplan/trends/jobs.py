"""Background jobs of the trends app: refreshing the trend tables (and, later, rendering reports)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cyberplan.core.models import Organisation
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress, job_kind

from . import report_jobs  # noqa: F401  (the trends report job kind)

TRENDS_REFRESH = "trends_refresh"


@job_kind(TRENDS_REFRESH, _("Trend tables refresh"))
def run_refresh_job(job: Job, progress: Progress) -> dict[str, Any]:
    from .store import refresh_trend_tables

    organisation = Organisation.objects.get(pk=job.parameters["organisation_id"])
    progress.update(0, 1, str(_("Refreshing the trend tables")))
    summary = refresh_trend_tables(organisation, rebuild=bool(job.parameters.get("rebuild")))
    progress.update(1, 1, str(_("Done")))
    return {"imports": summary.imports, "parts": summary.parts, "compacted": summary.compacted}
