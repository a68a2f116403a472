"""The overview page and the audit log export: they read gaps and jobs, so they live above core."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cyberplan.core import access
from cyberplan.core.access import Permission
from cyberplan.core.http import signed_in_user
from cyberplan.core.sections import SECTIONS
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.jobs.access import jobs_visible_to
from cyberplan.jobs.actions import do_start_job

from .exports import AUDIT_EXPORT


@login_required
def home(request: HttpRequest) -> HttpResponse:
    gaps = gaps_visible_to(signed_in_user(request))
    by_severity = dict(gaps.filter(status="open").values_list("severity").annotate(n=Count("id")))
    memberships = signed_in_user(request).memberships.select_related("organisation").order_by("organisation__name")
    return render(
        request,
        "workspace/home.html",
        {
            "memberships": memberships,
            "open_gaps": sum(by_severity.values()),
            "open_by_severity": by_severity,
            "recent_jobs": jobs_visible_to(signed_in_user(request))[:5],
            "sections": SECTIONS,
        },
    )


@login_required
@require_POST
def audit_export(request: HttpRequest) -> HttpResponse:
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    organisation = access.access_organisation_by_id(signed_in_user(request), organisation_id, Permission.VIEW_AUDIT)
    job = do_start_job(signed_in_user(request), organisation, AUDIT_EXPORT)
    return redirect(reverse("jobs:job_detail", args=[job.pk]))
