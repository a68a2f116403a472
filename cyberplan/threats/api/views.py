from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cyberplan.core.http import request_user, signed_in_user
from cyberplan.pipeline.importers.base import SourceError
from cyberplan.pipeline.query import EventFilter, decode_cursor, encode_cursor, page, utc_day
from cyberplan.threats import actions
from cyberplan.threats.access import access_event_store, imports_visible_to, store_grants_visible_to
from cyberplan.threats.models import Import, StoreGrant
from cyberplan.threats.store import event_store

from .serializers import EventQuerySerializer, ImportCreateSerializer, ImportSerializer, StoreGrantSerializer


class ImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Import]):
    """Imports of threat evidence. POST a file (multipart) to start one; it runs in the background."""

    serializer_class = ImportSerializer
    filterset_fields = ["organisation", "status", "format"]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Import]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return Import.objects.none()
        return imports_visible_to(user)

    @extend_schema(request=ImportCreateSerializer, responses={202: ImportSerializer})
    def create(self, request: Request) -> Response:
        body = ImportCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            record = actions.do_receive_import(
                signed_in_user(request),
                data["organisation"],
                data["file"],
                data["file"].name or "",
                format=data["format"],
                report_type=data["report_type"],
                mapping=data["mapping"],
                tlp=data["tlp"],
            )
        except SourceError as exc:
            return Response({"file": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportSerializer(record).data, status=status.HTTP_202_ACCEPTED)


class EventListView(APIView):
    """Events of one organisation's store (one's own, or one granted to one's organisation), newest first,
    filtered; TLP limits what each role sees, and for a granted store the release rule too."""

    @extend_schema(
        parameters=[EventQuerySerializer],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="count (exact), limit, offset, next_after (the position after this page, for the "
                "after parameter; null on the last page) and results (events with dotted field names)",
            )
        },
    )
    def get(self, request: Request) -> Response:
        query = EventQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data: dict[str, Any] = query.validated_data
        organisation, labels = access_event_store(signed_in_user(request), data["organisation"])

        flt = EventFilter(
            since=utc_day(data.get("since")),
            until=utc_day(data.get("until")),
            taxonomy=data.get("taxonomy"),
            type=data.get("type"),
            sector=data.get("sector"),
            country=data.get("country"),
            victim_country=data.get("victim_country"),
            asn=data.get("asn"),
            feed=data.get("feed"),
            ip=data.get("ip"),
            tlp_in=tuple(labels),
        )
        after = decode_cursor(data["after"]) if data.get("after") else None
        rows, total = page(
            event_store(organisation), flt, limit=data["limit"], offset=0 if after else data["offset"], after=after
        )
        next_after = encode_cursor(rows[-1]) if len(rows) == data["limit"] else None
        for row in rows:
            for key, value in row.items():
                if isinstance(value, dt.datetime):
                    row[key] = value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return Response(
            {
                "count": total,
                "limit": data["limit"],
                "offset": data["offset"],
                "next_after": next_after,
                "results": rows,
            }
        )


class StoreGrantViewSet(viewsets.ReadOnlyModelViewSet[StoreGrant]):
    """Store grants the reader's organisations gave or received, live and revoked (read only)."""

    serializer_class = StoreGrantSerializer
    filterset_fields = ["owner", "recipient", "ceiling"]

    def get_queryset(self) -> QuerySet[StoreGrant]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return StoreGrant.objects.none()
        return store_grants_visible_to(user).order_by("-granted_at")
