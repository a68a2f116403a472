from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.choices import GapStatus
from cyberplan.gaps.models import Gap, GapEvidence


class GapEvidenceSerializer(serializers.ModelSerializer[GapEvidence]):
    added_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    document = serializers.FileField(write_only=True, required=False)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = GapEvidence
        fields = ["id", "kind", "label", "url", "citation", "note", "document", "has_document", "added_by", "added_at"]

    def get_has_document(self, obj: GapEvidence) -> bool:
        return bool(obj.document)


class GapSerializer(serializers.ModelSerializer[Gap]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(
        required=False,
        help_text="The version you last read. Required on update: a stale version gets 409 Conflict.",
    )

    class Meta:
        model = Gap
        fields = [
            "id",
            "identifier",
            "organisation",
            "source",
            "source_key",
            "title",
            "title_en",
            "title_es",
            "description",
            "description_en",
            "description_es",
            "severity",
            "status",
            "tlp",
            "created_by",
            "created_at",
            "updated_at",
            "closed_at",
            "version",
        ]
        read_only_fields = ["identifier", "status", "created_at", "updated_at", "closed_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_related(self, "organisation", organisations_where(request.user, Permission.CONTRIBUTE))
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["organisation"].read_only = True

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        title_en = attrs.get("title_en", getattr(self.instance, "title_en", ""))
        title_es = attrs.get("title_es", getattr(self.instance, "title_es", ""))
        if not (str(title_en).strip() or str(title_es).strip()):
            raise serializers.ValidationError({"title_en": _("Give a title in English, in Spanish, or in both.")})
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("Give the version you are editing.")})
        return attrs


class GapStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=GapStatus.choices)
    version = serializers.IntegerField()
