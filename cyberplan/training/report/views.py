"""The report page: the "Make the report" form (organisation, year, marking, language, format) and recent files."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.choices import TLP
from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation, User
from cyberplan.reports.forms import ReportFileForm
from cyberplan.reports.views import file_options, recent_reports, start_report

from .jobs import TRAINING_REPORT, do_request_training_report


class TrainingReportForm(ReportFileForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    tlp = forms.ChoiceField(
        label=_("Marking"),
        choices=TLP.choices,
        initial=TLP.GREEN,
        help_text=_("Only programmes at this label or a less restricted one are counted."),
    )
    field_order = ["organisation", "year", "tlp", "language", "format"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        self.fields["organisation"].initial = organisations.first()
        self.fields["year"].initial = timezone.localdate().year


@login_required
def report_request(request: HttpRequest) -> HttpResponse:
    """Show the form (GET) or start the report job for an organisation the person belongs to (POST)."""
    user = cast(User, request.user)
    organisations = organisations_where(user, Permission.VIEW)
    form = TrainingReportForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        started = start_report(
            form,
            lambda d: do_request_training_report(
                user, data["organisation"], year=d["year"], tlp=d["tlp"], **file_options(d)
            ),
        )
        if started is not None:
            return started
    recent = recent_reports(user, TRAINING_REPORT)[:10]
    return render(
        request, "training/report/request.html", {"form": form, "recent": recent}, status=400 if form.errors else 200
    )
