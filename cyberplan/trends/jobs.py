"""Background jobs of the trends app: refreshing the trend tables and warming the dashboard's cache
(the report job kind lives in :mod:`.report.jobs`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

from .figures import warm
from .store import refresh_trend_tables

TRENDS_REFRESH = "trends_refresh"


def run_refresh_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Refresh (or, with ``rebuild``, rebuild) the organisation's trend tables; with ``warm``, also
    compute the dashboard's default pages so that the first visit is answered from the cache."""
    parameters = job.parameters if isinstance(job.parameters, dict) else {}
    steps = 2 if parameters.get("warm") else 1
    progress.step(1, steps, gettext_noop("refreshing the trend tables"))
    summary = refresh_trend_tables(job.organisation, rebuild=bool(parameters.get("rebuild")))
    result: dict[str, Any] = {"imports": summary.imports, "parts": summary.parts, "compacted": summary.compacted}
    if parameters.get("warm"):
        progress.step(2, steps, gettext_noop("preparing the dashboard's charts"))
        result["warmed"] = warm(job.organisation)
    progress.update(steps, steps)
    return result
