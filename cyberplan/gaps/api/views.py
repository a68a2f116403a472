from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cyberplan.core.access import Permission, has_permission
from cyberplan.core.api.schema import CONFLICT
from cyberplan.core.api.serializers import AuditEntrySerializer
from cyberplan.core.audit import history_of
from cyberplan.core.http import request_user, signed_in_user
from cyberplan.gaps import actions
from cyberplan.gaps.access import access_gap_by_id, gaps_visible_to
from cyberplan.gaps.models import Gap

from .serializers import GapEvidenceSerializer, GapSerializer, GapStatusSerializer


def _conflict(current: Gap, request: Request) -> Response:
    return Response(
        {
            "detail": "The gap changed since you read it; read it again and reapply your change.",
            "current": GapSerializer(current, context={"request": request}).data,
        },
        status=status.HTTP_409_CONFLICT,
    )


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class GapViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Gap],
):
    """The gap register. Reads are filtered by organisation, role and TLP."""

    serializer_class = GapSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "status", "severity", "source", "tlp", "identifier"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Gap]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return Gap.objects.none()
        return gaps_visible_to(user)

    def get_object(self) -> Gap:
        permission = {
            "partial_update": Permission.EDIT,
            "update": Permission.EDIT,
            "destroy": Permission.DELETE,
            "set_status": Permission.DECIDE,
        }.get(self.action, Permission.VIEW)
        return access_gap_by_id(signed_in_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: BaseSerializer[Gap]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        data.pop("version", None)
        try:
            serializer.instance = actions.do_create_gap(signed_in_user(self.request), organisation, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        gap = self.get_object()
        serializer = self.get_serializer(gap, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            gap = actions.do_update_gap(signed_in_user(request), gap, version, **data)
        except actions.ConcurrentEditError as exc:
            return _conflict(exc.current, request)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self.get_serializer(gap).data)

    def perform_destroy(self, instance: Gap) -> None:
        actions.do_delete_gap(signed_in_user(self.request), instance)

    @extend_schema(request=GapStatusSerializer, responses={200: GapSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: str | None = None) -> Response:
        gap = self.get_object()
        body = GapStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            gap = actions.do_set_gap_status(
                signed_in_user(request), gap, body.validated_data["status"], body.validated_data["version"]
            )
        except actions.ConcurrentEditError as exc:
            return _conflict(exc.current, request)
        return Response(self.get_serializer(gap).data)

    @extend_schema(methods=["get"], responses=GapEvidenceSerializer(many=True))
    @extend_schema(methods=["post"], request=GapEvidenceSerializer, responses={201: GapEvidenceSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=GapEvidenceSerializer)
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        gap = access_gap_by_id(signed_in_user(request), int(pk or 0))
        if request.method == "GET":
            return Response(GapEvidenceSerializer(gap.evidence.select_related("added_by"), many=True).data)
        if not has_permission(signed_in_user(request), gap.organisation_id, Permission.CONTRIBUTE):
            raise PermissionDenied
        body = GapEvidenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            evidence = actions.do_add_gap_evidence(signed_in_user(request), gap, **body.validated_data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(GapEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=AuditEntrySerializer)
    def history(self, request: Request, pk: str | None = None) -> Response:
        gap = access_gap_by_id(signed_in_user(request), int(pk or 0))
        return Response(AuditEntrySerializer(history_of(gap).select_related("content_type")[:200], many=True).data)
