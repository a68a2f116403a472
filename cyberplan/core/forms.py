from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from . import tokens
from .choices import AuditAction, Role
from .models import Organisation, User


def attach_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form's fields (or above it, for the others and for
    errors of the whole record), keeping what the user typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def limit_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Offer only ``queryset`` in the form's model choice field ``name`` (the organisations a user may act in, …)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field")
    field.queryset = queryset


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give the form's choice field ``name`` choices known only when the form is built."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    field.choices = list(choices)


def mark_kind_fields(form: forms.BaseForm, kind_fields: Mapping[str, Iterable[str]]) -> None:
    """Say on each field of ``kind_fields`` which kinds of evidence it belongs to (``data-evidence-kinds``),
    so the evidence form's script can show only the chosen kind's fields. Without the script all stay shown."""
    for name, kinds in kind_fields.items():
        form.fields[name].widget.attrs["data-evidence-kinds"] = " ".join(kinds)


def keep_kind_fields(
    form: forms.BaseForm, cleaned_data: dict[str, Any], kind_fields: Mapping[str, Iterable[str]]
) -> None:
    """Keep only the chosen kind's fields: the fields of the other kinds are emptied and their errors dropped,
    so a web address typed before switching to "legal citation" is neither checked nor stored."""
    kind = str(cleaned_data.get("kind") or "")
    for name, kinds in kind_fields.items():
        if kind in set(kinds):
            continue
        cleaned_data[name] = None if isinstance(form.fields[name], forms.FileField) else ""
        form.errors.pop(name, None)


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MembershipForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise forms.ValidationError(
                _("There is no active user named %(name)s."), params={"name": username}
            ) from None


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AuditFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    action = forms.ChoiceField(label=_("Action"), choices=[("", _("Any")), *AuditAction.choices], required=False)
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            limit_queryset(self, "organisation", organisations)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data


class APITokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as “nightly gap export”."),
    )
    lifetime = forms.TypedChoiceField(label=_("Expires after"), coerce=int, choices=[])
    read_only = forms.BooleanField(
        label=_("Read-only"), required=False, help_text=_("The token may read but never change anything.")
    )
    allowed_networks = forms.CharField(
        label=_("Allowed addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: one address or CIDR network per line, such as 192.0.2.0/24. Empty means anywhere."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "lifetime", tokens.lifetime_choices())
        self.fields["lifetime"].initial = tokens.default_lifetime_days()

    def clean_allowed_networks(self) -> list[str]:
        return tokens.parse_networks(self.cleaned_data["allowed_networks"].splitlines(), numbered=True)
