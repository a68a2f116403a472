"""REST API of the legal alignment app: instruments, reviews, their findings and coverage.

Reads go through ``cyberplan.legal.access`` (organisation, role, TLP); writes through the actions.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cyberplan.core.access import Permission
from cyberplan.core.models import User
from cyberplan.legal import actions, parsing
from cyberplan.legal.access import (
    access_instrument_by_id,
    access_review_by_id,
    instruments_visible_to,
    mappable_articles,
    reviews_visible_to,
)
from cyberplan.legal.catalogue import shipped_catalogue
from cyberplan.legal.choices import ReviewState
from cyberplan.legal.coverage import compare, coverage_by_group
from cyberplan.legal.models import Instrument, Review

from .serializers import (
    ChangeSerializer,
    FindingSerializer,
    FindingUpdateSerializer,
    GapPushSerializer,
    GroupCoverageSerializer,
    ImportResultSerializer,
    InstrumentImportSerializer,
    InstrumentSerializer,
    ReviewCreateSerializer,
    ReviewSerializer,
    StateSerializer,
)

COVERAGE_FIGURES = (
    "treaty",
    "group",
    "total",
    "applicable",
    "full",
    "none",
    "not_applicable",
    "unassessed",
    "full_share",
    "covered_share",
)


def _user(request: Request) -> User:
    return cast(User, request.user)


def _as_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class InstrumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Instrument]):
    # The import reads a CSV upload; the other operations answer JSON.
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    """National laws, decrees and regulations with their articles. Filtered by organisation, role and TLP."""

    serializer_class = InstrumentSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "country", "kind", "status"]

    def get_queryset(self) -> QuerySet[Instrument]:
        return instruments_visible_to(_user(self.request)).prefetch_related("articles")

    def get_object(self) -> Instrument:
        return access_instrument_by_id(_user(self.request), self.kwargs["pk"])

    @extend_schema(request={"multipart/form-data": InstrumentImportSerializer}, responses=ImportResultSerializer)
    @action(detail=False, methods=["post"], url_path="import", serializer_class=InstrumentImportSerializer)
    def import_csv(self, request: Request) -> Response:
        """Import instruments and articles from a CSV; 400 names every bad line, and nothing is written."""
        body = InstrumentImportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            result = actions.do_import_instruments_csv(
                _user(request), data["organisation"], data["country"], data["file"].read()
            )
        except parsing.LegalImportError as exc:
            raise serializers.ValidationError({"file": [str(p) for p in exc.problems]}) from exc
        return Response(ImportResultSerializer(result).data)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Review]):
    """Alignment reviews. Filtered by organisation, role and TLP; an approved review is frozen."""

    serializer_class = ReviewSerializer
    lookup_value_regex = r"\d+"
    filterset_fields = ["organisation", "country", "state", "tlp"]

    def get_queryset(self) -> QuerySet[Review]:
        return reviews_visible_to(_user(self.request))

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer})
    def create(self, request: Request) -> Response:
        """A new draft review with one finding per provision of the catalogue (edit in the organisation)."""
        body = ReviewCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        copy_from = None
        if data.get("copy_from"):
            try:
                copy_from = access_review_by_id(_user(request), data["copy_from"])
            except Http404:
                raise serializers.ValidationError({"copy_from": ["No review you may read has this number."]}) from None
        data.pop("copy_from", None)
        organisation = data.pop("organisation")
        try:
            review = actions.do_create_review(_user(request), organisation, copy_from=copy_from, **data)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    def get_object(self) -> Review:
        permission = Permission.VIEW
        if self.action == "update_finding":
            permission = Permission.EDIT
        elif self.action == "set_state":
            state = self.request.data.get("state") if hasattr(self.request.data, "get") else None
            permission = Permission.EDIT if state == ReviewState.IN_REVIEW else Permission.DECIDE
        elif self.action == "push_gaps":
            permission = Permission.DECIDE
        return access_review_by_id(_user(self.request), self.kwargs["pk"], permission)

    @extend_schema(responses=FindingSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def findings(self, request: Request, pk: str | None = None) -> Response:
        """Every provision of the review: coverage, national provisions (ids), reasoning, flags."""
        review = self.get_object()
        rows = review.provisions.select_related("reviewer").prefetch_related("national_articles__instrument")
        return Response(FindingSerializer(rows, many=True).data)

    @extend_schema(request=FindingUpdateSerializer, responses=FindingSerializer)
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"findings/(?P<provision>[a-z0-9-]+:\d+)",
        serializer_class=FindingUpdateSerializer,
    )
    def update_finding(self, request: Request, pk: str | None = None, provision: str = "") -> Response:
        """Map one provision: coverage, reasoning, national article ids of the review's country."""
        review = self.get_object()
        finding = review.provisions.filter(provision=provision).first()
        if finding is None:
            raise serializers.ValidationError({"provision": [f"unknown provision {provision!r}"]})
        body = FindingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        if "national_articles" in given:
            ids = given["national_articles"]
            articles = list(mappable_articles(_user(request), review).filter(pk__in=ids))
            missing = sorted(set(ids) - {a.pk for a in articles})
            if missing:
                raise serializers.ValidationError({"national_articles": [f"unknown national articles: {missing}"]})
        else:
            articles = list(finding.national_articles.select_related("instrument"))
        try:
            updated = actions.do_update_finding(
                _user(request),
                finding,
                coverage=given.get("coverage", finding.coverage),
                reasoning=given.get("reasoning", finding.reasoning),
                reservation=given.get("reservation", finding.reservation),
                national_articles=articles,
            )
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(FindingSerializer(updated).data)

    @extend_schema(responses=GroupCoverageSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """Coverage per chapter and section of each treaty, then each treaty's total (not applicable left out)."""
        review = self.get_object()
        catalogue = shipped_catalogue()
        findings = review.findings()
        rows: list[dict[str, Any]] = []
        for treaty in catalogue.treaties:
            for row in coverage_by_group(catalogue, findings, treaty.id):
                figures = {name: getattr(row, name) for name in COVERAGE_FIGURES}
                rows.append({**figures, "partly": row.partial})
        return Response(GroupCoverageSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("with", int, required=True, description="The other review's id.")],
        responses=ChangeSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def compare(self, request: Request, pk: str | None = None) -> Response:
        """The provisions whose coverage differs between this review and another (earlier to later)."""
        review = self.get_object()
        other = access_review_by_id(_user(request), request.query_params.get("with", ""))
        earlier, later = sorted([other, review], key=lambda r: (r.date, r.pk))
        changes = [c for c in compare(shipped_catalogue(), earlier.findings(), later.findings()) if c.changed]
        data = [
            {"provision": c.provision, "before": c.before, "after": c.after, "direction": c.direction} for c in changes
        ]
        return Response(ChangeSerializer(data, many=True).data)

    @extend_schema(request=StateSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="state", serializer_class=StateSerializer)
    def set_state(self, request: Request, pk: str | None = None) -> Response:
        """Send for review (edit), approve or send back to draft (decide). Approval freezes the review."""
        review = self.get_object()
        body = StateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            review = actions.do_set_review_state(_user(request), review, body.validated_data["state"])
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(ReviewSerializer(review).data)

    @extend_schema(request=None, responses=GapPushSerializer)
    @action(detail=True, methods=["post"], url_path="gaps")
    def push_gaps(self, request: Request, pk: str | None = None) -> Response:
        """Turn the approved review's uncovered and partly covered provisions into gaps (source legal, once each)."""
        review = self.get_object()
        try:
            pushed = actions.do_push_review_gaps(_user(request), review)
        except DjangoValidationError as exc:
            raise _as_drf(exc) from exc
        return Response(GapPushSerializer({"created": pushed.created, "updated": pushed.updated}).data)
