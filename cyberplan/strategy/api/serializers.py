from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cyberplan.core.access import Permission, organisations_where
from cyberplan.core.api.fields import limit_related
from cyberplan.core.models import Organisation, User
from cyberplan.strategy.access import strategies_visible_to
from cyberplan.strategy.choices import ActionStatus, KPILevel, KPISource, VersionStatus
from cyberplan.strategy.fields import KPI_FIELDS, TEXT_FIELDS
from cyberplan.strategy.models import (
    KPI,
    Action,
    Element,
    KPIMeasurement,
    ProgressUpdate,
    Strategy,
    StrategyVersion,
)

VERSION_HELP = "The version you last read. Optional: when given and stale, the answer is 409 Conflict."


@extend_schema_field(OpenApiTypes.STR)
class KPIValueField(serializers.CharField):
    """A KPI value: written as a number or text with its unit ("80%", "12 days"), read as a decimal string."""

    def to_representation(self, value: Any) -> str:
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _caller(serializer: serializers.Serializer[Any]) -> User | None:
    """The signed-in user the serializer answers, or None (no request, as in schema generation, or anonymous)."""
    request = serializer.context.get("request")
    return request.user if request is not None and request.user.is_authenticated else None


def _fixed_on_update(serializer: serializers.Serializer[Any], *names: str) -> None:
    """When the serializer updates one record, the named fields cannot change."""
    if serializer.instance is not None and not isinstance(serializer.instance, list):
        for name in names:
            serializer.fields[name].read_only = True


class StrategySerializer(serializers.ModelSerializer[Strategy]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.none())
    title = serializers.CharField(read_only=True)
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Strategy
        fields = [
            "id",
            "organisation",
            "country",
            "title",
            "title_en",
            "title_es",
            "start_year",
            "end_year",
            "review_months",
            "adopted_on",
            "phase",
            "vision_en",
            "vision_es",
            "foreword_en",
            "foreword_es",
            "governance_en",
            "governance_es",
            "tlp",
            "illustrative",
            "progress_weighting",
            "currency",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        # The plan currency is set on the strategy's budget page (refused once amounts are recorded in it).
        read_only_fields = ["phase", "currency", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(self, "organisation", organisations_where(user, Permission.DECIDE))
        _fixed_on_update(self, "organisation")


# A small positive integer whose bounds do not depend on the database (the schema must be the
# same on SQLite and PostgreSQL, and the smallest of their ranges applies).
ORDER_FIELD_ARGS: dict[str, Any] = {"min_value": 0, "max_value": 32767, "required": False}


class StrategyElementSerializer(serializers.ModelSerializer[Element]):
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.none())
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(**ORDER_FIELD_ARGS)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Element
        fields = [
            "id",
            "uid",
            "strategy",
            "kind",
            "parent",
            "code",
            "order",
            "focus_area",
            "title",
            *TEXT_FIELDS,
            "version",
        ]
        read_only_fields = ["uid"]
        extra_kwargs = {"parent": {"allow_null": True, "required": False}}
        validators: list[Any] = []  # unique codes are checked by the actions, with a clear message

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_to_plan(self)
        _fixed_on_update(self, "strategy", "kind")


def _limit_to_plan(serializer: serializers.Serializer[Any]) -> None:
    """Strategies whose working copy the caller reads, and their elements, as choices (the view checks the role)."""
    user = _caller(serializer)
    if user is None:
        return
    editable = strategies_visible_to(user)
    if "strategy" in serializer.fields:
        limit_related(serializer, "strategy", editable)
    if "parent" in serializer.fields:
        limit_related(serializer, "parent", Element.objects.filter(strategy__in=editable))
        serializer.fields["parent"].help_text = "Id of the element above."


class KPIMeasurementSerializer(serializers.ModelSerializer[KPIMeasurement]):
    value = KPIValueField(help_text="In the KPI's unit; a unit may be written after the number: 80%, 12 days, 48 h.")
    recorded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = KPIMeasurement
        fields = ["id", "date", "value", "origin", "note", "detail", "recorded_by", "recorded_at"]
        read_only_fields = ["origin", "detail", "recorded_at"]


class KPISourceField(serializers.ChoiceField):
    """The KPI's data source (``KPISourceEnum`` in the schema)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=KPISource.choices, **kwargs)


class StrategyKPISerializer(serializers.ModelSerializer[KPI]):
    action = serializers.PrimaryKeyRelatedField(
        queryset=Action.objects.none(),
        required=False,
        allow_null=True,
        help_text="The action the KPI measures; give either this or element.",
    )
    element = serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(),
        required=False,
        allow_null=True,
        help_text="The axis or objective the KPI measures; give either this or action.",
    )
    level = serializers.ChoiceField(
        choices=KPILevel.choices, read_only=True, help_text="The level measured: axis, objective, line or action."
    )
    name = serializers.CharField(read_only=True)
    baseline = KPIValueField(required=False, allow_null=True, help_text="In the KPI's unit.")
    target = KPIValueField(required=False, allow_null=True, help_text="In the KPI's unit.")
    latest = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = KPI
        fields = [
            "id",
            "uid",
            "action",
            "element",
            "level",
            "name",
            *KPI_FIELDS,
            "latest",
            "version",
        ]
        read_only_fields = ["uid"]
        # The uid is generated, so the unique (action, uid) and (element, uid) pairs need no check here;
        # the check would make both action and element required.
        validators: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        self.fields["source"] = KPISourceField(required=False)
        user = _caller(self)
        if user is not None:
            visible = strategies_visible_to(user)
            limit_related(self, "action", Action.objects.filter(strategy__in=visible))
            limit_related(self, "element", Element.objects.filter(strategy__in=visible))
        _fixed_on_update(self, "action", "element")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """On creation, exactly one of ``action`` and ``element`` names what the KPI measures."""
        if self.instance is None:
            given = [name for name in ("action", "element") if attrs.get(name) is not None]
            if len(given) != 1:
                message = (
                    _("Give either the action or the axis or objective (element), not both.")
                    if given
                    else _("Give the action, or the axis or objective (element), the KPI measures.")
                )
                raise serializers.ValidationError({"element" if given else "action": [message]})
        return attrs

    @extend_schema_field(KPIMeasurementSerializer(allow_null=True))
    def get_latest(self, obj: KPI) -> dict[str, Any] | None:
        latest = obj.measurements.order_by("-date", "-id").first()
        return dict(KPIMeasurementSerializer(latest).data) if latest is not None else None


class GapIdentifiersField(serializers.ListField):
    """The identifiers of the gaps an action addresses."""

    def get_attribute(self, instance: Action) -> list[str]:
        return sorted(link.gap.identifier for link in instance.gap_links.select_related("gap"))


class StrategyActionSerializer(serializers.ModelSerializer[Action]):
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.none())
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(**ORDER_FIELD_ARGS)
    lead: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        allow_null=True,
        required=False,
        help_text="The lead institution's short name (slug).",
    )
    supporting: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="Short names (slugs) of the supporting institutions.",
    )
    gaps = GapIdentifiersField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Identifiers of the gaps the action addresses (e.g. ASM-0003), in the owner's register. "
        "On update the list replaces the links.",
    )
    kpis = StrategyKPISerializer(many=True, read_only=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Action
        fields = [
            "id",
            "uid",
            "strategy",
            "parent",
            "code",
            "order",
            "title",
            *TEXT_FIELDS,
            "lead",
            "supporting",
            "start_date",
            "end_date",
            "budget",
            "currency",
            "funding_source",
            "funding_note",
            "weight",
            "status",
            "percent_complete",
            "gaps",
            "kpis",
            "version",
        ]
        read_only_fields = ["uid", "status", "percent_complete"]
        extra_kwargs = {"code": {"required": False}, "parent": {"required": True}}
        validators: list[Any] = []  # unique codes are checked by the actions; a missing code is generated

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_to_plan(self)
        _fixed_on_update(self, "strategy")


class ProgressUpdateSerializer(serializers.ModelSerializer[ProgressUpdate]):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    author: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    evidence_document = serializers.FileField(write_only=True, required=False)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "date",
            "status",
            "percent_complete",
            "narrative",
            "evidence_url",
            "evidence_document",
            "has_document",
            "executed_amount",
            "executed_year",
            "executed_source",
            "author",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "executed_amount": {
                "help_text": "In the plan currency: the total spent on the action so far in executed_year; the latest "
                "update for the same year and source replaces earlier figures."
            },
            "executed_year": {"help_text": "A year of the strategy; default: the year of date."},
            "executed_source": {"help_text": "The funding source the executed amount came from; blank: not stated."},
        }

    def get_has_document(self, obj: ProgressUpdate) -> bool:
        return bool(obj.evidence_document)


class StrategyVersionSerializer(serializers.ModelSerializer[StrategyVersion]):
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.none())
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    published_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    citation = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=VersionStatus.choices, read_only=True)

    class Meta:
        model = StrategyVersion
        fields = [
            "id",
            "strategy",
            "number",
            "status",
            "note",
            "digest",
            "created_by",
            "created_at",
            "consultation_opened_at",
            "consultation_closes_on",
            "approved_by",
            "approved_at",
            "published_by",
            "published_at",
            "legal_reference",
            "citation",
            "version",
        ]
        read_only_fields = [
            "number",
            "status",
            "digest",
            "created_at",
            "consultation_opened_at",
            "consultation_closes_on",
            "approved_at",
            "published_at",
            "legal_reference",
            "version",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        user = _caller(self)
        if user is not None:
            limit_related(self, "strategy", strategies_visible_to(user))


class StrategyVersionDetailSerializer(StrategyVersionSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="The frozen plan (see docs/concepts/strategy.md).")

    class Meta(StrategyVersionSerializer.Meta):
        fields = [*StrategyVersionSerializer.Meta.fields, "snapshot"]


class VersionTransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=VersionStatus.choices)
    legal_reference = serializers.CharField(max_length=300, required=False, allow_blank=True)
    consultation_closes_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class KPIComputeSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(required=False, help_text="The date of the measurement; today when left out.")


class VersionRefreshSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class TraceGapSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    identifier = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField()


class TraceActionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()


class TraceLinkSerializer(serializers.Serializer[Any]):
    gap = TraceGapSerializer()
    actions = TraceActionSerializer(many=True)


class TraceSuggestionSerializer(serializers.Serializer[Any]):
    gap = TraceGapSerializer()
    reason = serializers.CharField()
    title_en = serializers.CharField()
    title_es = serializers.CharField()
    focus_area = serializers.CharField()
    parent = TraceActionSerializer(allow_null=True, help_text="Where the action would go: an action line or objective.")


class TraceabilitySerializer(serializers.Serializer[Any]):
    percent = serializers.IntegerField(help_text="Share of open gaps addressed by at least one action.")
    open_gaps = serializers.IntegerField()
    covered_open_gaps = serializers.IntegerField()
    uncovered_gaps = TraceGapSerializer(many=True, help_text="Open gaps no action addresses.")
    actions_without_gap = TraceActionSerializer(many=True)
    links = TraceLinkSerializer(many=True)
    suggestions = TraceSuggestionSerializer(many=True)


def check_title(attrs: dict[str, Any], instance: Any, field: str = "title") -> None:
    en = attrs.get(f"{field}_en", getattr(instance, f"{field}_en", ""))
    es = attrs.get(f"{field}_es", getattr(instance, f"{field}_es", ""))
    if not (str(en).strip() or str(es).strip()):
        raise serializers.ValidationError({f"{field}_en": _("Give a title in English, in Spanish, or in both.")})
