"""The regional report page: the "Make the report" form (programme, period, language, format) and recent files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.http import signed_in_user
from cyberplan.core.models import Organisation
from cyberplan.reports.forms import ReportFileForm
from cyberplan.reports.views import file_options, recent_reports, start_report

from ..access import programmes_where, received_visible_to
from .jobs import REGIONAL_REPORT, do_request_regional_report


class RegionalReportForm(ReportFileForm):
    programme = forms.ModelChoiceField(label=_("Regional programme"), queryset=Organisation.objects.none())
    period = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q2), as the packages cover.")
    )
    field_order = ["programme", "period", "language", "format"]

    def __init__(self, *args: Any, programmes: QuerySet[Organisation], period: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "programme", programmes)
        self.fields["programme"].initial = programmes.first()
        self.fields["period"].initial = period


@login_required
def report_request(request: HttpRequest) -> HttpResponse:
    """Show the form (GET) or start the report job for a programme the person belongs to (POST)."""
    user = signed_in_user(request)
    programmes = programmes_where(user)
    if not programmes.exists():
        raise PermissionDenied
    latest = received_visible_to(user).filter(superseded=False).order_by("-period").values_list("period", flat=True)
    form = RegionalReportForm(request.POST or None, programmes=programmes, period=latest.first() or "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = start_report(
            form,
            lambda d: do_request_regional_report(user, data["programme"], period=d["period"], **file_options(d)),
        )
        if started is not None:
            return started
    recent = recent_reports(user, REGIONAL_REPORT)[:10]
    return render(
        request, "regional/report_request.html", {"form": form, "recent": recent}, status=400 if form.errors else 200
    )
