"""The forms of the evidence-and-gaps page: coverage into an assessment, and a gap below a target."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cyberplan.assessment.models import Assessment
from cyberplan.core.choices import TLP
from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.models import Organisation

from .choices import Audience


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)


class _CoverageChoice(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    year = _year_field()

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "topic", [("", _("Any topic")), *topics])
        self.fields["year"].initial = timezone.localdate().year


class CoverageEvidenceForm(_CoverageChoice):
    assessment = forms.ModelChoiceField(label=_("Capacity assessment"), queryset=Assessment.objects.none())
    indicators = forms.MultipleChoiceField(label=_("Indicators"), widget=forms.CheckboxSelectMultiple)
    field_order = ["assessment", "audience", "topic", "year", "indicators"]

    def __init__(
        self, *args: Any, assessments: QuerySet[Any], indicators: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "assessment", assessments)
        set_choices(self, "indicators", indicators)


class CoverageGapForm(_CoverageChoice):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    target = forms.DecimalField(label=_("Target share (%)"), min_value=0.1, max_value=100, decimal_places=1, initial=50)
    tlp = forms.ChoiceField(
        label=_("Marking"),
        choices=TLP.choices,
        initial=TLP.GREEN,
        help_text=_("The gap's TLP label; only programmes at this label or a less restricted one are counted."),
    )
    field_order = ["organisation", "audience", "topic", "year", "target", "tlp"]

    def __init__(self, *args: Any, organisations: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
