"""REST API of the regional programme, receiving side: a member's package file is uploaded and either accepted
(201) or refused (422, the refusal kept with its code and reason). Same checks as the page and the command."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cyberplan.core.access import Permission, has_permission, require
from cyberplan.core.models import Organisation, User
from cyberplan.core.uploads import safe_filename
from cyberplan.regional import intake
from cyberplan.regional.access import programmes_where
from cyberplan.regional.models import ReceivedPackage


class ReceiveUploadSerializer(serializers.Serializer[Any]):
    programme = serializers.IntegerField(help_text="The regional programme organisation's id.")
    period = serializers.CharField(max_length=10, help_text="The period packages are expected for (2026, 2026-Q2).")
    file = serializers.FileField(help_text="The package file (a STIX 2.1 bundle) the member sent.")


class ReceiveOutcomeSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=["accepted", "refused"])
    id = serializers.IntegerField()
    country = serializers.CharField()
    period = serializers.CharField()
    version = serializers.IntegerField(required=False)
    code = serializers.CharField(required=False)
    reason = serializers.CharField(required=False)
    content_hash = serializers.CharField()


class ReceivePackageView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": ReceiveUploadSerializer},
        responses={
            201: ReceiveOutcomeSerializer,
            422: ReceiveOutcomeSerializer,
            404: OpenApiResponse(description="No regional programme of this id among those you belong to."),
        },
    )
    def post(self, request: Request) -> Response:
        """Receive a member's statistics package: 201 accepted, 422 refused (kept with its reason), 400 bad request."""
        user = cast(User, request.user)
        body = ReceiveUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        programme = programmes_where(user).filter(pk=data["programme"]).first()
        if programme is None or not has_permission(user, programme.pk, Permission.VIEW):
            raise NotFound
        require(user, programme.pk, Permission.EDIT)
        return _receive(user, programme, data)


def _receive(user: User, programme: Organisation, data: dict[str, Any]) -> Response:
    upload = data["file"]
    if upload.size is not None and upload.size > intake.max_bytes():
        raise serializers.ValidationError({"file": [_("The file is larger than the limit for a statistics package.")]})
    try:
        outcome = intake.do_receive(user, programme, data["period"], safe_filename(upload.name or ""), upload.read())
    except DjangoValidationError as exc:
        raise serializers.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        ) from exc
    if isinstance(outcome, ReceivedPackage):
        p = outcome
        body = {"outcome": "accepted", "id": p.pk, "country": p.member.country, "period": p.period}
        body |= {"version": p.version, "content_hash": p.content_hash}
        return Response(body, status=status.HTTP_201_CREATED)
    r = outcome
    body = {"outcome": "refused", "id": r.pk, "country": r.claimed_country, "period": r.period}
    body |= {"code": r.code, "reason": r.reason, "content_hash": r.content_hash}
    return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
