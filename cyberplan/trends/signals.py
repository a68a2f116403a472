"""Keep the trend tables and the dashboard's cache up to date with the event store."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import duckdb
from django.conf import settings

from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job

from .jobs import TRENDS_REFRESH
from .store import refresh_trend_tables

if TYPE_CHECKING:
    # Only the signal's arguments are typed with it: trends reads no import records itself.
    from cyberplan.core.models import Organisation
    from cyberplan.threats.models import Import

logger = logging.getLogger(__name__)


def on_import_stored(sender: type[Import], record: Import, **kwargs: Any) -> None:
    """Aggregate the new import into the trend tables at once, then warm the dashboard in the worker.

    The refresh is quick (it reads only the new import) and makes the report and the dashboard
    exact as soon as the import is; computing the dashboard's default pages takes longer on a
    large store, so a background job does it. A failed refresh does not fail the import: the
    dashboard and the report refresh pending imports themselves.
    """
    try:
        refresh_trend_tables(record.organisation)
    except (duckdb.Error, OSError):
        logger.exception("refreshing the trend tables after import %s failed", record.pk)
    warm_later(record.organisation)


def warm_later(organisation: Organisation) -> None:
    """Queue the job that computes the dashboard's default pages of ``organisation``'s store for every
    reader (and the combined views of the organisations it is granted to), unless one is waiting already."""
    if not settings.CYBERPLAN_TRENDS_WARM:
        return
    waiting = Job.objects.filter(organisation=organisation, kind=TRENDS_REFRESH, status=JobStatus.QUEUED)
    if not waiting.exists():
        do_start_job(None, organisation, TRENDS_REFRESH, {"warm": True})
