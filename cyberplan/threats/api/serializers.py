from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.pipeline.query import decode_cursor
from cyberplan.threats.choices import ImportFormat
from cyberplan.threats.forms import clean_address_or_network, tlp_refusal
from cyberplan.threats.models import ColumnMapping, Import, StoreGrant

if TYPE_CHECKING:
    from cyberplan.jobs.models import Job


class ImportSerializer(serializers.ModelSerializer[Import]):
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    mapping: serializers.SlugRelatedField[ColumnMapping] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    job: serializers.PrimaryKeyRelatedField[Job] = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Import
        fields = [
            "id",
            "organisation",
            "created_by",
            "file_name",
            "file_size",
            "file_sha256",
            "format",
            "detected_format",
            "report_type",
            "mapping",
            "tlp",
            "status",
            "read",
            "stored",
            "duplicates",
            "quarantined",
            "message",
            "job",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ImportCreateSerializer(serializers.Serializer[Any]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=ImportFormat.choices, default=ImportFormat.AUTO)
    report_type = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")
    mapping = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    tlp = serializers.ChoiceField(choices=TLP.choices, default=TLP.AMBER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            limit_related(self, "organisation", organisations_where(request.user, Permission.CONTRIBUTE))

    def validate_file(self, value: Any) -> Any:
        if value.size > settings.CYBERPLAN_MAX_IMPORT_UPLOAD_BYTES:
            raise serializers.ValidationError(_("The file is larger than the upload limit."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        name = attrs.get("mapping") or ""
        attrs["mapping"] = None
        if name:
            mapping = ColumnMapping.objects.filter(organisation=attrs["organisation"], name=name).first()
            if mapping is None:
                raise serializers.ValidationError(
                    {"mapping": _("No column mapping with this name in the organisation.")}
                )
            attrs["mapping"] = mapping
        if attrs.get("format") == ImportFormat.CSV and attrs["mapping"] is None:
            raise serializers.ValidationError({"mapping": _("A CSV import needs a saved column mapping.")})
        request = self.context.get("request")
        if request is not None:
            refusal = tlp_refusal(request.user, attrs["organisation"], attrs["tlp"])
            if refusal:
                raise serializers.ValidationError({"tlp": [refusal]})
        return attrs


class EventQuerySerializer(serializers.Serializer[Any]):
    organisation = serializers.IntegerField()
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    taxonomy = serializers.CharField(required=False, max_length=60)
    type = serializers.CharField(required=False, max_length=60)
    sector = serializers.CharField(required=False, max_length=40)
    country = serializers.CharField(
        required=False, max_length=7, help_text="Country of the source address (source.geolocation.cc), or unknown."
    )
    victim_country = serializers.CharField(
        required=False, max_length=7, help_text="Country of the affected party (victim.country), or unknown."
    )
    asn = serializers.IntegerField(required=False, min_value=0)
    feed = serializers.CharField(required=False, max_length=80)
    ip = serializers.CharField(
        required=False, max_length=50, help_text="An IPv4 or IPv6 address, or a network in CIDR notation."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100)
    offset = serializers.IntegerField(required=False, min_value=0, default=0)
    after = serializers.CharField(
        required=False,
        max_length=250,
        help_text="Start after this position (the response's next_after) instead of at offset: quick at any depth.",
    )

    def validate_ip(self, value: str) -> str:
        try:
            return clean_address_or_network(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_after(self, value: str) -> str:
        try:
            decode_cursor(value)
        except ValueError:
            raise serializers.ValidationError(_("Not a position in the event list.")) from None
        return value


class StoreGrantSerializer(serializers.ModelSerializer[StoreGrant]):
    """A grant given or received by one of the reader's organisations."""

    granted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    revoked_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    live = serializers.BooleanField(source="is_live", read_only=True)

    class Meta:
        model = StoreGrant
        fields = [
            "id",
            "owner",
            "recipient",
            "ceiling",
            "reason",
            "granted_by",
            "granted_at",
            "revoked_by",
            "revoked_at",
            "live",
        ]
        read_only_fields = fields
