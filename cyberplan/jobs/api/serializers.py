from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related, set_choices
from cyberplan.core.models import Organisation, User
from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import kind_choices


class JobSerializer(serializers.ModelSerializer[Job]):
    kind_label = serializers.CharField(read_only=True)
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    parameters = serializers.JSONField(source="public_parameters", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "kind_label",
            "organisation",
            "created_by",
            "parameters",
            "status",
            "progress_done",
            "progress_total",
            "percent",
            "message",
            "stop_requested",
            "stop_reason",
            "time_limit",
            "result",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download_url(self, obj: Job) -> str | None:
        return reverse("api:job-download", args=[obj.pk]) if obj.output else None


class JobCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[])
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "kind", kind_choices())
        request = self.context.get("request")
        if request is not None:
            limit_related(self, "organisation", organisations_where(request.user, Permission.VIEW_AUDIT))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("organisation"):
            raise serializers.ValidationError({"organisation": _("Choose an organisation.")})
        return attrs
