"""Web forms of the capacity-building app. They collect and clean input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.models import Organisation
from cyberplan.core.uploads import validate_evidence_file

from .catalogue import shipped_topics
from .choices import Audience
from .models import Course, Denominator, Participant, Programme, Provider, Session

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _OwnedForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    """A form of a record owned by an organisation: the owner is chosen among ``organisations`` when new."""

    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
            return
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class ProviderForm(_OwnedForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=500)

    class Meta:
        model = Provider
        fields = ["name", "kind", "website"]


class ProgrammeForm(_OwnedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Programme
        fields = ["provider", "title", "description", "start_date", "end_date", "tlp"]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "provider", providers)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class CourseForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    topics = forms.MultipleChoiceField(
        label=_("Topics"), widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )

    class Meta:
        model = Course
        fields = ["title", "topics", "level", "hours", "language", "delivery", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "topics", shipped_topics().choices(get_language() or "en"))


class SessionForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    class Meta:
        model = Session
        fields = ["start_date", "end_date", "place", "trainers"]
        widgets = {"start_date": DATE, "end_date": DATE, "trainers": forms.Textarea(attrs={"rows": 2})}


class ParticipantForm(_OwnedForm):
    """The pseudonymous record; the name and contact fields only for the training coordinator."""

    class Meta:
        model = Participant
        fields = ["key", "institution", "audience", "position", "name", "email", "phone"]

    def __init__(self, *args: Any, with_names: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_names:
            for name in ("name", "email", "phone"):
                del self.fields[name]

    def validate_unique(self) -> None:
        """Uniqueness of the key is checked by the action, which knows the owner."""


class AttendanceForm(forms.Form):
    participant = forms.CharField(
        label=_("Participant key"),
        max_length=80,
        help_text=_("The pseudonymous key of a participant of your organisation."),
    )
    attended = forms.BooleanField(label=_("Attended"), required=False, initial=True)
    completed = forms.BooleanField(label=_("Completed"), required=False)
    score = forms.DecimalField(
        label=_("Assessment score"), required=False, min_value=0, max_value=100, decimal_places=2
    )


class DenominatorForm(_OwnedForm):
    class Meta:
        model = Denominator
        fields = ["audience", "year", "institution", "size", "source_note"]

    def validate_unique(self) -> None:
        """A second size for the same audience, institution and year replaces the first (the action's upsert)."""


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Participant list (CSV or XLSX)"),
        help_text=_(
            "One row per participant per session. Columns: key, name, email, phone, institution, audience, role, "
            "course, session_date, session_end, place, attended, completed, score."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        validate_evidence_file(upload)
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise ValidationError(_("Give a .csv or .xlsx file."))
        return upload


class NamedExportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    purpose = forms.CharField(
        label=_("Why are names needed?"),
        max_length=300,
        help_text=_("Recorded in the audit log with your name, the date and the number of participants exported."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class RetentionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days names are kept after a participant's last session"), min_value=1, max_value=36500
    )


class CoverageFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=())
    audience = forms.ChoiceField(label=_("Audience"), required=False, choices=())

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        set_choices(self, "topic", [("", _("Any topic")), *shipped_topics().choices(get_language() or "en")])
        set_choices(self, "audience", [("", _("Every audience")), *Audience.choices])
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
