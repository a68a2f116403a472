"""The trends report as a background job: requested from the web page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.access import roles_of
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import describe_report, format_and_language_errors, raise_errors
from cyberplan.reports.words import period_name
from cyberplan.threats.access import ALL_STORES, ReadableStore, access_readable_store, readable_stores

from .service import produce, produce_together

TRENDS_REPORT = "trends_report"


def check_parameters(period: str, language: str, fmt: str, tlp: str) -> None:
    """Raise ``ValidationError`` for parameters no report can be made with."""
    errors = format_and_language_errors(language, fmt)
    try:
        parse_period(period)
    except PeriodError:
        errors["period"] = _(
            "Write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
        )
    if tlp not in TLP.values:
        errors["tlp"] = _("Choose a TLP label.")
    raise_errors(errors)


def do_request_trends_report(
    actor: User, organisation: Organisation, *, period: str, language: str, fmt: str, tlp: str
) -> Job:
    """Queue the trends report of ``organisation``; the caller has checked that ``actor`` may read its events.

    The marking must be a label the actor may read: a report cannot be marked for an audience the
    requester does not belong to. The worker checks the actor's access again when it runs.
    """
    check_parameters(period, language, fmt, tlp)
    store = access_readable_store(actor, organisation.pk)
    if tlp not in store.labels:
        raise ValidationError({"tlp": _("You may not read events marked %(label)s.") % {"label": TLP(tlp).label}})
    # A granted store's report belongs to the recipient organisation, where the requester is a member and
    # sees the job; the store it reads is a parameter.
    owner_of_job = store.grants[0].recipient if store.granted else organisation
    extra = {"store": organisation.pk} if store.granted else {}
    return jobs.start_report_job(
        actor,
        owner_of_job,
        TRENDS_REPORT,
        language=language,
        fmt=fmt,
        period=parse_period(period).label,
        tlp=tlp,
        **extra,
    )


def home_of(stores: list[ReadableStore]) -> Organisation:
    """The organisation a report of several stores is made for: the reader's, where the job is kept.

    The recipient of the first granted store (the organisation the stores were granted to), or else the
    first store the reader reads as a member.
    """
    for store in stores:
        if store.granted:
            return store.grants[0].recipient
    return stores[0].owner


def do_request_trends_report_together(actor: User, *, period: str, language: str, fmt: str, tlp: str) -> Job:
    """Queue the trends report of every store ``actor`` reads, read together (each at its own labels).

    Offered to a reader of more than one store; the worker reads the stores again when it runs, so a
    grant revoked in between no longer counts.
    """
    check_parameters(period, language, fmt, tlp)
    stores = readable_stores(actor)
    if len(stores) < 2:
        raise ValidationError({"organisation": _("You read only one store: choose it.")})
    if not any(tlp in store.labels for store in stores):
        raise ValidationError({"tlp": _("You may not read events marked %(label)s.") % {"label": TLP(tlp).label}})
    return jobs.start_report_job(
        actor,
        home_of(stores),
        TRENDS_REPORT,
        language=language,
        fmt=fmt,
        period=parse_period(period).label,
        tlp=tlp,
        stores=ALL_STORES,
    )


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's period in words (a month reads "November 2026"), then its language, format and marking."""
    said = [(_("Period"), period_name(parse_period(str(parameters.get("period", "")))))]
    if parameters.get("stores") == ALL_STORES:
        said.append((_("Events of"), _("every store the requester reads, together")))
    return [*said, *describe_report(parameters)]


def run_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    period_text = str(parameters.get("period", ""))
    tlp = str(parameters.get("tlp", ""))
    jobs.check_parameters(lambda: check_parameters(period_text, language, fmt, tlp), progress, fmt)
    user = jobs.requester(job)
    if parameters.get("stores") == ALL_STORES:
        return _run_together(job, progress, user, period_text, language, fmt, tlp)
    store_id = parameters.get("store")
    try:
        store = access_readable_store(user, int(store_id) if store_id is not None else job.organisation_id)
    except (Http404, PermissionDenied, ValueError, TypeError):
        raise PermissionError(_("The person who asked for this report may no longer read these events.")) from None
    period = parse_period(period_text)
    produced = jobs.write_report(
        job,
        progress,
        language,
        lambda: produce(
            store.owner,
            period,
            language=language,
            fmt=fmt,
            audience=tlp,
            readable=store.labels,
            granted_as=store.describe() if store.granted else "",
        ),
    )
    return {
        "period": period.label,
        "language": language,
        "format": fmt,
        "tlp": tlp,
        "events": produced.details["events"],
        "charts": produced.details["charts"],
        "bytes": len(produced.content),
    }


def _run_together(
    job: Job, progress: Progress, user: User, period_text: str, language: str, fmt: str, tlp: str
) -> dict[str, Any]:
    """The report of every store the requester reads now (a grant revoked since the request no longer counts)."""
    stores = readable_stores(user)
    if not stores or job.organisation_id not in roles_of(user):
        raise PermissionError(_("The person who asked for this report may no longer read these events."))
    period = parse_period(period_text)
    produced = jobs.write_report(
        job,
        progress,
        language,
        lambda: produce_together(job.organisation, stores, period, language=language, fmt=fmt, audience=tlp),
    )
    return {
        "period": period.label,
        "language": language,
        "format": fmt,
        "tlp": tlp,
        "stores": produced.details["stores"],
        "events": produced.details["events"],
        "charts": produced.details["charts"],
        "bytes": len(produced.content),
    }
