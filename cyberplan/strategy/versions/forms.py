"""Forms of the version, consultation and approval pages. Rules are checked in actions.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.models import Organisation

from ..choices import Resolution, VersionStatus

# The label of each workflow button, by the status it moves a version to.
MOVE_LABELS: dict[str, Any] = {
    VersionStatus.CONSULTATION: _("Open the consultation"),
    VersionStatus.DRAFT: _("Back to draft"),
    VersionStatus.APPROVED: _("Approve"),
    VersionStatus.PUBLISHED: _("Publish"),
    VersionStatus.WITHDRAWN: _("Withdraw"),
}


class VersionCreateForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What this version is for, e.g. 'Draft for the public consultation'."),
    )


class VersionRefreshForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionMoveForm(forms.Form):
    """One workflow button: the status to move to, and what that move needs."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    closes_on = forms.DateField(
        label=_("Consultation closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. After this day no comment is taken."),
    )
    legal_reference = forms.CharField(
        label=_("Adopted by"),
        required=False,
        max_length=300,
        help_text=_("The act that adopted the strategy, e.g. Decree 1234/2025 of 3 March 2025."),
    )

    def __init__(self, *args: Any, target: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", target)
        super().__init__(*args, **kwargs)
        if target != VersionStatus.CONSULTATION:
            del self.fields["closes_on"]
        if target != VersionStatus.PUBLISHED:
            del self.fields["legal_reference"]
        self.target = target

    @property
    def button_label(self) -> str:
        return str(MOVE_LABELS.get(self.target, self.target))


class CompareForm(forms.Form):
    """Two things to compare: version numbers, or ``current`` for the working copy."""

    a = forms.ChoiceField(label=_("From"))
    b = forms.ChoiceField(label=_("To"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "a", choices)
        set_choices(self, "b", choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("a") and data.get("a") == data.get("b"):
            raise forms.ValidationError(_("Choose two different versions to compare."))
        return data


class CommentForm(forms.Form):
    section = forms.ChoiceField(label=_("Section"))
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=Organisation.objects.none())
    text = forms.CharField(label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(
        self,
        *args: Any,
        sections: list[tuple[str, str]],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "section", sections)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"), choices=[(v, label) for v, label in Resolution.choices if v != Resolution.PENDING]
    )
    note = forms.CharField(
        label=_("Resolution note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the comment is not, or only partly, taken in."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
