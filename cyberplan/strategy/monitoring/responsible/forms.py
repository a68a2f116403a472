"""The progress form of a lead or supporting institution: the usual progress fields, and on whose behalf."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation

from ..forms import ProgressForm


class InstitutionProgressForm(ProgressForm):
    organisation = forms.ModelChoiceField(
        label=_("Reported for"),
        queryset=Organisation.objects.none(),
        help_text=_("The lead or supporting institution this update speaks for."),
    )

    field_order = ["organisation", "date", "status", "percent_complete", "narrative", "evidence_url"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
