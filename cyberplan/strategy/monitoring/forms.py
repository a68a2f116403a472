"""Forms of the monitoring pages: progress updates, KPI measurements, computing a KPI, the date of the view."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ActionStatus, FundingSource, KPIUnit
from ..units import unit_label

# How a value may be typed with its unit (see units.py).
UNIT_EXAMPLES: dict[str, str] = {KPIUnit.PERCENT: "80%", KPIUnit.DAYS: "12 days", KPIUnit.HOURS: "48 h"}


def _not_future(day: datetime.date | None) -> datetime.date | None:
    if day is not None and day > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return day


class AsOfForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Default: today.")
    )


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    percent_complete = forms.IntegerField(
        label=_("Percent complete"), min_value=0, max_value=100, widget=forms.NumberInput(attrs={"step": 1})
    )
    narrative = forms.CharField(
        label=_("What happened"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done since the last update, what is blocking, what comes next."),
    )
    evidence_url = forms.CharField(
        label=_("Evidence address"),
        required=False,
        max_length=500,
        help_text=_("A web address (https://...) or a platform page (starting with /)."),
    )
    evidence_document = forms.FileField(
        label=_("Evidence document"),
        required=False,
        help_text=_("A document that shows the progress (PDF, office document, image or text)."),
    )
    executed_amount = forms.DecimalField(
        label=_("Amount executed"),
        required=False,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any"}),
        help_text=_(
            "Optional, in the plan's currency: the total spent on the action so far in the year below. A later "
            "update for the same year and source replaces this figure."
        ),
    )
    executed_year = forms.IntegerField(
        label=_("Year executed"), required=False, help_text=_("Default: the year of the update's date.")
    )
    executed_source = forms.ChoiceField(
        label=_("Funding source executed"),
        required=False,
        choices=[("", _("Not stated")), *FundingSource.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate

    def clean_evidence_url(self) -> str:
        return str(self.cleaned_data.get("evidence_url") or "").strip()


class MeasurementForm(forms.Form):
    date = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(label=_("Value"), max_length=60)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the figure comes from."),
    )

    def __init__(self, *args: Any, unit: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        example = UNIT_EXAMPLES.get(unit)
        if example:
            self.fields["value"].help_text = _(
                "In %(unit)s; you may write the unit after the number, e.g. %(example)s."
            ) % {
                "unit": unit_label(unit),
                "example": example,
            }
        else:
            self.fields["value"].help_text = _("In %(unit)s.") % {"unit": unit_label(unit)}

    def clean_date(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("date"))


class ComputeForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of"].initial = timezone.localdate

    def clean_as_of(self) -> datetime.date | None:
        return _not_future(self.cleaned_data.get("as_of"))
