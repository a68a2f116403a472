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


def on_import_stored(
    sender: type[Import], record: Import, *, more_follow: bool = False, queued: bool = False, **kwargs: Any
) -> None:
    """Aggregate the new imports into the trend tables at once, then warm the dashboard in the worker.

    The refresh reads only the imports it has not aggregated yet and makes the report and the
    dashboard exact as soon as the imports are; computing the dashboard's default pages takes
    longer on a large store, so a background job does it. A failed refresh does not fail the
    import: the dashboard and the report refresh pending imports themselves.

    Several imports refresh once: a batch (several files on the command line) is announced once,
    when it ends. In the worker, an import with more imports of its store queued behind it leaves
    the refresh to one refresh job queued after them (``more_follow``), and so does the last of
    them when that job is still waiting (it will aggregate every import committed before it runs).
    A lone import refreshes at once, as always.
    """
    organisation = record.organisation
    if more_follow or (queued and refresh_waiting(organisation)):
        refresh_later(organisation)
        return
    try:
        refresh_trend_tables(organisation)
    except (duckdb.Error, OSError):
        logger.exception("refreshing the trend tables after import %s failed", record.pk)
    warm_later(organisation)


def refresh_waiting(organisation: Organisation) -> bool:
    """Whether a refresh job of ``organisation``'s trend tables waits in the queue (not yet started)."""
    return Job.objects.filter(organisation=organisation, kind=TRENDS_REFRESH, status=JobStatus.QUEUED).exists()


def refresh_later(organisation: Organisation) -> None:
    """Queue one job that refreshes ``organisation``'s trend tables (and warms the dashboard, when
    warming is on), unless one is waiting already: it will aggregate every import committed before
    it starts, however many they are."""
    if not refresh_waiting(organisation):
        do_start_job(None, organisation, TRENDS_REFRESH, {"warm": bool(settings.CYBERPLAN_TRENDS_WARM)})


def warm_later(organisation: Organisation) -> None:
    """Queue the job that computes the dashboard's default pages of ``organisation``'s store for every
    reader (and the combined views of the organisations it is granted to), unless one is waiting already."""
    if not settings.CYBERPLAN_TRENDS_WARM:
        return
    if not refresh_waiting(organisation):
        do_start_job(None, organisation, TRENDS_REFRESH, {"warm": True})
