from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP
from cyberplan.core.forms import keep_kind_fields, limit_queryset, mark_kind_fields
from cyberplan.core.models import Organisation

from .choices import EvidenceKind, GapSource, GapStatus, Severity
from .models import Gap


class GapForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs: Django's class cannot be subscripted at run time
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Gap
        fields = [
            "organisation",
            "source",
            "source_key",
            "title_en",
            "title_es",
            "description_en",
            "description_es",
            "severity",
            "tlp",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_es": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if self.instance.pk:
            # The owner of an existing gap does not change; its identifier depends on it.
            del self.fields["organisation"]
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("title_en", "").strip() or data.get("title_es", "").strip()):
            self.add_error("title_en", _("Give a title in English, in Spanish, or in both."))
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the action function, which also sets the owner and identifier.
        return


class GapStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GapStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


# The fields each kind of evidence uses; the label and the note go with every kind.
EVIDENCE_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "url": (EvidenceKind.URL, EvidenceKind.PLATFORM),
    "citation": (EvidenceKind.CITATION,),
    "document": (EvidenceKind.DOCUMENT,),
}


class GapEvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    label = forms.CharField(label=_("Label"), max_length=250)
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        help_text=_("A web address (https://...) or, for platform data, a path such as /gaps/3/."),
    )
    citation = forms.CharField(label=_("Citation"), max_length=300, required=False)
    document = forms.FileField(label=_("Document"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mark_kind_fields(self, EVIDENCE_KIND_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keep_kind_fields(self, data, EVIDENCE_KIND_FIELDS)
        return data

    def clean_url(self) -> str:
        url: str = self.cleaned_data.get("url", "").strip()
        if url and not (url.startswith(("https://", "http://")) or url.startswith("/")):
            raise forms.ValidationError(_("Give an address starting with https://, http:// or /."))
        if url.startswith("//"):
            raise forms.ValidationError(_("Give an address starting with https://, http:// or /."))
        return url


class GapFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("Any")), *GapStatus.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", _("Any")), *Severity.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("Any")), *GapSource.choices], required=False)
    tlp = forms.ChoiceField(label=_("TLP"), choices=[("", _("Any")), *TLP.choices], required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
