"""A report as a background job: the checks and the steps every report job shares.

A domain registers its job kind with :func:`cyberplan.jobs.registry.job_kind` and, in its
handler, checks the parameters again (:func:`check_parameters`), finds the person who asked
(:func:`requester`), checks *their* access with its own access functions (the worker runs long
after the request, and rights may have changed), then writes the file with :func:`write_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress

from .service import FORMATS, GATHERING, TO_PDF, WRITING, Produced, languages, reporting_steps

T = TypeVar("T")

#: The steps of a report job, in order, as translatable keys (the English text); a report in
#: another format than PDF has no conversion step.
CHECKING = gettext_noop("checking the request and the requester's access")
SAVING = gettext_noop("saving the file")


def steps(fmt: str) -> list[str]:
    """The steps a report job in format ``fmt`` goes through."""
    return [CHECKING, GATHERING, WRITING, *([TO_PDF] if fmt == "pdf" else []), SAVING]


def describe_report(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """What every report job was asked for, in words: the language, the format and the TLP marking."""
    names = {code: str(name) for code, name in settings.LANGUAGES}
    language = str(parameters.get("language", ""))
    fmt = str(parameters.get("format", ""))
    described = [
        (str(_("Language")), names.get(language, language)),
        (str(_("Format")), fmt.upper()),
    ]
    tlp = parameters.get("tlp")
    if tlp:
        described.append((str(_("Marking")), str(TLP(tlp).label) if tlp in TLP.values else str(tlp)))
    return described


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


def check_parameters(check: Callable[[], None], progress: Progress | None = None, fmt: str = "") -> None:
    """Run a request's ``check`` again in the worker: a bad parameter fails the job with its message.

    With ``progress``, the job records this as its first step (of the steps of a report in ``fmt``).
    """
    if progress is not None:
        progress.step(1, len(steps(fmt)), CHECKING)
    try:
        check()
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None


def requester(job: Job, refusal: str | None = None) -> User:
    """The person a report job is made for; a job with none is refused with ``refusal`` (a report is made for someone)."""
    if job.created_by is None:
        raise PermissionError(refusal or _("A report is made for the person who asked for it, and this job has none."))
    return job.created_by


def write_report(job: Job, progress: Progress, language: str, make: Callable[[], Produced]) -> Produced:
    """Make the report in ``language`` and keep it as the job's file, recording each step as it starts."""
    fmt = str((job.parameters or {}).get("format", ""))
    order = steps(fmt)

    def on_step(key: str) -> None:
        progress.step(order.index(key) + 1 if key in order else len(order), len(order), key)

    with translation.override(language), reporting_steps(on_step):
        produced = make()
        on_step(SAVING)
        job.output.save(produced.file_name, ContentFile(produced.content), save=True)
    return produced


def record_for_job(job: Job, load: Callable[[], T], *, gone: str, elsewhere: str) -> T:
    """The record a report job is made of, read again as its requester (``load`` applies the access rule).

    A record the requester may no longer read fails the job with ``gone``; one of another organisation
    than the job's, with ``elsewhere``: the job's page and file belong to the job's organisation.
    """
    try:
        record = load()
    except (Http404, PermissionDenied):
        raise PermissionError(gone) from None
    if getattr(record, "organisation_id", None) != job.organisation_id:
        raise PermissionError(elsewhere)
    return record
