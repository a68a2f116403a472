"""Web forms of the assessment app. They collect and clean input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.access import Permission, organisation_ids_where
from cyberplan.core.forms import keep_kind_fields, limit_queryset, mark_kind_fields, set_choices
from cyberplan.core.models import Organisation, User

from .choices import AnswerValue, EvidenceKind, StakeholderGroup
from .models import Assessment, Framework


class AssessmentForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    framework = forms.ModelChoiceField(label=_("Framework version"), queryset=Framework.objects.all())
    stakeholder_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Who took part in or was consulted for the assessment."),
    )

    class Meta:
        model = Assessment
        fields = ["organisation", "title", "country", "date", "method", "stakeholder_groups", "framework", "tlp"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        latest = Framework.objects.order_by("-loaded_at", "-id").first()
        if latest is not None:
            self.fields["framework"].initial = latest.pk

    def _post_clean(self) -> None:
        # Model validation runs in the action, which also creates the answers.
        return


class AssessmentDetailsForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    """The details of an existing assessment; its owner and framework version never change."""

    stakeholder_groups = forms.MultipleChoiceField(
        label=_("Stakeholder groups"),
        choices=StakeholderGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Assessment
        fields = ["title", "country", "date", "method", "stakeholder_groups", "tlp"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def _post_clean(self) -> None:
        return


class AnswerForm(forms.Form):
    """One indicator's answer. The widget starts on "— choose —": nothing is preselected, and a form saved
    without a choice records nothing (an error asks for the answer)."""

    value = forms.ChoiceField(label=_("Answer"), choices=[("", _("— choose —")), *AnswerValue.choices], required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, indicator_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator_id = indicator_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("value"):
            self.add_error(
                None,
                _("Choose an answer to %(id)s before saving; nothing was recorded.") % {"id": self.indicator_id},
            )
        return data


# The fields each kind of evidence uses; the label and the note go with every kind.
EVIDENCE_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "url": (EvidenceKind.URL, EvidenceKind.PLATFORM),
    "citation": (EvidenceKind.CITATION,),
    "document": (EvidenceKind.DOCUMENT,),
}


class EvidenceForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"))
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    label = forms.CharField(label=_("Label"), max_length=250)
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        help_text=_(
            "A web address (https://...) or, for platform data, a path such as /trends/ or an event query "
            "such as /threats/events/?country=PY."
        ),
    )
    citation = forms.CharField(
        label=_("Citation"),
        max_length=300,
        required=False,
        help_text=_("For a legal citation: the instrument and article, for example Law 5994/2017, art. 3."),
    )
    document = forms.FileField(label=_("Document"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "indicator", indicators)
        mark_kind_fields(self, EVIDENCE_KIND_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keep_kind_fields(self, data, EVIDENCE_KIND_FIELDS)
        return data


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Contributor"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = User.objects.filter(memberships__organisation_id=organisation_id, is_active=True).order_by("username")
        members = [u.pk for u in users if organisation_id in organisation_ids_where(u, Permission.CONTRIBUTE)]
        limit_queryset(self, "assignee", User.objects.filter(pk__in=members).order_by("username"))


class TargetForm(forms.Form):
    target_stage = forms.TypedChoiceField(
        label=_("Target stage"), coerce=int, empty_value=None, required=False, choices=[]
    )

    def __init__(self, *args: Any, stages: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "target_stage", [("", _("No target")), *stages])


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason for unlocking"), max_length=1000)


class ImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    file = forms.FileField(label=_("Assessment file (JSON)"))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class CompareForm(forms.Form):
    other = forms.ModelChoiceField(label=_("Compare with"), queryset=Assessment.objects.none())

    def __init__(self, *args: Any, assessments: QuerySet[Assessment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "other", assessments)
