"""Audit records of sign-in: successful and failed sign-ins, second factors added and removed, and
accounts linked to an identity provider. Secrets (TOTP keys, recovery codes, tokens) are never copied."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db import transaction

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import AuditEntry, User


def do_record_sign_in(user: User, address: str, method: str) -> AuditEntry:
    """``method``: ``password``, ``password+totp``, ``password+webauthn``, ``password+recovery_codes`` or ``sso``."""
    with transaction.atomic():
        return audit.record(
            actor=user,
            action=AuditAction.SIGN_IN,
            instance=user,
            changes={"address": [None, address], "method": [None, method]},
        )


def do_record_failed_sign_in(user: User, address: str, step: str) -> AuditEntry:
    """A wrong password (``step`` ``password``) or a wrong second-factor code (``second_factor``)."""
    with transaction.atomic():
        return audit.record(
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            instance=user,
            changes={"address": [None, address], "step": [None, step]},
        )


def do_record_second_factor_added(actor: User, authenticator: Authenticator) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=authenticator,
            changes={"user": [None, authenticator.user.get_username()], "type": [None, authenticator.type]},
        )


def do_record_second_factor_removed(actor: User, authenticator: Authenticator) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=authenticator,
            changes={"user": [authenticator.user.get_username(), None], "type": [authenticator.type, None]},
        )


def do_record_identity_linked(actor: User, account: SocialAccount) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            instance=account,
            changes={
                "user": [None, account.user.get_username()],
                "provider": [None, account.provider],
                "uid": [None, account.uid],
            },
        )


def do_record_identity_unlinked(actor: User, account: SocialAccount) -> AuditEntry:
    with transaction.atomic():
        return audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            instance=account,
            changes={
                "user": [account.user.get_username(), None],
                "provider": [account.provider, None],
                "uid": [account.uid, None],
            },
        )
