"""The form that asks for a trends report."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cyberplan.analytics.periods import PeriodError, parse_period
from cyberplan.core.choices import TLP
from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.models import Organisation
from cyberplan.reports.forms import ReportFileForm, last_quarter


class ReportRequestForm(ReportFileForm):
    field_order = ["organisation", "period", "language", "format", "tlp"]

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=40,
        help_text=_(
            "A year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
        ),
    )
    tlp = forms.ChoiceField(
        label=_("TLP marking"),
        choices=TLP.choices,
        initial=TLP.AMBER,
        help_text=_(
            "Who may read the report. Only events at this label or a less restricted one are counted: a TLP:CLEAR "
            "report can be published."
        ),
    )

    def __init__(self, *args: Any, organisations: Any, labels: Collection[str] | None = None, **kwargs: Any) -> None:
        """``labels``: the TLP labels the requester reads somewhere, the markings offered (all when None)."""
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if labels is not None:
            set_choices(self, "tlp", [(code, name) for code, name in TLP.choices if code in labels])
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.fields["period"].initial = last_quarter(timezone.localdate())

    def clean_period(self) -> str:
        text: str = self.cleaned_data["period"]
        try:
            return parse_period(text).label
        except PeriodError:
            raise forms.ValidationError(
                _(
                    "Write a year (2026), a quarter (2026-Q3), a month (2026-11) or a range of days (2026-01-01..2026-03-31)."
                )
            ) from None
