"""``/api/tokens/``: the caller's own API tokens: list, create (the secret is answered once), revoke."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response

from cyberplan.core import tokens
from cyberplan.core.actions import do_create_api_token, do_revoke_api_token
from cyberplan.core.http import request_user, signed_in_user
from cyberplan.core.tokens import APIToken, APITokenStatus


class APITokenSerializer(serializers.ModelSerializer[APIToken]):
    status = serializers.ChoiceField(choices=APITokenStatus.choices, read_only=True)
    allowed_networks = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = APIToken
        fields = [
            "id",
            "name",
            "prefix",
            "read_only",
            "allowed_networks",
            "created_at",
            "expires_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
            "status",
        ]
        read_only_fields = fields


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret. It is answered this once and never again.")

    class Meta(APITokenSerializer.Meta):
        fields = [*APITokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class APITokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=tokens.NAME_MAX_LENGTH)
    expires_in_days = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Days until the token expires: 90 unless given, at most CYBERPLAN_API_TOKEN_MAX_DAYS (365 by default).",
    )
    # A field named like Field.read_only: DRF's metaclass moves declared fields out of the class attributes.
    read_only = serializers.BooleanField(default=False)  # type: ignore[assignment]  # see above
    allowed_networks = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        help_text="Addresses or CIDR networks the token may be used from; empty means anywhere.",
    )

    def validate_expires_in_days(self, value: int) -> int:
        longest = tokens.max_lifetime_days()
        if value > longest:
            raise serializers.ValidationError(_("A token may live at most %(days)s days.") % {"days": longest})
        return value

    def validate_allowed_networks(self, value: list[str]) -> list[str]:
        try:
            return tokens.parse_networks(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        days = attrs.get("expires_in_days") or tokens.default_lifetime_days()
        attrs["expires_at"] = timezone.now() + datetime.timedelta(days=days)
        parent = self.context["request"].auth
        if isinstance(parent, APIToken):
            # A token may create tokens, but none that lives longer, reaches further or may do more than itself.
            if attrs["expires_at"] > parent.expires_at:
                raise serializers.ValidationError(
                    {
                        "expires_in_days": _(
                            "The token you are using expires on %(date)s; a token it creates cannot expire later."
                        )
                        % {"date": formats.date_format(timezone.localtime(parent.expires_at), "DATETIME_FORMAT")}
                    }
                )
            if parent.read_only:
                attrs["read_only"] = True
            if parent.allowed_networks:
                if not attrs["allowed_networks"]:
                    attrs["allowed_networks"] = list(parent.allowed_networks)
                outside = tokens.networks_within(attrs["allowed_networks"], parent.allowed_networks)
                if outside:
                    raise serializers.ValidationError(
                        {
                            "allowed_networks": _("%(networks)s lie outside the networks of the token you are using.")
                            % {"networks": ", ".join(outside)}
                        }
                    )
        return attrs


class APITokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[APIToken]):
    """The caller's own API tokens. Other users' tokens are never visible (404)."""

    serializer_class = APITokenSerializer
    filterset_fields = ["read_only"]

    def get_queryset(self) -> QuerySet[APIToken]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request gets an empty list, not an error
            return APIToken.objects.none()
        return APIToken.objects.filter(user=user)

    @extend_schema(request=APITokenCreateSerializer, responses={201: APITokenCreatedSerializer})
    def create(self, request: Request) -> Response:
        incoming = APITokenCreateSerializer(data=request.data, context={"request": request})
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            token, secret = do_create_api_token(
                signed_in_user(request),
                signed_in_user(request),
                name=data["name"],
                expires_at=data["expires_at"],
                read_only=data["read_only"],
                allowed_networks=data["allowed_networks"],
            )
        except ValidationError as exc:
            raise serializers.ValidationError(get_error_detail(exc)) from None
        body = APITokenCreatedSerializer(token, context={"request": request}).data
        body["token"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=APITokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = do_revoke_api_token(signed_in_user(request), self.get_object())
        return Response(APITokenSerializer(token, context={"request": request}).data)
