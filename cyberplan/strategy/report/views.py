"""The reports page of a strategy: ask for the strategy document or the M&E report, and download them.

The worker renders each document as a background job; the job page shows its progress and
offers the file, and this page lists the requester's documents of the strategy.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cyberplan.core.models import User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.marking import withheld
from cyberplan.reports.views import file_options, recent_reports, start_report

from .. import traceability
from .forms import StrategyReportForm
from .jobs import STRATEGY_REPORT, do_request_strategy_report, entitlement

RECENT = 20


@login_required
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # signed in: login_required
    allowed = entitlement(user, pk)
    strategy = allowed.strategy
    # A strategy document marked with the strategy's TLP leaves out the gaps marked above it: warn first.
    left_out = (
        withheld(traceability.strategy_gaps(strategy, gaps_visible_to(user)), strategy.tlp) if allowed.owner else None
    )
    form = StrategyReportForm(request.POST or None, versions=allowed.versions, owner=allowed.owner, withheld=left_out)
    if request.method == "POST" and form.is_valid():
        started = start_report(
            form,
            lambda data: do_request_strategy_report(
                user,
                strategy,
                kind=data["kind"],
                version=data.get("version"),
                period=data.get("period") or "",
                currency=data.get("currency") or "",
                **file_options(data),
            ),
        )
        if started:
            return started
    recent = recent_reports(user, STRATEGY_REPORT, strategy=strategy.pk)
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
