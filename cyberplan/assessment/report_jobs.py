"""The assessment report as a background job: asked for on the assessment page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cyberplan.core.models import User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress, job_kind

from .access import access_assessment_by_id
from .models import Assessment
from .report.render import FORMATS
from .report.service import languages, produce

ASSESSMENT_REPORT = "assessment_report"


def check_parameters(language: str, fmt: str) -> None:
    errors: dict[str, str] = {}
    if language not in languages():
        errors["language"] = _("Choose a language.")
    if fmt not in FORMATS:
        errors["format"] = _("Choose a format.")
    if errors:
        raise ValidationError(errors)


def do_request_assessment_report(actor: User, assessment: Assessment, *, language: str, fmt: str) -> Job:
    """Queue the report of ``assessment``; the caller has checked that ``actor`` may see it.

    The worker checks the actor's access again when it runs.
    """
    check_parameters(language, fmt)
    parameters = {"assessment": assessment.pk, "language": language, "format": fmt}
    return do_start_job(actor, assessment.organisation, ASSESSMENT_REPORT, parameters)


@job_kind(ASSESSMENT_REPORT, gettext_lazy("Capacity assessment report"))
def run_assessment_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters = job.parameters or {}
    language = str(parameters.get("language", ""))
    fmt = str(parameters.get("format", ""))
    try:
        check_parameters(language, fmt)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    if job.created_by is None:
        raise PermissionError(_("A report is made for the person who asked for it, and this job has none."))
    try:
        assessment = access_assessment_by_id(job.created_by, str(parameters.get("assessment", "")))
    except (Http404, PermissionDenied):
        raise PermissionError(_("The person who asked for this report may no longer see this assessment.")) from None
    if assessment.organisation_id != job.organisation_id:
        raise PermissionError(_("This assessment belongs to another organisation than the job."))
    with translation.override(language):
        progress.update(0, 1, _("Writing the report and drawing the chart"))
        produced = produce(assessment, language=language, fmt=fmt)
        job.output.save(produced.file_name, ContentFile(produced.content), save=True)
        progress.update(1, 1, _("Done"))
    return {"assessment": assessment.pk, "language": language, "format": fmt, "bytes": len(produced.content)}
