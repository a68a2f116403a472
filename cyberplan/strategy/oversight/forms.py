"""Forms of the evaluation page: evaluations, recommendations and their follow-up, risks, axis owners."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation

from ..choices import ElementKind
from ..models import AxisOwner, Element, Evaluation, ObjectiveRisk, Recommendation, Strategy

_DATE = {"type": "date"}
_ROWS = {"rows": 3}


class EvaluationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    class Meta:
        model = Evaluation
        fields = ["kind", "date", "evaluator", "evaluator_type", "scope", "findings"]
        widgets = {
            "date": forms.DateInput(attrs=_DATE),
            "scope": forms.Textarea(attrs=_ROWS),
            "findings": forms.Textarea(attrs=_ROWS),
        }


class RecommendationForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    class Meta:
        model = Recommendation
        fields = ["text", "priority"]
        widgets = {"text": forms.Textarea(attrs=_ROWS)}


class ResponseForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Recommendation
        fields = ["response", "response_note"]
        widgets = {"response_note": forms.Textarea(attrs={"rows": 2})}


class ToActionForm(forms.Form):
    objective = forms.ModelChoiceField(
        label=_("Under"),
        queryset=Element.objects.none(),
        help_text=_("The objective or action line the new action serves."),
    )

    def __init__(self, *args: Any, strategy: Strategy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(
            self, "objective", strategy.elements.exclude(kind=ElementKind.AXIS).order_by("order", "code", "id")
        )


class RiskForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    def __init__(self, *args: Any, strategy: Strategy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(
            self, "objective", strategy.elements.filter(kind=ElementKind.OBJECTIVE).order_by("order", "code", "id")
        )

    class Meta:
        model = ObjectiveRisk
        fields = ["objective", "kind", "text", "likelihood", "impact", "mitigation", "owner", "review_on"]
        widgets = {
            "text": forms.Textarea(attrs=_ROWS),
            "mitigation": forms.Textarea(attrs=_ROWS),
            "review_on": forms.DateInput(attrs=_DATE),
        }


class RiskStatusForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ObjectiveRisk
        fields = ["status"]


class AxisOwnerForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    axis = forms.ModelChoiceField(label=_("Axis"), queryset=Element.objects.none())

    def __init__(self, *args: Any, strategy: Strategy, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "axis", strategy.elements.filter(kind=ElementKind.AXIS).order_by("order", "code", "id"))
        limit_queryset(self, "organisation", organisations)

    class Meta:
        model = AxisOwner
        fields = ["organisation", "body", "contact_role"]
