from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP
from cyberplan.core.forms import limit_queryset
from cyberplan.core.models import Organisation, Sector, User
from cyberplan.pipeline.query import parse_network
from cyberplan.pipeline.schema import FIELD_NAMES, PIPELINE_FIELDS

from .access import event_tlp_labels
from .choices import Conversion, HolderType, ImportFormat
from .models import ColumnMapping

MAPPABLE_FIELDS = [name for name in FIELD_NAMES if name not in PIPELINE_FIELDS | {"extra", "raw"}]


def tlp_refusal(user: User, organisation: Organisation, tlp: str) -> str:
    """Why ``user`` may not import into the organisation at ``tlp``, or "" if they may.

    An import at a label its uploader may not read would disappear from their own view at once.
    """
    if tlp in event_tlp_labels(user, organisation):
        return ""
    return str(
        _("You may not read %(tlp)s evidence of %(organisation)s; choose a label you may read.")
        % {"tlp": TLP(tlp).label, "organisation": organisation.name}
    )


class SeveralFilesInput(forms.ClearableFileInput):
    """A file input where several files may be chosen at once."""

    allow_multiple_selected = True


class SeveralFilesField(forms.FileField):
    """One or more uploaded files, each checked as a file field checks one; cleaned to a list."""

    widget = SeveralFilesInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        uploads = data if isinstance(data, list | tuple) else [data]
        if not uploads:
            uploads = [None]
        return [super(SeveralFilesField, self).clean(upload, initial) for upload in uploads]


class ImportUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    file = SeveralFilesField(
        label=_("Files"),
        help_text=_(
            "CSV, JSON or a gzip/zip archive holding one of them. Choose several files to import them as "
            "one batch: each is its own import, and the dashboard is refreshed once, after the last."
        ),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ImportFormat.choices, initial=ImportFormat.AUTO)
    report_type = forms.CharField(
        label=_("Shadowserver report type"),
        required=False,
        max_length=80,
        help_text=_("Only when the file name does not say it, for example scan_telnet."),
    )
    mapping = forms.ModelChoiceField(label=_("Column mapping"), queryset=ColumnMapping.objects.none(), required=False)
    tlp = forms.ChoiceField(label=_("TLP of events that carry none"), choices=TLP.choices, initial=TLP.AMBER)

    def __init__(
        self, *args: Any, organisations: Any, mappings: Any, max_bytes: int, user: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        limit_queryset(self, "mapping", mappings)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.max_bytes = max_bytes
        self.user = user

    def clean_file(self) -> list[Any]:
        uploads: list[Any] = self.cleaned_data["file"]
        for upload in uploads:
            if upload.size > self.max_bytes:
                from django.template.defaultfilters import filesizeformat

                raise forms.ValidationError(
                    _("%(file)s is %(size)s; the limit is %(limit)s.")
                    % {
                        "file": upload.name,
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(self.max_bytes),
                    }
                )
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == ImportFormat.CSV and not data.get("mapping"):
            self.add_error("mapping", _("A CSV import needs a saved column mapping."))
        mapping = data.get("mapping")
        organisation = data.get("organisation")
        if mapping and organisation and mapping.organisation_id != organisation.pk:
            self.add_error("mapping", _("This mapping belongs to another organisation."))
        if self.user is not None and organisation and data.get("tlp"):
            refusal = tlp_refusal(self.user, organisation, data["tlp"])
            if refusal:
                self.add_error("tlp", refusal)
        return data


class EventFilterForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(
        label=_("Until (exclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    taxonomy = forms.CharField(label=_("Class"), required=False, max_length=60)
    type = forms.CharField(label=_("Type"), required=False, max_length=60)
    sector = forms.CharField(label=_("Sector"), required=False, max_length=40)
    country = forms.CharField(
        label=_("Source country"), required=False, max_length=7, help_text=_("Two letters, or unknown.")
    )
    victim_country = forms.CharField(
        label=_("Victim country"), required=False, max_length=7, help_text=_("Two letters, or unknown.")
    )
    asn = forms.IntegerField(label=_("AS number"), required=False, min_value=0, max_value=4294967295)
    feed = forms.CharField(label=_("Feed"), required=False, max_length=80)
    ip = forms.CharField(
        label=_("Address or network"),
        required=False,
        max_length=50,
        help_text=_("An IPv4 or IPv6 address, or a network such as 192.0.2.0/24."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)

    def clean_ip(self) -> str:
        return clean_address_or_network(self.cleaned_data.get("ip", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            self.add_error("until", _("The end date must be after the start date."))
        return data


def clean_address_or_network(value: str) -> str:
    """An address as canonical text, a network as canonical CIDR, "" for nothing; a clear error otherwise."""
    if not value or not value.strip():
        return ""
    try:
        network = parse_network(value)
    except ValueError:
        raise forms.ValidationError(
            _("Give an IPv4 or IPv6 address, or a network in CIDR notation (such as 192.0.2.0/24).")
        ) from None
    return network.network_address.compressed if network.num_addresses == 1 else network.compressed


class ConstituencyEntryForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("CSIRT"), queryset=Organisation.objects.none())
    network = forms.CharField(label=_("Network (CIDR)"), max_length=50)
    asn = forms.IntegerField(label=_("AS number"), required=False, min_value=0, max_value=4294967295)
    as_name = forms.CharField(label=_("AS name"), required=False, max_length=200)
    holder = forms.CharField(label=_("Holder organisation"), max_length=200)
    holder_type = forms.ChoiceField(
        label=_("Holder type"), choices=[("", "---------"), *HolderType.choices], required=False
    )
    sector = forms.ModelChoiceField(label=_("Sector"), queryset=Sector.objects.all(), required=False)
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=250)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean_country(self) -> str:
        value: str = self.cleaned_data.get("country", "").strip().upper()
        if value and (len(value) != 2 or not value.isalpha()):
            raise forms.ValidationError(_("Give a two-letter country code."))
        return value


class ConstituencyUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("CSIRT"), queryset=Organisation.objects.none())
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: network, asn, as_name, holder, holder_type, sector, country, note.")
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("A constituency file may be at most 20 MB."))
        return upload


class MappingSampleForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    sample = forms.FileField(
        label=_("Sample CSV file"), help_text=_("The first rows are shown so you can map the columns.")
    )
    delimiter = forms.ChoiceField(
        label=_("Delimiter"),
        choices=[(",", _("Comma")), (";", _("Semicolon")), ("\t", _("Tab")), ("|", _("Vertical bar"))],
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "organisation", organisations)
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


FIELD_CHOICES = [("", _("(keep in extra)")), *[(name, name) for name in MAPPABLE_FIELDS]]
CONVERSION_CHOICES = Conversion.choices


class StoreGrantForm(forms.Form):
    """Grant another organisation read access to one's event store. The view offers only stores the user manages."""

    owner = forms.ModelChoiceField(label=_("Store of"), queryset=Organisation.objects.none())
    recipient = forms.ModelChoiceField(label=_("Granted to"), queryset=Organisation.objects.none())
    ceiling = forms.ChoiceField(
        label=_("Up to"),
        choices=[(code, name) for code, name in TLP.choices if code in ("clear", "green", "amber")],
        initial=TLP.GREEN,
        help_text=_("TLP:AMBER+STRICT and TLP:RED events never leave your organisation."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_queryset(self, "owner", owners)
        limit_queryset(self, "recipient", Organisation.objects.all())
        if owners.count() == 1:
            self.fields["owner"].initial = owners.first()
