"""The assessment report as a background job: asked for on the assessment page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.core.models import User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import format_and_language_errors, raise_errors

from .access import access_assessment_by_id
from .models import Assessment
from .report.service import produce

ASSESSMENT_REPORT = "assessment_report"


def check_parameters(language: str, fmt: str) -> None:
    raise_errors(format_and_language_errors(language, fmt))


def do_request_assessment_report(actor: User, assessment: Assessment, *, language: str, fmt: str) -> Job:
    """Queue the report of ``assessment``; the caller has checked that ``actor`` may see it.

    The worker checks the actor's access again when it runs.
    """
    check_parameters(language, fmt)
    return jobs.start_report_job(
        actor, assessment.organisation, ASSESSMENT_REPORT, language=language, fmt=fmt, assessment=assessment.pk
    )


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The assessment by its title, then the report's language and format."""
    title = Assessment.objects.filter(pk=int(parameters.get("assessment") or 0)).values_list("title", flat=True).first()
    return [(_("Assessment"), title or "—"), *jobs.describe_report(parameters)]


def run_assessment_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    jobs.check_parameters(lambda: check_parameters(language, fmt), progress, fmt)
    user = jobs.requester(job)
    assessment = jobs.record_for_job(
        job,
        lambda: access_assessment_by_id(user, str(parameters.get("assessment", ""))),
        gone=_("The person who asked for this report may no longer see this assessment."),
        elsewhere=_("This assessment belongs to another organisation than the job."),
    )
    produced = jobs.write_report(
        job,
        progress,
        language,
        lambda: produce(assessment, language=language, fmt=fmt),
    )
    return {"assessment": assessment.pk, "language": language, "format": fmt, "bytes": len(produced.content)}
