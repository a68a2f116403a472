"""Web forms of the strategy plan: they collect and clean input; actions.py validates and writes.

Model validation is left to the action functions (``_post_clean`` does nothing), so a rule such as
"an objective sits under an axis" or "the end date comes before the start date" is written once
and its message lands on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import NOT_PROVIDED, QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation
from cyberplan.gaps.models import Gap

from ..choices import PARENT_KIND, ElementKind, Phase
from ..fields import KPI_FIELDS, TEXT_FIELDS
from ..models import KPI, Action, Element, PhaseTask, Principle, Strategy

_ROWS = {"rows": 3}
_DATE = {"type": "date"}
# The bilingual description as a short text area, on every form that has one.
_DESCRIPTION_WIDGETS = {"description_en": forms.Textarea(attrs=_ROWS), "description_es": forms.Textarea(attrs=_ROWS)}


def institutions() -> QuerySet[Organisation]:
    """Institutions that can lead, support, be consulted or be responsible: the directory of organisations."""
    return Organisation.objects.order_by("name")


class _ActionForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    """A model form whose model validation runs in the action function.

    A field whose model field has a default (order, TLP, currency, frequency...) may be left
    empty: it then takes that default.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if self._default(name) is not None:
                field.required = False

    def _default(self, name: str) -> Any:
        try:
            model_field = self._meta.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        default = getattr(model_field, "default", NOT_PROVIDED)
        if default is NOT_PROVIDED or callable(default) or isinstance(model_field, models.BooleanField):
            return None
        return default

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in list(data.items()):
            if value in (None, ""):
                default = self._default(name)
                if default is not None:
                    data[name] = default
        return data

    def _post_clean(self) -> None:
        return


class VersionedForm(_ActionForm):
    """Carries the record's ``version`` so that a save over someone else's edit is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]


# --------------------------------------------------------------------------- strategy


class StrategyForm(VersionedForm):
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    consultees = forms.ModelMultipleChoiceField(
        label=_("Consulted organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members read versions in consultation or later and comment during consultation."),
    )

    class Meta:
        model = Strategy
        fields = [
            "organisation",
            "title_en",
            "title_es",
            "country",
            "start_year",
            "end_year",
            "review_months",
            "adopted_on",
            "tlp",
            "progress_weighting",
            "vision_en",
            "vision_es",
            "foreword_en",
            "foreword_es",
            "governance_en",
            "governance_es",
            "illustrative",
        ]
        widgets = {
            name: forms.Textarea(attrs=_ROWS)
            for name in ("vision_en", "vision_es", "foreword_en", "foreword_es", "governance_en", "governance_es")
        } | {"adopted_on": forms.DateInput(attrs=_DATE)}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The owner of a strategy does not change.
            del self.fields["organisation"]
            limit_queryset(self, "consultees", institutions().exclude(pk=self.instance.organisation_id))
            self.fields["consultees"].initial = list(self.instance.consultees.values_list("pk", flat=True))
        else:
            owners = organisations if organisations is not None else Organisation.objects.none()
            limit_queryset(self, "organisation", owners)
            if owners.count() == 1:
                self.fields["organisation"].initial = owners.first()
            limit_queryset(self, "consultees", institutions())


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Current phase"), choices=Phase.choices)


# --------------------------------------------------------------------------- lifecycle tasks


class TaskForm(VersionedForm):
    class Meta:
        model = PhaseTask
        fields = [
            "phase",
            *TEXT_FIELDS,
            "responsible",
            "due_date",
            "evidence_url",
            "order",
        ]
        widgets = {
            "due_date": forms.DateInput(attrs=_DATE),
            **_DESCRIPTION_WIDGETS,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "responsible", institutions())


class TaskDoneForm(forms.Form):
    done = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


# --------------------------------------------------------------------------- structure


class PrincipleForm(VersionedForm):
    class Meta:
        model = Principle
        fields = [*TEXT_FIELDS, "order"]
        widgets = _DESCRIPTION_WIDGETS


class ElementForm(VersionedForm):
    """An axis, objective or action line; the parent is chosen among elements of the kind one level up."""

    class Meta:
        model = Element
        fields = ["parent", "code", *TEXT_FIELDS, "focus_area", "order"]
        widgets = _DESCRIPTION_WIDGETS

    def __init__(self, *args: Any, strategy: Strategy, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        wanted = PARENT_KIND[ElementKind(kind)]
        parent = self.fields["parent"]
        if wanted is None:
            del self.fields["parent"]
        else:
            choices = strategy.elements.filter(kind=wanted).order_by("order", "code")
            if self.instance.pk:
                choices = choices.exclude(pk=self.instance.pk)
            limit_queryset(self, "parent", choices)
            parent.required = False  # the action function says what is missing, in its own words
            parent.label = _("Under (%(kind)s)") % {"kind": ElementKind(wanted).label}
        if kind != ElementKind.AXIS:
            # Focus areas place suggested actions under the axis that covers them.
            del self.fields["focus_area"]


# --------------------------------------------------------------------------- actions


class ActionForm(VersionedForm):
    """An action with its lead and supporting institutions, dates, budget and, when new, the gaps it addresses."""

    supporting = forms.ModelMultipleChoiceField(
        label=_("Supporting institutions"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gaps = forms.ModelMultipleChoiceField(
        label=_("Gaps it addresses"),
        queryset=Gap.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    gap_note = forms.CharField(
        label=_("How the action addresses them"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Action
        fields = [
            "parent",
            "code",
            *TEXT_FIELDS,
            "lead",
            "supporting",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "funding_source",
            "funding_note",
            "weight",
            "order",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs=_DATE),
            "end_date": forms.DateInput(attrs=_DATE),
            **_DESCRIPTION_WIDGETS,
        }

    def __init__(self, *args: Any, strategy: Strategy, gaps: QuerySet[Gap] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "parent", strategy.elements.exclude(kind=ElementKind.AXIS).order_by("code"))
        self.fields["parent"].required = False  # actions.py names what is missing
        if not self.instance.pk:
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Leave empty for the next free code under the chosen parent.")
        limit_queryset(self, "lead", institutions())
        limit_queryset(self, "supporting", institutions())
        if self.instance.pk and self.instance.budget_lines.exists():
            for name in ("budget", "currency", "funding_source"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("The sum of the action's budget lines; edit them on its page.")
        if self.instance.pk:
            # Gaps of an existing action are linked and unlinked one by one on its page.
            del self.fields["gaps"]
            del self.fields["gap_note"]
        else:
            limit_queryset(self, "gaps", gaps if gaps is not None else Gap.objects.none())


class GapLinkForm(forms.Form):
    gap = forms.ModelChoiceField(label=_("Gap"), queryset=Gap.objects.none())
    note = forms.CharField(label=_("How the action addresses it"), max_length=500, required=False)

    def __init__(self, *args: Any, gaps: QuerySet[Gap], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "gap", gaps)


class KPIForm(VersionedForm):
    """A KPI; baseline and target are typed as text so that "80%" or "12 days" are checked against the unit."""

    baseline = forms.CharField(
        label=_("Baseline"), max_length=40, required=False, help_text=_("A number, optionally with its unit: 80%.")
    )
    target = forms.CharField(
        label=_("Target"), max_length=40, required=False, help_text=_("A number in the KPI's unit: 12 days, 95%.")
    )

    class Meta:
        model = KPI
        fields = list(KPI_FIELDS)
        widgets = {
            "baseline_date": forms.DateInput(attrs=_DATE),
            "target_date": forms.DateInput(attrs=_DATE),
            "definition_en": forms.Textarea(attrs=_ROWS),
            "definition_es": forms.Textarea(attrs=_ROWS),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("baseline", "target"):
            value = getattr(self.instance, name)
            if self.instance.pk and value is not None:
                self.initial[name] = _plain_number(value)


def _plain_number(value: Any) -> str:
    """A stored decimal without its trailing zeros: 80.0000 -> 80."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text
