"""API token authentication: ``Authorization: Bearer <token>`` (or ``Token <token>``)."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from cyberplan.core.security import client_ip
from cyberplan.core.tokens import LAST_USED_INTERVAL, APIToken, hash_secret

logger = logging.getLogger("cyberplan.security")

KEYWORDS = (b"bearer", b"token")


def _refuse(reason: str, request: Request, token: APIToken | None = None) -> None:
    """Log a refused token (never the secret itself)."""
    logger.warning(
        "API token refused: %s; token=%s user=%s address=%s %s %s",
        reason,
        token.prefix if token is not None else "-",
        token.user.get_username() if token is not None else "-",
        client_ip(request._request),
        request.method,
        request.path,
    )


def _valid_ip(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class APITokenAuthentication(BaseAuthentication):
    """Authenticates with a :class:`~cyberplan.core.tokens.APIToken`.

    An expired or revoked token, or one sent from an address outside its networks, gets 401
    with a message saying why. A read-only token gets 403 on any method that changes data.
    """

    def authenticate(self, request: Request) -> tuple[Any, APIToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            _refuse("malformed header", request)
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: send “Bearer” followed by one space and the token.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeError:
            _refuse("malformed header", request)
            raise exceptions.AuthenticationFailed(_("The token contains characters a token never has.")) from None
        token = APIToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
        if token is None:
            _refuse("unknown token", request)
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            _refuse("revoked", request, token)
            raise exceptions.AuthenticationFailed(_("This token was revoked."))
        now = timezone.now()
        if token.expires_at <= now:
            _refuse("expired", request, token)
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s.")
                % {"date": formats.date_format(timezone.localtime(token.expires_at), "DATETIME_FORMAT")}
            )
        if not token.user.is_active:
            _refuse("inactive user", request, token)
            raise exceptions.AuthenticationFailed(_("The user of this token is inactive."))
        address = client_ip(request._request)
        if not token.allows_address(address):
            _refuse("address not allowed", request, token)
            raise exceptions.AuthenticationFailed(
                _("This token may not be used from your address (%(address)s).") % {"address": address}
            )
        if token.read_only and request.method not in SAFE_METHODS:
            _refuse("read-only token on an unsafe method", request, token)
            raise exceptions.PermissionDenied(_("This token is read-only: it may only read (GET, HEAD, OPTIONS)."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_INTERVAL:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=_valid_ip(address))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class APITokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # untyped library base
    target_class = APITokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token from the account page or `cyberplan tokens create`: "
                "`Authorization: Bearer <token>` (`Token <token>` is accepted too)."
            ),
        }
