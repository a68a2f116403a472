"""The overview page and the audit log export: they read gaps and jobs, so they live above core."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cyberplan.core import access
from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.core.http import signed_in_user
from cyberplan.jobs.access import jobs_visible_to
from cyberplan.jobs.actions import do_start_job

from . import overview
from .exports import AUDIT_EXPORT


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The overview: the reader's gaps, strategy, assessment and threat figures, one tile each."""
    user = signed_in_user(request)
    memberships = list(user.memberships.select_related("organisation").order_by("organisation__name"))
    if not memberships:
        return render(request, "workspace/home.html", {"memberships": []})
    return render(
        request,
        "workspace/home.html",
        {
            "memberships": memberships,
            "gaps": overview.gap_tile(user),
            "strategy": overview.strategy_tile(user),
            "assessment": overview.assessment_tile(user),
            "stores": overview.threat_tiles(user),
            "legal": overview.legal_tile(user),
            "training": overview.training_tile(user),
            "coming": overview.coming_sections(),
            "can_create_assessment": bool(organisation_ids_where(user, Permission.EDIT)),
            "can_create_strategy": bool(organisation_ids_where(user, Permission.DECIDE)),
            "recent_jobs": jobs_visible_to(user)[:5],
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
