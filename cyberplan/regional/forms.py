"""Web forms of the regional programme, member side."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation

from .choices import PackageTLP
from .disclosure import DEFAULT_THRESHOLD
from .models import Member


class BuildForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Member organisation"), queryset=Organisation.objects.none())
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q2)."))
    tlp = forms.ChoiceField(label=_("TLP"), choices=PackageTLP.choices, initial=PackageTLP.GREEN)
    threshold = forms.IntegerField(
        label=_("Suppression threshold"),
        min_value=1,
        max_value=1000,
        initial=DEFAULT_THRESHOLD,
        help_text=_("Counts from 1 to one less than this are suppressed before anything leaves."),
    )
    share_assessment = forms.BooleanField(label=_("Share the capacity assessment's stage per factor"), required=False)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)


class MemberForm(forms.ModelForm):  # type: ignore[type-arg]  # generic only in django-stubs
    instance_url = forms.URLField(label=_("Instance URL"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Member
        fields = ["programme", "country", "name", "identity_id", "instance_url", "contact", "active", "shares_events"]

    def __init__(self, *args: Any, programmes: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["programme"]  # a member stays in its programme's register
        else:
            limit_queryset(self, "programme", programmes)


class ReceiveForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Regional programme"), queryset=Organisation.objects.none())
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("A year (2026) or a quarter (2026-Q2)."))
    file = forms.FileField(label=_("Package file"), help_text=_("The STIX 2.1 bundle the member approved and sent."))

    def __init__(self, *args: Any, programmes: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "programme", programmes)
