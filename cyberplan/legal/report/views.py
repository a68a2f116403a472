"""The report page of a review: the "Make the report" form and the requester's recent files of that review."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cyberplan.core.models import User
from cyberplan.reports.forms import ReportFileForm
from cyberplan.reports.views import file_options, recent_reports, start_report

from ..access import access_review_by_id
from .jobs import LEGAL_REPORT, do_request_legal_report


class LegalReportForm(ReportFileForm):
    field_order = ["language", "format"]


@login_required
def review_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the form (GET) or start the report job of a review the person reads (POST)."""
    user = cast(User, request.user)
    review = access_review_by_id(user, pk)
    form = LegalReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = start_report(form, lambda data: do_request_legal_report(user, review, **file_options(data)))
        if started is not None:
            return started
    recent = recent_reports(user, LEGAL_REPORT, review=review.pk)[:10]
    return render(request, "legal/report/request.html", {"review": review, "form": form, "recent": recent})
