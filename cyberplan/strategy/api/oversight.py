"""The API of a strategy's oversight: evaluations, recommendations (and what they became), risks and
assumptions per objective, the responsible body per axis.

Reads as the plan's: members of the owner organisation, within the strategy's TLP (others get 404).
Writes need ``edit`` in the owner organisation (403 otherwise) and go through
``oversight/actions.py`` (validated, audited). Updates take an optional ``version``: stale, 409.
"""

from __future__ import annotations

import abc
import operator
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.api.fields import limit_related
from cyberplan.core.api.schema import CONFLICT
from cyberplan.core.models import Organisation, User
from cyberplan.strategy.access import strategies_visible_to
from cyberplan.strategy.actions import ConcurrentEditError
from cyberplan.strategy.choices import ElementKind
from cyberplan.strategy.models import AxisOwner, Element, Evaluation, ObjectiveRisk, Recommendation, Strategy
from cyberplan.strategy.oversight import actions as oversight

VERSION_HELP = "The version you last read. Optional: when given and stale, the answer is 409 Conflict."


def _user(request: Request) -> User:
    return cast(User, request.user)


def _caller(serializer: serializers.Serializer[Any]) -> User | None:
    request = serializer.context.get("request")
    return request.user if request is not None and request.user.is_authenticated else None


def _fixed_on_update(serializer: serializers.Serializer[Any], *names: str) -> None:
    if serializer.instance is not None and not isinstance(serializer.instance, list):
        for name in names:
            serializer.fields[name].read_only = True


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


# --------------------------------------------------------------------------- serializers


class RecommendationSerializer(serializers.ModelSerializer[Recommendation]):
    evaluation = serializers.PrimaryKeyRelatedField(queryset=Evaluation.objects.none())
    gap_identifier = serializers.CharField(source="gap.identifier", read_only=True, allow_null=True, default=None)
    action_code = serializers.CharField(source="action.code", read_only=True, allow_null=True, default=None)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "evaluation",
            "order",
            "text",
            "priority",
            "response",
            "response_note",
            "gap",
            "gap_identifier",
            "action",
            "action_code",
            "version",
        ]
        read_only_fields = ["gap", "action"]
        extra_kwargs = {"order": {"required": False}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(self, "evaluation", Evaluation.objects.filter(strategy__in=strategies_visible_to(user)))
        _fixed_on_update(self, "evaluation")


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.none())
    recommendations = RecommendationSerializer(many=True, read_only=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "strategy",
            "kind",
            "date",
            "evaluator",
            "evaluator_type",
            "scope",
            "findings",
            "recommendations",
            "version",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(self, "strategy", strategies_visible_to(user))
        _fixed_on_update(self, "strategy")


class RiskSerializer(serializers.ModelSerializer[ObjectiveRisk]):
    objective = serializers.PrimaryKeyRelatedField(queryset=Element.objects.none())
    score = serializers.IntegerField(read_only=True, allow_null=True, help_text="Likelihood times impact (1 to 25).")
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = ObjectiveRisk
        fields = [
            "id",
            "objective",
            "kind",
            "text",
            "likelihood",
            "impact",
            "score",
            "mitigation",
            "owner",
            "status",
            "review_on",
            "version",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(
                self,
                "objective",
                Element.objects.filter(strategy__in=strategies_visible_to(user), kind=ElementKind.OBJECTIVE),
            )
        _fixed_on_update(self, "objective")


class AxisOwnerSerializer(serializers.ModelSerializer[AxisOwner]):
    axis = serializers.PrimaryKeyRelatedField(queryset=Element.objects.none())
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    name = serializers.CharField(read_only=True)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)

    class Meta:
        model = AxisOwner
        fields = ["id", "axis", "organisation", "body", "contact_role", "name", "version"]
        validators: list[Any] = []  # one body per axis: a second POST changes the first (see the view)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(
                self, "axis", Element.objects.filter(strategy__in=strategies_visible_to(user), kind=ElementKind.AXIS)
            )
        _fixed_on_update(self, "axis")


class ToActionSerializer(serializers.Serializer[Any]):
    objective = serializers.PrimaryKeyRelatedField(
        queryset=Element.objects.none(), help_text="The objective or action line the new action serves."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _caller(self)
        if user is not None:
            limit_related(
                self,
                "objective",
                Element.objects.filter(strategy__in=strategies_visible_to(user)).exclude(kind=ElementKind.AXIS),
            )


# --------------------------------------------------------------------------- views


class _OversightViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
    metaclass=abc.ABCMeta,
):
    """What the four oversight endpoints share: reading, the edit check on the strategy, the version check and
    the audited writes. Each endpoint says how its records are created, changed and deleted."""

    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    strategy_path = "strategy"

    def strategy_of(self, obj: Any) -> Strategy:
        strategy: Strategy = operator.attrgetter(self.strategy_path)(obj)
        return strategy

    def require_edit(self, strategy: Strategy) -> None:
        if not has_permission(_user(self.request), strategy.organisation_id, Permission.EDIT):
            raise PermissionDenied

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.action not in ("list", "retrieve"):
            self.require_edit(self.strategy_of(obj))
        return obj

    @abc.abstractmethod
    def write(self, obj: Any, version: int | None, data: dict[str, Any]) -> Any:
        """Change ``obj`` through its audited action, checking ``version``."""

    @abc.abstractmethod
    def create_record(self, data: dict[str, Any]) -> Any:
        """Create a record through its audited action."""

    @abc.abstractmethod
    def delete_record(self, obj: Any) -> None:
        """Delete ``obj`` through its audited action."""

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        try:
            with transaction.atomic():
                serializer.instance = self.create_record(data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    @extend_schema(responses={200: None, 409: CONFLICT})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        body = self.get_serializer(obj, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        try:
            with transaction.atomic():
                obj = self.write(obj, version, data)
        except ConcurrentEditError as exc:
            return Response(
                {
                    "detail": "The record changed since you read it; read it again and reapply your change.",
                    "current": type(body)(exc.current, context={"request": request}).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self.get_serializer(obj).data)

    def perform_destroy(self, instance: Model) -> None:
        self.delete_record(instance)


class EvaluationViewSet(_OversightViewSet):
    """Mid-term, final and ad hoc evaluations of strategies, with their recommendations."""

    serializer_class = EvaluationSerializer
    filterset_fields = ["strategy", "kind", "evaluator_type"]

    def get_queryset(self) -> QuerySet[Evaluation]:
        return (
            Evaluation.objects.filter(strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("strategy")
            .prefetch_related("recommendations__gap", "recommendations__action")
            .order_by("strategy", "date", "id")
        )

    def create_record(self, data: dict[str, Any]) -> Evaluation:
        strategy = data.pop("strategy")
        self.require_edit(strategy)
        return oversight.do_create_evaluation(_user(self.request), strategy, **data)

    def write(self, obj: Evaluation, version: int | None, data: dict[str, Any]) -> Evaluation:
        return oversight.do_update_evaluation(_user(self.request), obj, version, **data)

    def delete_record(self, obj: Evaluation) -> None:
        oversight.do_delete_evaluation(_user(self.request), obj)


class RecommendationViewSet(_OversightViewSet):
    """Recommendations of evaluations, the response to each, and the gap or action it became."""

    serializer_class = RecommendationSerializer
    filterset_fields = ["evaluation", "priority", "response"]
    strategy_path = "evaluation.strategy"

    def get_queryset(self) -> QuerySet[Recommendation]:
        return (
            Recommendation.objects.filter(evaluation__strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("evaluation__strategy", "gap", "action")
            .order_by("evaluation", "order", "id")
        )

    def create_record(self, data: dict[str, Any]) -> Recommendation:
        evaluation = data.pop("evaluation")
        self.require_edit(evaluation.strategy)
        return oversight.do_create_recommendation(_user(self.request), evaluation, **data)

    def write(self, obj: Recommendation, version: int | None, data: dict[str, Any]) -> Recommendation:
        return oversight.do_update_recommendation(_user(self.request), obj, version, **data)

    def delete_record(self, obj: Recommendation) -> None:
        oversight.do_delete_recommendation(_user(self.request), obj)

    @extend_schema(request=None, responses={200: RecommendationSerializer})
    @action(detail=True, methods=["post"], url_path="to-gap")
    def to_gap(self, request: Request, pk: str | None = None) -> Response:
        """Record the recommendation as a gap in the owner organisation's register (once; linked both ways)."""
        recommendation = self.get_object()
        oversight.do_recommendation_to_gap(_user(request), recommendation)
        recommendation.refresh_from_db()
        return Response(self.get_serializer(recommendation).data)

    @extend_schema(request=ToActionSerializer, responses={200: RecommendationSerializer})
    @action(detail=True, methods=["post"], url_path="to-action")
    def to_action(self, request: Request, pk: str | None = None) -> Response:
        """Make a planned action under an objective from the recommendation (once; linked both ways)."""
        recommendation = self.get_object()
        body = ToActionSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            oversight.do_recommendation_to_action(_user(request), recommendation, body.validated_data["objective"])
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        recommendation.refresh_from_db()
        return Response(self.get_serializer(recommendation).data)


class RiskViewSet(_OversightViewSet):
    """Risks to objectives and the assumptions they rest on: rating, mitigation, owner, status."""

    serializer_class = RiskSerializer
    filterset_fields = ["objective", "kind", "status"]
    strategy_path = "objective.strategy"

    def get_queryset(self) -> QuerySet[ObjectiveRisk]:
        return (
            ObjectiveRisk.objects.filter(objective__strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("objective__strategy")
            .order_by("objective", "kind", "id")
        )

    def create_record(self, data: dict[str, Any]) -> ObjectiveRisk:
        objective = data.pop("objective")
        self.require_edit(objective.strategy)
        return oversight.do_create_risk(_user(self.request), objective, **data)

    def write(self, obj: ObjectiveRisk, version: int | None, data: dict[str, Any]) -> ObjectiveRisk:
        return oversight.do_update_risk(_user(self.request), obj, version, **data)

    def delete_record(self, obj: ObjectiveRisk) -> None:
        oversight.do_delete_risk(_user(self.request), obj)


class AxisOwnerViewSet(_OversightViewSet):
    """The body responsible for each axis: an organisation, or a named body with a contact role."""

    serializer_class = AxisOwnerSerializer
    filterset_fields = ["axis", "organisation"]
    strategy_path = "axis.strategy"

    def get_queryset(self) -> QuerySet[AxisOwner]:
        return (
            AxisOwner.objects.filter(axis__strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("axis__strategy", "organisation")
            .order_by("axis__strategy", "axis__order", "axis__code")
        )

    def create_record(self, data: dict[str, Any]) -> AxisOwner:
        axis = data.pop("axis")
        self.require_edit(axis.strategy)
        return oversight.do_set_axis_owner(_user(self.request), axis, **data)

    def write(self, obj: AxisOwner, version: int | None, data: dict[str, Any]) -> AxisOwner:
        return oversight.do_set_axis_owner(_user(self.request), obj.axis, version, **data)

    def delete_record(self, obj: AxisOwner) -> None:
        oversight.do_clear_axis_owner(_user(self.request), obj)
