"""The reports page of a strategy: ask for the strategy document or the M&E report, and download them.

The worker renders each document as a background job; the job page shows its progress and
offers the file, and this page lists the requester's documents of the strategy.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cyberplan.core.models import User
from cyberplan.jobs.access import jobs_visible_to

from .report.forms import StrategyReportForm
from .report_jobs import STRATEGY_REPORT, do_request_strategy_report, entitlement

RECENT = 20


@login_required
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # signed in: login_required
    allowed = entitlement(user, pk)
    strategy = allowed.strategy
    form = StrategyReportForm(request.POST or None, versions=allowed.versions, owner=allowed.owner)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = do_request_strategy_report(
                user,
                strategy,
                kind=data["kind"],
                language=data["language"],
                fmt=data["format"],
                version=data.get("version"),
                period=data.get("period") or "",
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect(reverse("jobs:job_detail", args=[job.pk]))
    recent = jobs_visible_to(user).filter(kind=STRATEGY_REPORT, created_by=user, parameters__strategy=strategy.pk)
    return render(
        request,
        "strategy/report/list.html",
        {
            "strategy": strategy,
            "owner": allowed.owner,
            "published": allowed.published,
            "form": form,
            "recent": recent[:RECENT],
            "tab": "reports",
        },
        status=400 if form.errors else 200,
    )
