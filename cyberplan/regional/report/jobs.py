"""The regional report as a background job: asked for on the regional pages, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import format_and_language_errors, raise_errors

from ..access import programmes_where
from .periods import report_period

REGIONAL_REPORT = "regional_report"


def check_parameters(period: Any, language: str, fmt: str) -> None:
    errors = format_and_language_errors(language, fmt)
    try:
        report_period(str(period))
    except ValueError:
        errors["period"] = _("Give a year (2026) or a quarter (2026-Q2).")
    raise_errors(errors)


def may_read(user: User, programme: Organisation) -> bool:
    return programmes_where(user).filter(pk=programme.pk).exists()


def do_request_regional_report(actor: User, programme: Organisation, *, period: str, language: str, fmt: str) -> Job:
    """Queue the report of ``programme`` for ``period``: for members of the programme only (checked again when
    the job runs). The job's creation is audited."""
    check_parameters(period, language, fmt)
    if not may_read(actor, programme):
        raise ValidationError({"programme": _("You are not a member of this regional programme.")})
    label = report_period(period).label
    return jobs.start_report_job(actor, programme, REGIONAL_REPORT, language=language, fmt=fmt, period=label)


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's period, then its language and format."""
    return [(_("Period"), str(parameters.get("period") or "—")), *jobs.describe_report(parameters)]


def run_regional_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    period = str(parameters.get("period", ""))
    jobs.check_parameters(lambda: check_parameters(period, language, fmt), progress, fmt)
    user = jobs.requester(job)
    if not may_read(user, job.organisation):
        raise PermissionError(_("The person who asked for this report is no longer a member of the programme."))
    from .service import produce  # the URL conf imports this module: renderers load only here

    produced = jobs.write_report(
        job, progress, language, lambda: produce(job.organisation, period, language=language, fmt=fmt, reader=user)
    )
    return {
        "period": period,
        "language": language,
        "format": fmt,
        "tlp": produced.details["tlp"],
        "members": produced.details["members"],
        "bytes": len(produced.content),
    }
