"""The MISP export of a collection over the REST API (``/api/sharing-collections/<id>/misp-export/``)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from cyberplan.core.http import signed_in_user

from ..access import access_collection_by_id
from .exports import download


class CollectionMISPExportView(APIView):
    """A sharing collection's MISP events as a zip of MISP feed files (manifest.json, hashes.csv, one
    ``<event uuid>.json`` per event), as the collection's page offers it.

    Holds only the events the release rule lets go to the caller: never TLP:RED, and each label only as the
    caller's role in the collection's owner organisation reads it. Each export is recorded as a release on
    the ``misp-export`` channel and audited.
    """

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip of feed files."),
            404: OpenApiResponse(description="No such collection, or not one of the caller's organisations'."),
        },
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        user = signed_in_user(request)
        return download(user, access_collection_by_id(user, pk))
