"""Web forms of the legal alignment app. They collect and clean input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cyberplan.core.choices import TLP
from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.models import Organisation

from .choices import Coverage, InstrumentKind, LegalStatus
from .models import InstrumentArticle, Review


class _OwnerForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    country = forms.ChoiceField(label=_("Country"), choices=lambda: [(c.code, c.name) for c in countries])

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        first = organisations.first()
        if organisations.count() == 1 and first is not None:
            self.fields["organisation"].initial = first
            self.fields["country"].initial = first.country


class CsvImportForm(_OwnerForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: kind, number, title, date, official_url, status, status_date, amended_by, article, heading, "
            "text, article_status; one row per article."
        ),
    )


class TextImportForm(_OwnerForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InstrumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=400)
    date = forms.CharField(label=_("Date enacted"), widget=forms.DateInput(attrs={"type": "date"}))
    official_url = forms.CharField(label=_("Official link"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=LegalStatus.choices, initial=LegalStatus.IN_FORCE)
    status_date = forms.CharField(
        label=_("Status since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amended_by = forms.CharField(
        label=_("Amended or repealed by"), required=False, help_text=_("Kind and number, for example: law 6207.")
    )
    text = forms.CharField(
        label=_("Text of the instrument"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Paste the text; it is split at each article heading (Artículo 1.-, Art. 4°, ARTÍCULO 5.-)."),
    )
    file = forms.FileField(label=_("Or upload the text (UTF-8)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError(_("Paste the text of the instrument or upload it."))
        return data


class ReviewForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    copy_from = forms.ModelChoiceField(
        label=_("Start from an earlier review"),
        queryset=Review.objects.none(),
        required=False,
        help_text=_("Its findings are copied into the new review, to be checked again."),
    )

    class Meta:
        model = Review
        fields = ["organisation", "title", "country", "date", "tlp"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation], reviews: QuerySet[Review], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        limit_queryset(self, "copy_from", reviews)
        self.fields["tlp"].initial = TLP.AMBER

    def _post_clean(self) -> None:
        # Model validation runs in the action, which also creates the findings.
        return


class ReviewDetailsForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    class Meta:
        model = Review
        fields = ["title", "date", "tlp", "contact_247", "contact_247_since", "notes"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "contact_247_since": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self) -> None:
        return


class FindingForm(forms.Form):
    coverage = forms.ChoiceField(
        label=_("Coverage"), choices=[("", _("Not assessed")), *Coverage.choices], required=False
    )
    national_articles = forms.ModelMultipleChoiceField(
        label=_("National provisions"),
        queryset=InstrumentArticle.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    reasoning = forms.CharField(label=_("Reasoning"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    reservation = forms.CharField(
        label=_("Reservation or declaration made"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, articles: QuerySet[InstrumentArticle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "national_articles", articles)


class StateForm(forms.Form):
    state = forms.CharField()


class CoverageEvidenceForm(forms.Form):
    """Attach a chapter's coverage of an approved review to legal-framework indicators of an assessment."""

    assessment = forms.ModelChoiceField(label=_("Capacity assessment"), queryset=Review.objects.none())
    part = forms.ChoiceField(label=_("Coverage of"))
    indicators = forms.MultipleChoiceField(label=_("Indicators"), widget=forms.CheckboxSelectMultiple)

    def __init__(
        self,
        *args: Any,
        assessments: QuerySet[Any],
        parts: list[tuple[str, str]],
        indicators: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "assessment", assessments)
        set_choices(self, "part", parts)
        set_choices(self, "indicators", indicators)
