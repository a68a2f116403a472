"""Audit records of sign-in: successful and failed sign-ins, second factors added and removed, and
accounts linked to an identity provider. Secrets (TOTP keys, recovery codes, tokens) are never copied."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.db.models import Model

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import AuditEntry, User


def _record(actor: User | None, action: str, instance: Model, changes: dict[str, list[Any]]) -> AuditEntry:
    with transaction.atomic():  # audit.record expects the action's transaction
        return audit.record(actor=actor, action=action, instance=instance, changes=changes)


def _appeared(values: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: [None, value] for field, value in values.items()}


def _gone(values: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: [value, None] for field, value in values.items()}


def do_record_sign_in(user: User, address: str, method: str) -> AuditEntry:
    """``method``: ``password``, ``password+totp``, ``password+webauthn``, ``password+recovery_codes`` or ``sso``."""
    return _record(user, AuditAction.SIGN_IN, user, _appeared({"address": address, "method": method}))


def do_record_failed_sign_in(user: User, address: str, step: str) -> AuditEntry:
    """A wrong password (``step`` ``password``) or a wrong second-factor code (``second_factor``)."""
    return _record(None, AuditAction.SIGN_IN_FAILED, user, _appeared({"address": address, "step": step}))


def _authenticator(authenticator: Authenticator) -> dict[str, Any]:
    return {"user": authenticator.user.get_username(), "type": authenticator.type}


def do_record_second_factor_added(actor: User, authenticator: Authenticator) -> AuditEntry:
    return _record(actor, AuditAction.CREATE, authenticator, _appeared(_authenticator(authenticator)))


def do_record_second_factor_removed(actor: User, authenticator: Authenticator) -> AuditEntry:
    return _record(actor, AuditAction.DELETE, authenticator, _gone(_authenticator(authenticator)))


def _identity(account: SocialAccount) -> dict[str, Any]:
    return {"user": account.user.get_username(), "provider": account.provider, "uid": account.uid}


def do_record_identity_linked(actor: User, account: SocialAccount) -> AuditEntry:
    return _record(actor, AuditAction.CREATE, account, _appeared(_identity(account)))


def do_record_identity_unlinked(actor: User, account: SocialAccount) -> AuditEntry:
    return _record(actor, AuditAction.DELETE, account, _gone(_identity(account)))
