from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.core.http import HtmxHttpRequest, attachment, signed_in_user

from .access import access_job_by_id, can_cancel, jobs_visible_to
from .actions import do_cancel_job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(jobs_visible_to(signed_in_user(request)), 25).get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page})


@login_required
def job_detail(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    job = access_job_by_id(signed_in_user(request), pk)
    template = "jobs/_job_status.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job, "can_cancel": can_cancel(signed_in_user(request), job)})


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: str) -> HttpResponse:
    job = access_job_by_id(signed_in_user(request), pk)
    if job.is_finished:
        messages.info(request, _("This job has already ended."))
        return redirect("jobs:job_detail", pk=job.pk)
    if not can_cancel(signed_in_user(request), job):
        raise PermissionDenied(_("Only the person who started this job, or a coordinator, may cancel it."))
    job = do_cancel_job(signed_in_user(request), job)
    messages.success(
        request, _("The job was cancelled.") if job.is_finished else _("The job will stop at its next step.")
    )
    return redirect("jobs:job_detail", pk=job.pk)


@login_required
def job_download(request: HttpRequest, pk: str) -> HttpResponseBase:
    job = access_job_by_id(signed_in_user(request), pk)
    if not job.output:
        raise Http404
    return attachment(job.output)
