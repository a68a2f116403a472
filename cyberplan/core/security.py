"""Request helpers shared by the security features."""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``CYBERPLAN_PROXY_COUNT`` trusted proxies the address
    they recorded in X-Forwarded-For (counted from the right, so a client cannot forge it)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    hops = int(settings.CYBERPLAN_PROXY_COUNT)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def address_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the request's address within the cool-off time, whatever the user name."""
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def failure_limit(request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
    """django-axes' failure limit, asked before each sign-in and after each failure.

    django-axes counts failures per user name and address and compares them with one limit. A second
    counter, per address across all user names, stops one address from trying a few passwords on many
    accounts: once it reaches ``CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT`` the limit becomes zero, so every
    sign-in from that address is locked out until the cool-off time has passed.
    """
    if address_failures(request) >= settings.CYBERPLAN_LOGIN_ADDRESS_FAILURE_LIMIT:
        request.cyberplan_address_locked = True  # type: ignore[attr-defined]  # a mark on this request, read by the sign-in page
        return 0
    return int(settings.CYBERPLAN_LOGIN_FAILURE_LIMIT)
