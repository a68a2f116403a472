"""The budget API: an action's budget lines (planned by year and funding source) and the exchange
rates stated for a strategy. Reads through ``access.py`` (organisation and TLP); writes through
``budget_actions.py`` (checked and audited) by editors of the owner organisation only.

A record the caller may not read answers 404; one they read but may not change, 403.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.api.fields import limit_related
from cyberplan.core.models import User
from cyberplan.strategy import budget_actions
from cyberplan.strategy.access import strategies_visible_to
from cyberplan.strategy.choices import FundingSource
from cyberplan.strategy.models import Action, BudgetLine, ExchangeRate, Strategy


def _user(request: Request) -> User:
    return cast(User, request.user)


def _require_edit(user: User, strategy: Strategy) -> None:
    if not has_permission(user, strategy.organisation_id, Permission.EDIT):
        raise PermissionDenied


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    action = serializers.PrimaryKeyRelatedField(queryset=Action.objects.none())
    funding_source = serializers.ChoiceField(choices=FundingSource.choices, required=False)
    amount = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="In `currency` (default: the plan currency); stored converted into the plan currency.",
    )
    currency = serializers.CharField(
        max_length=3,
        required=False,
        write_only=True,
        help_text="ISO 4217 code of `amount`; another currency than the plan's is converted at the stated rate.",
    )
    plan_currency = serializers.SerializerMethodField()
    version = serializers.IntegerField(required=False, help_text="The version you last read; 409 when stale.")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "action",
            "year",
            "funding_source",
            "amount",
            "currency",
            "plan_currency",
            "stated_amount",
            "stated_currency",
            "rate",
            "note",
            "version",
        ]
        read_only_fields = ["stated_amount", "stated_currency", "rate"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_related(self, "action", Action.objects.filter(strategy__in=strategies_visible_to(request.user)))
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["action"].read_only = True

    def get_plan_currency(self, obj: BudgetLine) -> str:
        return obj.action.strategy.currency


class BudgetLineViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Budget lines of actions: a planned amount for one year of the strategy from one funding source."""

    serializer_class = BudgetLineSerializer
    filterset_fields = ["action", "year", "funding_source"]
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[BudgetLine]:
        return (
            BudgetLine.objects.filter(action__strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("action", "action__strategy")
            .order_by("action__strategy", "action__code", "year", "id")
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        action = data.pop("action")
        _require_edit(_user(self.request), action.strategy)
        try:
            serializer.instance = budget_actions.do_add_budget_line(_user(self.request), action, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = cast(BudgetLine, self.get_object())
        _require_edit(_user(request), line.action.strategy)
        body = self.get_serializer(line, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        try:
            line = budget_actions.do_update_budget_line(_user(request), line, version, **data)
        except budget_actions.ConcurrentEditError as exc:
            return Response(
                {
                    "detail": "The record changed since you read it; read it again and reapply your change.",
                    "current": self.get_serializer(exc.current).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self.get_serializer(line).data)

    def perform_destroy(self, instance: BudgetLine) -> None:
        _require_edit(_user(self.request), instance.action.strategy)
        budget_actions.do_delete_budget_line(_user(self.request), instance)


class ExchangeRateSerializer(serializers.ModelSerializer[ExchangeRate]):
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.none())
    recorded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "strategy", "base", "quote", "year", "rate", "source", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_at"]
        extra_kwargs = {"rate": {"help_text": "One unit of `base` is worth `rate` units of `quote`."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            limit_related(self, "strategy", strategies_visible_to(request.user))


class ExchangeRateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Exchange rates the user states for a strategy, with their source; never looked up by the platform."""

    serializer_class = ExchangeRateSerializer
    filterset_fields = ["strategy", "base", "quote", "year"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        return ExchangeRate.objects.filter(strategy__in=strategies_visible_to(_user(self.request))).select_related(
            "recorded_by", "strategy"
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        strategy = data.pop("strategy")
        _require_edit(_user(self.request), strategy)
        try:
            serializer.instance = budget_actions.do_add_rate(_user(self.request), strategy, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def perform_destroy(self, instance: ExchangeRate) -> None:
        _require_edit(_user(self.request), instance.strategy)
        budget_actions.do_delete_rate(_user(self.request), instance)
