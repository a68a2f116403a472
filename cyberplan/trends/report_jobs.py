"""The trends report as a background job: requested from the web page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress, job_kind
from cyberplan.threats.access import access_event_store

from .report.render import FORMATS
from .report.service import languages, produce

TRENDS_REPORT = "trends_report"


def check_parameters(period: str, language: str, fmt: str, tlp: str) -> None:
    """Raise ``ValidationError`` for parameters no report can be made with."""
    errors: dict[str, str] = {}
    try:
        parse_period(period)
    except PeriodError:
        errors["period"] = _(
            "Write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
        )
    if language not in languages():
        errors["language"] = _("Choose a language.")
    if fmt not in FORMATS:
        errors["format"] = _("Choose a format.")
    if tlp not in TLP.values:
        errors["tlp"] = _("Choose a TLP label.")
    if errors:
        raise ValidationError(errors)


def do_request_trends_report(
    actor: User, organisation: Organisation, *, period: str, language: str, fmt: str, tlp: str
) -> Job:
    """Queue the trends report of ``organisation``; the caller has checked that ``actor`` may read its events.

    The marking must be a label the actor may read: a report cannot be marked for an audience the
    requester does not belong to. The worker checks the actor's access again when it runs.
    """
    check_parameters(period, language, fmt, tlp)
    _organisation, readable = access_event_store(actor, organisation.pk)
    if tlp not in readable:
        raise ValidationError({"tlp": _("You may not read events marked %(label)s.") % {"label": TLP(tlp).label}})
    parameters = {"period": parse_period(period).label, "language": language, "format": fmt, "tlp": tlp}
    return do_start_job(actor, organisation, TRENDS_REPORT, parameters)


@job_kind(TRENDS_REPORT, gettext_lazy("Threat trends report"))
def run_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters or {}
    period_text = str(parameters.get("period", ""))
    language = str(parameters.get("language", ""))
    fmt = str(parameters.get("format", ""))
    tlp = str(parameters.get("tlp", ""))
    try:
        check_parameters(period_text, language, fmt, tlp)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    if job.created_by is None:
        raise PermissionError(_("A report is made for the person who asked for it, and this job has none."))
    try:
        organisation, readable = access_event_store(job.created_by, job.organisation_id)
    except (Http404, PermissionDenied):
        raise PermissionError(_("The person who asked for this report may no longer read these events.")) from None
    period = parse_period(period_text)
    with translation.override(language):
        progress.update(0, 1, _("Computing the figures and drawing the charts"))
        produced = produce(organisation, period, language=language, fmt=fmt, audience=tlp, readable=readable)
        job.output.save(produced.file_name, ContentFile(produced.content), save=True)
        progress.update(1, 1, _("Done"))
    return {
        "period": period.label,
        "language": language,
        "format": fmt,
        "tlp": tlp,
        "events": produced.details["events"],
        "charts": produced.details["charts"],
        "bytes": len(produced.content),
    }
