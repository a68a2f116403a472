from __future__ import annotations

from typing import Any

from rest_framework import serializers

from cyberplan.assessment.choices import AnswerValue, EvidenceKind, StakeholderGroup
from cyberplan.assessment.models import Answer, AnswerEvidence, Assessment, FactorComment, Framework
from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.api.schema import AnsweredChoiceField
from cyberplan.core.models import Organisation, User


class AnswerEvidenceSerializer(serializers.ModelSerializer[AnswerEvidence]):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    added_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    document = serializers.FileField(write_only=True, required=False)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = AnswerEvidence
        fields = ["id", "kind", "label", "url", "citation", "note", "document", "has_document", "added_by", "added_at"]

    def get_has_document(self, obj: AnswerEvidence) -> bool:
        return bool(obj.document)


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    framework = serializers.PrimaryKeyRelatedField(queryset=Framework.objects.all())
    framework_key = serializers.CharField(source="framework.key", read_only=True)
    stakeholder_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=StakeholderGroup.choices), required=False
    )
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "title",
            "country",
            "date",
            "method",
            "stakeholder_groups",
            "framework",
            "framework_key",
            "tlp",
            "locked",
            "locked_at",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["locked", "locked_at", "created_at", "updated_at", "version"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_related(self, "organisation", organisations_where(request.user, Permission.EDIT))


class AnswerSerializer(serializers.ModelSerializer[Answer]):
    value = AnsweredChoiceField(choices=AnswerValue.choices, help_text="Blank until the indicator is answered.")
    answered_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence = AnswerEvidenceSerializer(many=True, read_only=True)
    version = serializers.IntegerField(
        help_text="The version you last read. Required on update: a stale version gets 409 Conflict."
    )

    class Meta:
        model = Answer
        fields = [
            "id",
            "assessment",
            "factor_id",
            "indicator_id",
            "value",
            "note",
            "answered_by",
            "updated_at",
            "version",
            "evidence",
        ]
        read_only_fields = ["assessment", "factor_id", "indicator_id", "updated_at"]


class StageCountsSerializer(serializers.Serializer[Any]):
    stage = serializers.IntegerField()
    met = serializers.IntegerField()
    partly = serializers.IntegerField()
    not_met = serializers.IntegerField()
    unknown = serializers.IntegerField()
    met_with_evidence = serializers.IntegerField()


class FactorScoreSerializer(serializers.Serializer[Any]):
    factor_id = serializers.CharField()
    dimension_id = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.IntegerField(
        allow_null=True,
        help_text="1 (Start-up, the floor for an assessed factor) to 5; null when the factor is not assessed "
        "(no indicator answered met, partly or not met).",
    )
    stage_name = serializers.CharField(help_text="The stage's name, or 'not assessed'.")
    assessed = serializers.IntegerField(help_text="Indicators of the factor answered met, partly or not met.")
    indicators = serializers.IntegerField(help_text="Indicators of the factor in the framework.")
    rule = serializers.CharField()
    counts = StageCountsSerializer(many=True)
    met = serializers.IntegerField()
    met_with_evidence = serializers.IntegerField()
    claimed_without_evidence = serializers.ListField(child=serializers.CharField())
    target_stage = serializers.IntegerField(allow_null=True)
    below_target = serializers.BooleanField()
    assignee = serializers.CharField(allow_null=True)
    approved = serializers.BooleanField()
    approved_by = serializers.CharField(allow_null=True)
    approved_at = serializers.CharField(allow_null=True)


class UnlockSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000)


class ImportSerializer(serializers.Serializer[Any]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    document = serializers.DictField(help_text="An assessment file as written by the export.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_related(self, "organisation", organisations_where(request.user, Permission.EDIT))


class GapChangeSerializer(serializers.Serializer[Any]):
    factor_id = serializers.CharField()
    gap = serializers.IntegerField(source="gap.pk")
    identifier = serializers.CharField(source="gap.identifier")
    change = serializers.CharField()


class FactorUpdateSerializer(serializers.Serializer[Any]):
    target_stage = serializers.IntegerField(allow_null=True, required=False, min_value=1)
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), allow_null=True, required=False
    )


class FactorCommentSerializer(serializers.ModelSerializer[FactorComment]):
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = FactorComment
        fields = ["id", "factor_id", "text", "author", "created_at"]
        read_only_fields = ["factor_id", "created_at"]
