"""Writes to the core domain. Each action checks nothing about the caller's rights (views and
the API do that through ``access``) but always writes the audit trail in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import audit, tokens
from .access import forget_roles
from .choices import AuditAction
from .models import Membership, Organisation, User
from .tokens import APIToken

ORGANISATION_FIELDS = ("name", "acronym", "slug", "type", "country", "sector", "website", "description", "is_demo")


@transaction.atomic
def do_create_organisation(actor: User | None, **values: Any) -> Organisation:
    organisation = Organisation(**values)
    organisation.full_clean()
    organisation.save()
    audit.record_create(actor, organisation, organisation=organisation)
    return organisation


@transaction.atomic
def do_update_organisation(actor: User | None, organisation: Organisation, **values: Any) -> Organisation:
    before = audit.snapshot(organisation)
    for name, value in values.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"{name} is not an editable organisation field")
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    changes = audit.diff(before, audit.snapshot(organisation))
    if changes:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, instance=organisation, changes=changes, organisation=organisation
        )
    return organisation


@transaction.atomic
def do_add_membership(actor: User | None, user: User, organisation: Organisation, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if created:
        audit.record_create(actor, membership, organisation=organisation)
    elif membership.role != role:
        do_change_membership_role(actor, membership, role)
    forget_roles(user)
    return membership


@transaction.atomic
def do_change_membership_role(actor: User | None, membership: Membership, role: str) -> Membership:
    before = audit.snapshot(membership)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=membership,
        changes=audit.diff(before, audit.snapshot(membership)),
        organisation=membership.organisation,
    )
    forget_roles(membership.user)
    return membership


@transaction.atomic
def do_remove_membership(actor: User | None, membership: Membership) -> None:
    before = audit.snapshot(membership)
    organisation = membership.organisation
    user = membership.user
    audit.record_delete(actor, membership, before, organisation=organisation)
    membership.delete()
    forget_roles(user)


@transaction.atomic
def do_set_user_language(actor: User, language: str) -> User:
    before = audit.snapshot(actor, fields=["language"])
    actor.language = language
    actor.full_clean(exclude=["password", "username"])
    actor.save(update_fields=["language"])
    changes = audit.diff(before, audit.snapshot(actor, fields=["language"]))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=actor, changes=changes)
    return actor


# The token's fields copied into the audit log: never the hash of the secret.
API_TOKEN_AUDIT_FIELDS = ("user", "name", "prefix", "read_only", "allowed_networks", "created_at", "expires_at")


@transaction.atomic
def do_create_api_token(
    actor: User | None,
    user: User,
    *,
    name: str,
    expires_at: datetime.datetime,
    read_only: bool = False,
    allowed_networks: Iterable[str] = (),
) -> tuple[APIToken, str]:
    """Create a token for ``user``; return it with its secret, which is stored only as a hash.

    Raises ``ValidationError`` (by field) for an empty name, an expiry in the past or beyond
    ``CYBERPLAN_API_TOKEN_MAX_DAYS``, or a malformed network.
    """
    errors: dict[str, list[ValidationError]] = {}
    name = name.strip()
    if not name:
        errors.setdefault("name", []).append(ValidationError(_("Give the token a name.")))
    elif len(name) > tokens.NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            ValidationError(
                _("The name may have at most %(count)s characters."), params={"count": tokens.NAME_MAX_LENGTH}
            )
        )
    now = timezone.now()
    longest = tokens.max_lifetime_days()
    if expires_at <= now:
        errors.setdefault("expires_at", []).append(ValidationError(_("The expiry must be in the future.")))
    elif expires_at > now + datetime.timedelta(days=longest, minutes=1):
        errors.setdefault("expires_at", []).append(
            ValidationError(_("A token may live at most %(days)s days."), params={"days": longest})
        )
    try:
        networks = tokens.parse_networks(allowed_networks)
    except ValidationError as exc:
        errors.setdefault("allowed_networks", []).append(exc)
    if errors:
        raise ValidationError(errors)
    secret = tokens.new_secret()
    token = APIToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: tokens.SHOWN_PREFIX_LENGTH],
        key_hash=tokens.hash_secret(secret),
        read_only=read_only,
        allowed_networks=networks,
        expires_at=expires_at,
    )
    after = audit.snapshot(token, fields=API_TOKEN_AUDIT_FIELDS)
    audit.record(
        actor=actor, action=AuditAction.CREATE, instance=token, changes={k: [None, v] for k, v in after.items()}
    )
    return token, secret


@transaction.atomic
def do_revoke_api_token(actor: User | None, token: APIToken) -> APIToken:
    """Revoke ``token`` at once (revoking it again changes nothing)."""
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=token,
            changes={"revoked_at": [None, audit.snapshot(token, fields=["revoked_at"])["revoked_at"]]},
        )
    return token
