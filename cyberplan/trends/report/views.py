"""The page that asks for a trends report; the worker renders it and the job page offers the file."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cyberplan.core.models import User
from cyberplan.reports.views import file_options, recent_reports, start_report
from cyberplan.threats.access import ALL_STORES, access_event_store, readable_stores

from .forms import ReportRequestForm
from .jobs import TRENDS_REPORT, do_request_trends_report, do_request_trends_report_together

RECENT = 10


@login_required
def report_request(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # signed in: login_required
    # The stores the user reads: their organisations' own, and those granted to them; several also together.
    stores = readable_stores(user)
    form = ReportRequestForm(request.POST or None, stores=stores)
    if request.method == "POST":
        if not stores:
            raise PermissionDenied
        if form.is_valid():
            choice = form.cleaned_data["organisation"]
            if choice == ALL_STORES:
                started = start_report(
                    form,
                    lambda data: do_request_trends_report_together(
                        user, period=data["period"], tlp=data["tlp"], **file_options(data)
                    ),
                )
            else:
                organisation, _labels = access_event_store(user, int(choice))
                started = start_report(
                    form,
                    lambda data: do_request_trends_report(
                        user, organisation, period=data["period"], tlp=data["tlp"], **file_options(data)
                    ),
                )
            if started:
                return started
    recent = recent_reports(user, TRENDS_REPORT)[:RECENT]
    return render(
        request,
        "trends/report/request.html",
        {"form": form, "recent": recent, "can_request": bool(stores)},
        status=400 if form.errors else 200,
    )
