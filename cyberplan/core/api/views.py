from __future__ import annotations

from django.db.models import QuerySet
from django_countries import countries
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cyberplan.core import access
from cyberplan.core.access import Permission
from cyberplan.core.http import request_user
from cyberplan.core.models import AuditEntry, Membership, Organisation, Sector

from .serializers import (
    AuditEntrySerializer,
    CountrySerializer,
    MembershipSerializer,
    OrganisationSerializer,
    SectorSerializer,
)


class CountryListView(APIView):
    """ISO 3166-1 countries with names in the request's language."""

    @extend_schema(responses=CountrySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response([{"code": code, "name": str(name)} for code, name in countries])


class SectorViewSet(viewsets.ReadOnlyModelViewSet[Sector]):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    pagination_class = None


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet[Organisation]):
    """Organisations the caller is a member of."""

    serializer_class = OrganisationSerializer
    filterset_fields = ["type", "country"]

    def get_queryset(self) -> QuerySet[Organisation]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return Organisation.objects.none()
        return access.organisations_where(user).select_related("sector")


class MembershipViewSet(viewsets.ReadOnlyModelViewSet[Membership]):
    """Memberships of the organisations the caller belongs to."""

    serializer_class = MembershipSerializer
    filterset_fields = ["organisation", "role"]

    def get_queryset(self) -> QuerySet[Membership]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return Membership.objects.none()
        return Membership.objects.filter(
            organisation_id__in=access.organisation_ids_where(user, Permission.VIEW)
        ).select_related("user")


class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[AuditEntry]):
    """The audit log of the organisations where the caller may read it (administrators, coordinators)."""

    serializer_class = AuditEntrySerializer
    filterset_fields = ["organisation", "action", "object_id"]

    def get_queryset(self) -> QuerySet[AuditEntry]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return AuditEntry.objects.none()
        return AuditEntry.objects.filter(access.audit_entries_visible_q(user)).select_related("content_type")
