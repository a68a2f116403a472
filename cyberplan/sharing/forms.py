"""Web forms of the sharing network. They collect and clean input; the actions validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation

from .models import Collection, Push, SharingGroup, Subscription


class GroupForm(forms.ModelForm[SharingGroup]):
    organisation = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects.none())

    class Meta:
        model = SharingGroup
        fields = ["organisation", "name", "description", "tlp_ceiling"]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            limit_queryset(self, "organisation", organisations)


class MemberForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Member organisation"), queryset=Organisation.objects.none())
    can_read = forms.BooleanField(label=_("May read"), required=False, initial=True)
    can_write = forms.BooleanField(label=_("May write"), required=False)
    need_to_know = forms.BooleanField(
        label=_("Needs to know"), required=False, help_text=_("Receives TLP:AMBER objects shared in the group.")
    )

    def __init__(self, *args: Any, group: SharingGroup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", Organisation.objects.exclude(pk=group.organisation_id).order_by("name"))


class CollectionForm(forms.ModelForm[Collection]):
    class Meta:
        model = Collection
        fields = ["title", "description", "content", "open_to_all_partners", "default_tlp"]


class CredentialForm(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issuing organisation"), queryset=Organisation.objects.none())
    holder = forms.ModelChoiceField(label=_("Partner organisation"), queryset=Organisation.objects.none())
    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_("What the key is for, e.g. the partner's MISP.")
    )

    def __init__(self, *args: Any, issuers: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "issuer", issuers)
        limit_queryset(self, "holder", Organisation.objects.order_by("name"))
        if issuers.count() == 1:
            self.fields["issuer"].initial = issuers.first()


class SubscriptionForm(forms.ModelForm[Subscription]):
    organisation = forms.ModelChoiceField(label=_("Subscribing organisation"), queryset=Organisation.objects.none())
    api_root_url = forms.URLField(
        label=_("API root URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The partner's TAXII 2.1 API root, for example https://taxii.partner.example/api1/"),
    )
    password = forms.CharField(
        label=_("Password or key"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Kept to reach the partner and never shown again; leave empty to keep the one stored."),
    )

    class Meta:
        model = Subscription
        fields = [
            "organisation",
            "name",
            "api_root_url",
            "collection_id",
            "username",
            "tlp",
            "interval_minutes",
            "active",
        ]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            limit_queryset(self, "organisation", organisations)


class PushForm(forms.ModelForm[Push]):
    """A push of one of the organisation's collections to a partner's TAXII collection."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    api_root_url = forms.URLField(
        label=_("Partner's API root URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The partner's TAXII 2.1 API root, for example https://taxii.partner.example/api1/"),
    )
    password = forms.CharField(
        label=_("Password or key"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Kept encrypted to reach the partner and never shown again; leave empty to keep the one stored."),
    )

    class Meta:
        model = Push
        fields = [
            "organisation",
            "name",
            "collection",
            "recipient",
            "api_root_url",
            "partner_collection_id",
            "username",
            "interval_minutes",
            "active",
        ]

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None = None,
        collections: QuerySet[Collection],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            limit_queryset(self, "organisation", organisations)
        limit_queryset(self, "collection", collections)
        limit_queryset(self, "recipient", Organisation.objects.order_by("name"))
