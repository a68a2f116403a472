"""API tokens: several per user, named, expiring, optionally read-only and bound to networks.

Only a SHA-256 hash of each secret is stored. The secret is shown once, when the token is
created. A token acts with its user's rights and never more: the organisations, roles and TLP
of the user still decide what each request may see and change.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every secret starts with this, so a leaked token is easy to recognise (and to search for).
SECRET_PREFIX = "cyp_"  # noqa: S105 -- a public marker, not a secret
# How many leading characters of a secret are kept in clear, to tell tokens apart in lists.
SHOWN_PREFIX_LENGTH = len(SECRET_PREFIX) + 8
DEFAULT_LIFETIME_DAYS = 90
MAX_NETWORKS = 50
NAME_MAX_LENGTH = 100
# Last use is written at most this often per token, so a busy script does not write on every request.
LAST_USED_INTERVAL = datetime.timedelta(minutes=1)


class APITokenStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def max_lifetime_days() -> int:
    return int(settings.CYBERPLAN_API_TOKEN_MAX_DAYS)


def default_lifetime_days() -> int:
    return min(DEFAULT_LIFETIME_DAYS, max_lifetime_days())


def lifetime_choices() -> list[tuple[int, str]]:
    """The lifetimes offered on the account page, up to the configured maximum."""
    longest = max_lifetime_days()
    days = sorted({d for d in (7, 30, 90, 180, 365) if d <= longest} | {longest})
    return [(d, str(_("%(days)s days") % {"days": d})) for d in days]


def parse_networks(entries: Iterable[str], *, numbered: bool = False) -> list[str]:
    """Validate addresses and CIDR networks; return them in canonical form, without repeats.

    A single address stands for itself (``192.0.2.7`` is ``192.0.2.7/32``). Errors name the
    entry (and its line, when ``numbered``) and are raised together.
    """
    result: list[str] = []
    errors: list[ValidationError] = []
    for index, raw in enumerate(entries, start=1):
        text = str(raw).strip()
        if not text:
            continue
        where = _("Line %(line)s") % {"line": index} if numbered else _("Entry %(line)s") % {"line": index}
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(text, strict=False)
            except ValueError:
                errors.append(
                    ValidationError(
                        _("%(where)s: “%(value)s” is not an IP address or a network such as 192.0.2.0/24."),
                        params={"where": where, "value": text[:60]},
                    )
                )
            else:
                errors.append(
                    ValidationError(
                        _("%(where)s: “%(value)s” has host bits set; did you mean %(network)s?"),
                        params={"where": where, "value": text[:60], "network": str(loose)},
                    )
                )
            continue
        if str(network) not in result:
            result.append(str(network))
    if errors:
        raise ValidationError(errors)
    if len(result) > MAX_NETWORKS:
        raise ValidationError(_("At most %(count)s networks may be listed."), params={"count": MAX_NETWORKS})
    return result


def address_in(address: str, networks: Iterable[str]) -> bool:
    """Whether ``address`` lies in one of ``networks`` (an IPv4 address mapped into IPv6 counts as IPv4)."""
    try:
        ip: Any = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(network) for network in networks)


def networks_within(inner: Iterable[str], outer: Iterable[str]) -> list[str]:
    """The networks of ``inner`` that are not inside any network of ``outer``."""
    outside = []
    outer_networks = [ipaddress.ip_network(n) for n in outer]
    for text in inner:
        network: Any = ipaddress.ip_network(text)
        if not any(network.version == o.version and network.subnet_of(o) for o in outer_networks):
            outside.append(text)
    return outside


class APIToken(models.Model):
    """A secret a script sends to the API instead of a password."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("The first characters of the secret, to recognise the token.")
    )
    key_hash = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(_("read-only"), default=False)
    allowed_networks = models.JSONField(
        _("allowed networks"),
        default=list,
        blank=True,
        help_text=_("Addresses or CIDR networks the token may be used from; empty means anywhere."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        app_label = "core"
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status(self) -> APITokenStatus:
        if self.revoked_at is not None:
            return APITokenStatus.REVOKED
        if self.is_expired:
            return APITokenStatus.EXPIRED
        return APITokenStatus.ACTIVE

    def get_status_display(self) -> str:
        return str(self.status.label)

    def allows_address(self, address: str) -> bool:
        return not self.allowed_networks or address_in(address, self.allowed_networks)
