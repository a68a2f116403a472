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


class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    pagination_class = None


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the caller is a member of."""

    serializer_class = OrganisationSerializer
    filterset_fields = ["type", "country"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return access.organisations_where(self.request.user).select_related("sector")


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Memberships of the organisations the caller belongs to."""

    serializer_class = MembershipSerializer
    filterset_fields = ["organisation", "role"]

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.filter(
            organisation_id__in=access.organisation_ids_where(self.request.user, Permission.VIEW)
        ).select_related("user")


class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The audit log of the organisations where the caller may read it (administrators, coordinators)."""

    serializer_class = AuditEntrySerializer
    filterset_fields = ["organisation", "action", "object_id"]

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.filter(access.audit_entries_visible_q(self.request.user)).select_related(
            "content_type"
        )
