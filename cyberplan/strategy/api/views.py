"""The strategy API: reads through ``access.py``, writes through ``actions.py`` (validated and audited).

A record the caller may not read answers 404; one they read but may not change, 403. Updates take
an optional ``version`` (the one the caller read): when it is stale the answer is 409 with the
current record. A published version never changes: any change to it answers 409.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.api.schema import CONFLICT
from cyberplan.core.models import User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy import traceability
from cyberplan.strategy.access import (
    CONSULTEE_STATUSES,
    access_strategy_by_id,
    is_owner_member,
    kpis_visible_to,
    require_measurer,
    require_progress_reporter,
    strategies_consulted_by,
    strategies_visible_to,
)
from cyberplan.strategy.models import KPI, Action, Element, Strategy, StrategyVersion
from cyberplan.strategy.versions import actions as version_act

from .serializers import (
    KPIComputeSerializer,
    KPIMeasurementSerializer,
    ProgressUpdateSerializer,
    StrategyActionSerializer,
    StrategyElementSerializer,
    StrategyKPISerializer,
    StrategySerializer,
    StrategyVersionDetailSerializer,
    StrategyVersionSerializer,
    TraceabilitySerializer,
    VersionRefreshSerializer,
    VersionTransitionSerializer,
    check_title,
)


def _user(request: Request) -> User:
    return cast(User, request.user)


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def _conflict(current: Model, serializer: type[serializers.BaseSerializer[Any]], request: Request) -> Response:
    return Response(
        {
            "detail": "The record changed since you read it; read it again and reapply your change.",
            "current": serializer(current, context={"request": request}).data,
        },
        status=status.HTTP_409_CONFLICT,
    )


def _require(user: User, strategy: Strategy, permission: Permission) -> None:
    if not has_permission(user, strategy.organisation_id, permission):
        raise PermissionDenied


def _gap_ref(gap: Gap) -> dict[str, Any]:
    return {
        "id": gap.pk,
        "identifier": gap.identifier,
        "title": gap.title,
        "severity": gap.severity,
        "status": gap.status,
    }


def _action_ref(item: Action | Element) -> dict[str, Any]:
    return {"id": item.pk, "code": item.code, "title": item.title}


class StrategyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Strategy],
):
    """National strategies (their working copy). Reads: members of the owner, within the strategy's TLP."""

    serializer_class = StrategySerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "country", "tlp", "phase", "illustrative"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Strategy]:
        return strategies_visible_to(_user(self.request)).order_by("-start_year", "id")

    def get_object(self) -> Strategy:
        permission = Permission.DECIDE if self.action in ("update", "partial_update") else Permission.VIEW
        return access_strategy_by_id(_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        data.pop("version", None)
        try:
            serializer.instance = act.do_create_strategy(_user(self.request), organisation, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        strategy = self.get_object()
        body = self.get_serializer(strategy, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        try:
            strategy = act.do_update_strategy(_user(request), strategy, version, **data)
        except act.ConcurrentEditError as exc:
            return _conflict(exc.current, StrategySerializer, request)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self.get_serializer(strategy).data)

    @extend_schema(responses=TraceabilitySerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filterset_fields=[])
    def traceability(self, request: Request, pk: str | None = None) -> Response:
        """Which open gaps the plan covers, which actions cite no gap, and a suggested action per uncovered gap."""
        strategy = self.get_object()
        visible = gaps_visible_to(_user(request))
        found = traceability.coverage(strategy, visible)
        by_id = {a.pk: a for a in found.actions}
        suggestions = traceability.suggestions(strategy, visible)
        data = {
            "percent": found.percent,
            "open_gaps": found.open_total,
            "covered_open_gaps": found.covered_open,
            "uncovered_gaps": [_gap_ref(g) for g in found.uncovered],
            "actions_without_gap": [_action_ref(a) for a in found.unjustified],
            "links": [
                {"gap": _gap_ref(g), "actions": [_action_ref(by_id[i]) for i in found.links[g.pk] if i in by_id]}
                for g in found.gaps
                if g.pk in found.links
            ],
            "suggestions": [
                {
                    "gap": _gap_ref(s.gap),
                    "reason": s.reason,
                    "title_en": s.title_en,
                    "title_es": s.title_es,
                    "focus_area": s.focus_area,
                    "parent": _action_ref(s.parent) if s.parent is not None else None,
                }
                for s in suggestions
            ],
        }
        return Response(TraceabilitySerializer(data).data)


class _PlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Any],
):
    """Common ground of elements, actions and KPIs: read within the working copy, edit with ``edit``."""

    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    # Where the record's strategy is, from the record (``action.strategy`` for a KPI).
    strategy_path = "strategy"

    def strategy_of(self, obj: Any) -> Strategy:
        strategy: Strategy = operator.attrgetter(self.strategy_path)(obj)
        return strategy

    def get_object(self) -> Any:
        obj = super().get_object()
        if self.action in ("update", "partial_update"):
            _require(_user(self.request), self.strategy_of(obj), Permission.EDIT)
        return obj

    def _update(self, request: Request, write: Any) -> Response:
        obj = self.get_object()
        body = self.get_serializer(obj, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = data.pop("version", None)
        try:
            with transaction.atomic():
                obj = write(obj, version, data)
        except act.ConcurrentEditError as exc:
            return _conflict(exc.current, type(body), request)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self.get_serializer(obj).data)

    @staticmethod
    def _list_or_report(
        request: Request,
        listed: QuerySet[Any],
        serializer: type[serializers.ModelSerializer[Any]],
        of_action: Action | KPI,
        report: Callable[[dict[str, Any]], Model],
        upload_field: str | None = None,
    ) -> Response:
        """GET: the records ``listed``; POST: a new one through ``report`` (progress reporters of
        ``of_action`` only), answered 201. A refused upload is named by ``upload_field``."""
        if request.method == "GET":
            return Response(serializer(listed, many=True).data)
        if isinstance(of_action, KPI):
            require_measurer(_user(request), of_action)
        else:
            require_progress_reporter(_user(request), of_action)
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            created = report(body.validated_data)
        except DjangoValidationError as exc:
            if upload_field and not hasattr(exc, "error_dict") and upload_field in body.validated_data:
                raise serializers.ValidationError({upload_field: exc.messages}) from exc  # the upload check
            raise _as_drf(exc) from exc
        return Response(serializer(created).data, status=status.HTTP_201_CREATED)


class ElementViewSet(_PlanViewSet):
    """Axes, objectives and action lines of strategies' working copies."""

    serializer_class = StrategyElementSerializer
    filterset_fields = ["strategy", "kind", "parent", "code"]

    def get_queryset(self) -> QuerySet[Element]:
        return Element.objects.filter(strategy__in=strategies_visible_to(_user(self.request))).order_by(
            "strategy", "order", "code", "id"
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        strategy = data.pop("strategy")
        _require(_user(self.request), strategy, Permission.EDIT)
        check_title(data, None)
        try:
            serializer.instance = act.do_create_element(
                _user(self.request), strategy, kind=data.pop("kind"), parent=data.pop("parent", None), **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def write(element: Element, version: int | None, data: dict[str, Any]) -> Element:
            return act.do_update_element(_user(request), element, version, **data)

        return self._update(request, write)


def _resolve_gaps(user: User, strategy: Strategy, identifiers: list[str]) -> list[Gap]:
    found = {g.identifier: g for g in gaps_visible_to(user).filter(organisation=strategy.organisation)}
    missing = [i for i in identifiers if i not in found]
    if missing:
        raise serializers.ValidationError(
            {"gaps": [f"Unknown gap {i!r} in the register of {strategy.organisation}." for i in missing]}
        )
    return [found[i] for i in dict.fromkeys(identifiers)]


class ActionViewSet(_PlanViewSet):
    """Actions of the plan, with their institutions, the gaps they address and their KPIs."""

    serializer_class = StrategyActionSerializer
    filterset_fields = ["strategy", "parent", "status", "lead", "funding_source", "code"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Action]:
        return (
            Action.objects.filter(strategy__in=strategies_visible_to(_user(self.request)))
            .select_related("parent", "lead", "strategy")
            .prefetch_related("supporting", "kpis")
            .order_by("strategy", "order", "code", "id")
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        user = _user(self.request)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        strategy = data.pop("strategy")
        _require(user, strategy, Permission.EDIT)
        check_title(data, None)
        gaps = _resolve_gaps(user, strategy, data.pop("gaps", []))
        supporting = data.pop("supporting", None)
        try:
            serializer.instance = act.do_create_action(
                user, strategy, parent=data.pop("parent"), supporting=supporting, gaps=gaps, **data
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)

        def write(current: Action, version: int | None, data: dict[str, Any]) -> Action:
            gaps = data.pop("gaps", None)
            wanted = _resolve_gaps(user, current.strategy, gaps) if gaps is not None else None
            current = act.do_update_action(user, current, version, supporting=data.pop("supporting", None), **data)
            if wanted is not None:
                linked = {link.gap_id: link.gap for link in current.gap_links.select_related("gap")}
                for gap in wanted:
                    if gap.pk not in linked:
                        act.do_link_gap(user, current, gap)
                for gap_id, gap in linked.items():
                    if gap_id not in {g.pk for g in wanted}:
                        act.do_unlink_gap(user, current, gap)
            return current

        return self._update(request, write)

    @extend_schema(methods=["get"], responses=ProgressUpdateSerializer(many=True))
    @extend_schema(methods=["post"], request=ProgressUpdateSerializer, responses={201: ProgressUpdateSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ProgressUpdateSerializer,
        pagination_class=None,
        filterset_fields=[],
    )
    def progress(self, request: Request, pk: str | None = None) -> Response:
        """The action's progress updates; POST adds one (the action's status and percentage follow the latest)."""
        current = cast(Action, self.get_object())
        return self._list_or_report(
            request,
            current.updates.select_related("author"),
            ProgressUpdateSerializer,
            current,
            lambda data: act.do_report_progress(_user(request), current, **data),
            upload_field="evidence_document",
        )


class KPIViewSet(_PlanViewSet):
    """KPIs of actions, axes and objectives, with their latest measurement; measurements are entered or
    computed here."""

    serializer_class = StrategyKPISerializer
    filterset_fields = ["action", "element", "unit", "source", "frequency", "indicator_type"]
    # Where the KPI's strategy is, whatever the level it measures.
    strategy_path = "strategy"

    def get_queryset(self) -> QuerySet[KPI]:
        return (
            kpis_visible_to(_user(self.request))
            .with_holder()
            .order_by("action__strategy", "element__strategy", "element__code", "action__code", "id")
        )

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        holder: Action | Element = data.pop("action", None) or data.pop("element")
        data.pop("element", None)
        _require(_user(self.request), holder.strategy, Permission.EDIT)
        check_title(data, None, "name")
        try:
            serializer.instance = act.do_create_kpi(_user(self.request), holder, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def write(kpi: KPI, version: int | None, data: dict[str, Any]) -> KPI:
            return act.do_update_kpi(_user(request), kpi, version, **data)

        return self._update(request, write)

    @extend_schema(methods=["get"], responses=KPIMeasurementSerializer(many=True))
    @extend_schema(methods=["post"], request=KPIMeasurementSerializer, responses={201: KPIMeasurementSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=KPIMeasurementSerializer,
        pagination_class=None,
        filterset_fields=[],
    )
    def measurements(self, request: Request, pk: str | None = None) -> Response:
        """The KPI's measurements; POST records a value in the KPI's unit (a second one for the date replaces it)."""
        kpi = cast(KPI, self.get_object())
        return self._list_or_report(
            request,
            kpi.measurements.select_related("recorded_by"),
            KPIMeasurementSerializer,
            kpi,
            lambda data: act.do_record_measurement(
                _user(request), kpi, date=data["date"], value=data["value"], note=data.get("note", "")
            ),
        )

    @extend_schema(request=KPIComputeSerializer, responses={201: KPIMeasurementSerializer})
    @action(detail=True, methods=["post"], serializer_class=KPIMeasurementSerializer, filterset_fields=[])
    def compute(self, request: Request, pk: str | None = None) -> Response:
        """Compute an automatic KPI from platform data at ``date`` (default today) and record it."""
        kpi = cast(KPI, self.get_object())
        require_measurer(_user(request), kpi)
        body = KPIComputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            measurement = act.do_compute_kpi(
                _user(request), kpi, body.validated_data.get("date") or timezone.localdate()
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(KPIMeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


def _published(exc: version_act.PublishedVersionError) -> Response:
    return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)


class VersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[StrategyVersion],
):
    """Frozen versions of strategies. Owner members read all; consulted organisations read those out of draft."""

    serializer_class = StrategyVersionSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["strategy", "status", "number"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return StrategyVersionDetailSerializer if self.action == "retrieve" else StrategyVersionSerializer

    def get_queryset(self) -> QuerySet[StrategyVersion]:
        user = _user(self.request)
        return (
            StrategyVersion.objects.filter(
                Q(strategy__in=strategies_visible_to(user))
                | Q(strategy__in=strategies_consulted_by(user), status__in=CONSULTEE_STATUSES)
            )
            .select_related("strategy", "strategy__organisation", "created_by", "approved_by", "published_by")
            .order_by("strategy", "-number")
        )

    def _decided(self) -> StrategyVersion:
        version = self.get_object()
        user = _user(self.request)
        if not (
            is_owner_member(user, version.strategy)
            and has_permission(user, version.strategy.organisation_id, Permission.DECIDE)
        ):
            raise PermissionDenied
        return version

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        strategy = serializer.validated_data["strategy"]
        _require(_user(self.request), strategy, Permission.DECIDE)
        try:
            serializer.instance = version_act.do_create_version(
                _user(self.request), strategy, serializer.validated_data.get("note", "")
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    @extend_schema(request=VersionTransitionSerializer, responses={200: StrategyVersionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], filterset_fields=[])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the version along the workflow. A published or withdrawn version answers 409."""
        version = self._decided()
        body = VersionTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            version = version_act.do_move_version(
                _user(request),
                version,
                data["status"],
                data.get("version"),
                legal_reference=data.get("legal_reference", ""),
                closes_on=data.get("consultation_closes_on"),
            )
        except version_act.PublishedVersionError as exc:
            return _published(exc)
        except act.ConcurrentEditError as exc:
            return _conflict(exc.current, StrategyVersionSerializer, request)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(StrategyVersionSerializer(version, context={"request": request}).data)

    @extend_schema(request=VersionRefreshSerializer, responses={200: StrategyVersionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], filterset_fields=[])
    def refresh(self, request: Request, pk: str | None = None) -> Response:
        """Take the working copy into a draft version again. A published version answers 409."""
        version = self._decided()
        body = VersionRefreshSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            version = version_act.do_refresh_version(_user(request), version, body.validated_data.get("version"))
        except version_act.PublishedVersionError as exc:
            return _published(exc)
        except act.ConcurrentEditError as exc:
            return _conflict(exc.current, StrategyVersionSerializer, request)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(StrategyVersionSerializer(version, context={"request": request}).data)
