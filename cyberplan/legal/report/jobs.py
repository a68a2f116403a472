"""The legal alignment report as a background job: asked for on the review page, rendered by the worker."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.core.models import User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.reports import jobs
from cyberplan.reports.jobs import format_and_language_errors, raise_errors

from ..access import access_review_by_id
from ..models import Review

LEGAL_REPORT = "legal_report"


def check_parameters(language: str, fmt: str) -> None:
    raise_errors(format_and_language_errors(language, fmt))


def do_request_legal_report(actor: User, review: Review, *, language: str, fmt: str) -> Job:
    """Queue the report of ``review``; the caller has checked that ``actor`` may read it.

    The worker checks the actor's access again when it runs.
    """
    check_parameters(language, fmt)
    return jobs.start_report_job(
        actor, review.organisation, LEGAL_REPORT, language=language, fmt=fmt, review=review.pk, tlp=review.tlp
    )


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The review by its title, then the report's language, format and marking."""
    raw = str(parameters.get("review") or "")
    title = Review.objects.filter(pk=int(raw)).values_list("title", flat=True).first() if raw.isdigit() else None
    return [(_("Alignment review"), title or "—"), *jobs.describe_report(parameters)]


def run_legal_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    parameters, language, fmt = jobs.job_parameters(job)
    jobs.check_parameters(lambda: check_parameters(language, fmt), progress, fmt)
    user = jobs.requester(job)
    review = jobs.record_for_job(
        job,
        lambda: access_review_by_id(user, str(parameters.get("review", ""))),
        gone=_("The person who asked for this report may no longer read this review."),
        elsewhere=_("This review belongs to another organisation than the job."),
    )
    from .service import produce  # the URL conf imports this module: renderers load only here

    produced = jobs.write_report(
        job, progress, language, lambda: produce(review, language=language, fmt=fmt, reader=user)
    )
    return {"review": review.pk, "language": language, "format": fmt, "bytes": len(produced.content)}
