from __future__ import annotations

from typing import Any

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from cyberplan.core.access import role_in
from cyberplan.core.models import AuditEntry, Membership, Organisation, Sector


class SectorSerializer(serializers.ModelSerializer[Sector]):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Sector
        fields = ["id", "code", "name", "name_en", "name_es", "is_critical"]


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    country = CountryField(country_dict=True)  # type: ignore[no-untyped-call]  # django-countries ships no type hints
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "slug",
            "type",
            "country",
            "sector",
            "website",
            "description",
            "is_demo",
            "my_role",
            "created_at",
            "updated_at",
        ]

    def get_my_role(self, obj: Organisation) -> str | None:
        return role_in(self.context["request"].user, obj.pk)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "organisation", "role", "created_at"]


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    record_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "actor_name",
            "organisation",
            "action",
            "record_type",
            "object_id",
            "object_repr",
            "changes",
            "source",
        ]

    def get_record_type(self, obj: AuditEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class CountrySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
