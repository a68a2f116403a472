"""What every page that asks for a report shares: starting the job from a form, and the requester's recent reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from cyberplan.core.models import User
from cyberplan.jobs.access import jobs_visible_to
from cyberplan.jobs.models import Job


def add_form_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a refusal of the request on the form: by field where the form has it, else above the form."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def file_options(data: dict[str, Any]) -> dict[str, str]:
    """The language and the format a request form asked for, as the request functions take them."""
    return {"language": data["language"], "fmt": data["format"]}


def start_report(form: forms.Form, start: Callable[[dict[str, Any]], Job]) -> HttpResponse | None:
    """Start the report job from a valid form: the redirect to the job page, or None with the refusal on the form."""
    try:
        job = start(form.cleaned_data)
    except ValidationError as error:
        add_form_errors(form, error)
        return None
    return redirect(reverse("jobs:job_detail", args=[job.pk]))


def recent_reports(user: User, kind: str, **parameters: Any) -> QuerySet[Job]:
    """The reports of ``kind`` that ``user`` asked for (newest first), optionally with these job parameters."""
    jobs = jobs_visible_to(user).filter(kind=kind, created_by=user)
    if parameters:
        jobs = jobs.filter(**{f"parameters__{name}": value for name, value in parameters.items()})
    return jobs
