"""Request helpers shared by the security features."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``CYBERPLAN_PROXY_COUNT`` trusted proxies the address
    they recorded in X-Forwarded-For (counted from the right, so a client cannot forge it)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.CYBERPLAN_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
