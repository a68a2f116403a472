"""A report as a background job: the checks and the steps every report job shares.

A domain registers its job kind with :func:`cyberplan.jobs.registry.job_kind` and, in its
handler, checks the parameters again (:func:`check_parameters`), finds the person who asked
(:func:`requester`), checks *their* access with its own access functions (the worker runs long
after the request, and rights may have changed), then writes the file with :func:`write_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

from .service import FORMATS, Produced, languages


def start_report_job(
    actor: User, organisation: Organisation, kind: str, /, *, language: str, fmt: str, **parameters: Any
) -> Job:
    """Queue a report job of ``kind``; the caller has checked the request and the actor's access.

    ``parameters`` are what the worker needs besides the language and the format (a report may
    have a parameter named ``kind`` of its own: ``kind`` here is positional only).
    """
    return do_start_job(actor, organisation, kind, {**parameters, "language": language, "format": fmt})


def job_parameters(job: Job) -> tuple[dict[str, Any], str, str]:
    """A report job's parameters, with the language and the format it is asked in."""
    parameters = job.parameters or {}
    return parameters, str(parameters.get("language", "")), str(parameters.get("format", ""))


def format_and_language_errors(language: str, fmt: str) -> dict[str, str]:
    """The form errors (by field) of a language or a format no report is made in."""
    errors: dict[str, str] = {}
    if language not in languages():
        errors["language"] = _("Choose a language.")
    if fmt not in FORMATS:
        errors["format"] = _("Choose a format.")
    return errors


def raise_errors(errors: Mapping[str, str]) -> None:
    """``ValidationError`` by field when there is any error (the request page shows each by its field)."""
    if errors:
        raise ValidationError(dict(errors))


def check_parameters(check: Callable[[], None]) -> None:
    """Run a request's ``check`` again in the worker: a bad parameter fails the job with its message."""
    try:
        check()
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def requester(job: Job, refusal: str | None = None) -> User:
    """The person a report job is made for; a job with none is refused with ``refusal`` (a report is made for someone)."""
    if job.created_by is None:
        raise PermissionError(refusal or _("A report is made for the person who asked for it, and this job has none."))
    return job.created_by


def write_report(job: Job, progress: Progress, language: str, step: str, make: Callable[[], Produced]) -> Produced:
    """Make the report in ``language`` (``step`` says what is being done) and keep it as the job's file."""
    with translation.override(language):
        progress.update(0, 1, step)
        produced = make()
        job.output.save(produced.file_name, ContentFile(produced.content), save=True)
        progress.update(1, 1, _("Done"))
    return produced
