from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from cyberplan.assessment import actions, results
from cyberplan.assessment.access import (
    access_answer_by_id,
    access_assessment_by_id,
    access_factor,
    answers_visible_to,
    assessments_visible_to,
    can_answer,
)
from cyberplan.assessment.exchange import ExchangeError, export_assessment, import_assessment
from cyberplan.assessment.models import Answer, Assessment
from cyberplan.core.access import Permission
from cyberplan.core.api.schema import CONFLICT
from cyberplan.core.models import User

from .serializers import (
    AnswerEvidenceSerializer,
    AnswerSerializer,
    AssessmentSerializer,
    FactorCommentSerializer,
    FactorScoreSerializer,
    FactorUpdateSerializer,
    GapChangeSerializer,
    ImportSerializer,
    UnlockSerializer,
)


def _user(request: Request) -> User:
    return cast(User, request.user)


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


def _locked() -> Response:
    return Response(
        {"detail": "The assessment is locked: it is final and can no longer be changed."},
        status=status.HTTP_409_CONFLICT,
    )


class AssessmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Assessment],
):
    """Capacity assessments. Reads are filtered by organisation, role and TLP."""

    serializer_class = AssessmentSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "country", "method", "tlp", "locked"]

    def get_queryset(self) -> QuerySet[Assessment]:
        return assessments_visible_to(_user(self.request))

    def get_object(self) -> Assessment:
        permission = {
            "lock": Permission.DECIDE,
            "sync_gaps": Permission.DECIDE,
            "unlock": Permission.ADMINISTER,
            "update_factor": Permission.DECIDE,
            "approve_factor": Permission.DECIDE,
        }.get(self.action or "", Permission.VIEW)
        return access_assessment_by_id(_user(self.request), self.kwargs["pk"], permission)

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        framework = data.pop("framework")
        try:
            serializer.instance = actions.do_create_assessment(_user(self.request), organisation, framework, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc

    @extend_schema(responses=FactorScoreSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def scores(self, request: Request, pk: str | None = None) -> Response:
        """Per factor: stage by the framework's rule, per-stage counts, evidence coverage, claims without evidence."""
        assessment = self.get_object()
        return Response(results.factor_scores(assessment, (get_language() or "en")[:2]))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """The assessment as an exchange file (see the import)."""
        return Response(export_assessment(self.get_object()))

    @extend_schema(request=ImportSerializer, responses={201: AssessmentSerializer})
    @action(detail=False, methods=["post"], url_path="import", serializer_class=ImportSerializer)
    def import_file(self, request: Request) -> Response:
        """Create an assessment from an exchange file; 400 names the field of the file that is wrong."""
        body = ImportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            assessment = import_assessment(
                _user(request), body.validated_data["organisation"], body.validated_data["document"]
            )
        except ExchangeError as exc:
            raise serializers.ValidationError({"document": [str(exc)]}) from exc
        return Response(
            AssessmentSerializer(assessment, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request: Request, pk: str | None = None) -> Response:
        assessment = actions.do_lock_assessment(_user(request), self.get_object())
        return Response(AssessmentSerializer(assessment, context={"request": request}).data)

    @extend_schema(request=UnlockSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        assessment = self.get_object()
        body = UnlockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = actions.do_unlock_assessment(_user(request), assessment, body.validated_data["reason"])
        return Response(AssessmentSerializer(assessment, context={"request": request}).data)

    @extend_schema(request=None, responses={200: GapChangeSerializer(many=True), 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="gaps", pagination_class=None)
    def sync_gaps(self, request: Request, pk: str | None = None) -> Response:
        """Bring the gap register in line with the target profile (latest assessment of the country only)."""
        assessment = self.get_object()
        try:
            changes = actions.do_sync_assessment_gaps(_user(request), assessment)
        except actions.AssessmentLockedError:
            return _locked()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(GapChangeSerializer(changes, many=True).data)

    def _factor_score(self, assessment: Assessment, factor_id: str) -> dict[str, Any]:
        scores = results.factor_scores(assessment, (get_language() or "en")[:2])
        return next(s for s in scores if s["factor_id"] == factor_id)

    @extend_schema(request=FactorUpdateSerializer, responses=FactorScoreSerializer)
    @action(detail=True, methods=["patch"], url_path=r"factors/(?P<factor_id>\d+\.\d+)")
    def update_factor(self, request: Request, pk: str | None = None, factor_id: str = "") -> Response:
        """Set a factor's target stage and/or its contributor (coordinators and administrators)."""
        assessment = self.get_object()
        row = access_factor(assessment, factor_id)
        body = FactorUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            if "target_stage" in body.validated_data:
                row = actions.do_set_target_stage(_user(request), row, body.validated_data["target_stage"])
            if "assignee" in body.validated_data:
                row = actions.do_assign_factor(_user(request), row, body.validated_data["assignee"])
        except actions.AssessmentLockedError:
            return _locked()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(self._factor_score(assessment, factor_id))

    @extend_schema(request=None, responses={200: FactorScoreSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path=r"factors/(?P<factor_id>\d+\.\d+)/approve")
    def approve_factor(self, request: Request, pk: str | None = None, factor_id: str = "") -> Response:
        """Approve a factor as reviewed; the approval is cleared when its answers or evidence change."""
        assessment = self.get_object()
        try:
            actions.do_approve_factor(_user(request), access_factor(assessment, factor_id))
        except actions.AssessmentLockedError:
            return _locked()
        return Response(self._factor_score(assessment, factor_id))

    @extend_schema(methods=["get"], responses=FactorCommentSerializer(many=True))
    @extend_schema(
        methods=["post"], request=FactorCommentSerializer, responses={201: FactorCommentSerializer, 409: CONFLICT}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path=r"factors/(?P<factor_id>\d+\.\d+)/comments",
        serializer_class=FactorCommentSerializer,
        pagination_class=None,
    )
    def factor_comments(self, request: Request, pk: str | None = None, factor_id: str = "") -> Response:
        assessment = self.get_object()
        row = access_factor(assessment, factor_id)
        if request.method == "GET":
            comments = assessment.comments.filter(factor_id=factor_id).select_related("author")
            return Response(FactorCommentSerializer(comments, many=True).data)
        if not can_answer(_user(request), assessment, row):
            raise PermissionDenied
        body = FactorCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            comment = actions.do_add_factor_comment(_user(request), row, body.validated_data["text"])
        except actions.AssessmentLockedError:
            return _locked()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(FactorCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class AssessmentAnswerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Answer],
):
    """Answers to indicators. Updating needs the version last read: a stale version gets 409 with the current answer."""

    serializer_class = AnswerSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["assessment", "factor_id", "indicator_id", "value"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Answer]:
        return answers_visible_to(_user(self.request)).prefetch_related("evidence").order_by("id")

    def get_object(self) -> Answer:
        return access_answer_by_id(_user(self.request), self.kwargs["pk"])

    def _require_answer(self, answer: Answer) -> None:
        assessment = access_assessment_by_id(_user(self.request), answer.assessment_id)
        if not can_answer(_user(self.request), assessment, access_factor(assessment, answer.factor_id)):
            raise PermissionDenied

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = self.get_object()
        self._require_answer(answer)
        body = self.get_serializer(answer, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "version" not in data:
            raise serializers.ValidationError({"version": ["Give the version you are editing."]})
        if "value" not in data:
            raise serializers.ValidationError({"value": ["Give the answer."]})
        try:
            answer = actions.do_answer_indicator(
                _user(request), answer, data["version"], value=data["value"], note=data.get("note")
            )
        except actions.ConcurrentEditError as exc:
            return Response(
                {
                    "detail": "The answer changed since you read it; read it again and reapply your change.",
                    "current": AnswerSerializer(exc.current).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except actions.AssessmentLockedError:
            return _locked()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(AnswerSerializer(answer).data)

    @extend_schema(methods=["get"], responses=AnswerEvidenceSerializer(many=True))
    @extend_schema(
        methods=["post"], request=AnswerEvidenceSerializer, responses={201: AnswerEvidenceSerializer, 409: CONFLICT}
    )
    @action(detail=True, methods=["get", "post"], serializer_class=AnswerEvidenceSerializer, pagination_class=None)
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        answer = self.get_object()
        if request.method == "GET":
            return Response(AnswerEvidenceSerializer(answer.evidence.select_related("added_by"), many=True).data)
        self._require_answer(answer)
        body = AnswerEvidenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if k != "id"}
        try:
            evidence = actions.do_add_answer_evidence(_user(request), answer, **data)
        except actions.AssessmentLockedError:
            return _locked()
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(AnswerEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)
