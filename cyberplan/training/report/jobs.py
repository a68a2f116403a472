"""The capacity-building report as a background job: asked for on the report page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cyberplan.core.access import ROLE_TLP, Permission, has_permission, role_in
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import format_and_language_errors, raise_errors

TRAINING_REPORT = "training_report"


def readable_labels(user: User, organisation_id: int) -> frozenset[str]:
    """The TLP labels ``user`` reads in the organisation (none when not a member)."""
    role = role_in(user, organisation_id)
    return ROLE_TLP[role] if role is not None else frozenset()


def check_parameters(year: Any, language: str, fmt: str, tlp: str) -> None:
    errors = format_and_language_errors(language, fmt)
    if not (str(year).isdigit() and 1990 <= int(year) <= 2100):
        errors["year"] = _("Give a year between 1990 and 2100.")
    if tlp not in TLP.values:
        errors["tlp"] = _("Choose a TLP label.")
    raise_errors(errors)


def do_request_training_report(
    actor: User, organisation: Organisation, *, year: int, tlp: str, language: str, fmt: str
) -> Job:
    """Queue the report of ``organisation``'s training; the marking must be a label the actor reads there.

    The worker checks the actor's access again when it runs.
    """
    check_parameters(year, language, fmt, tlp)
    if not has_permission(actor, organisation.pk, Permission.VIEW):
        raise ValidationError({"organisation": _("You are not a member of this organisation.")})
    if tlp not in readable_labels(actor, organisation.pk):
        raise ValidationError({"tlp": _("You may not read records marked %(label)s.") % {"label": TLP(tlp).label}})
    return jobs.start_report_job(
        actor, organisation, TRAINING_REPORT, language=language, fmt=fmt, year=int(year), tlp=tlp
    )


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's year, then its language, format and marking."""
    return [(_("Year"), str(parameters.get("year") or "—")), *jobs.describe_report(parameters)]


def run_training_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    year = parameters.get("year", "")
    tlp = str(parameters.get("tlp", ""))
    jobs.check_parameters(lambda: check_parameters(year, language, fmt, tlp), progress, fmt)
    user = jobs.requester(job)
    if tlp not in readable_labels(user, job.organisation_id):
        raise PermissionError(_("The person who asked for this report may no longer read records at this marking."))
    from .service import produce  # the URL conf imports this module: renderers load only here

    produced = jobs.write_report(
        job,
        progress,
        language,
        lambda: produce(job.organisation, int(year), tlp=tlp, language=language, fmt=fmt, reader=user),
    )
    return {"year": int(year), "language": language, "format": fmt, "tlp": tlp, "bytes": len(produced.content)}
