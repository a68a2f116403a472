"""Signal receivers that send sign-in events to the audit log (through the actions)."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.signals import user_logged_in
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.socialaccount import signals as social_signals
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import pre_delete
from django.http import HttpRequest

from cyberplan.core.http import signed_in_user
from cyberplan.core.models import User
from cyberplan.core.security import client_ip

from . import actions


def _address(request: HttpRequest | None) -> str:
    return client_ip(request) if request is not None else ""


def sign_in_method(request: HttpRequest, user: User) -> str:
    """How the user proved who they are in this session: ``password``, ``password+totp``, ``sso`` and so on."""
    steps: list[str] = []
    for record in get_authentication_records(request, user):
        method = record.get("method")
        step = "sso" if method == "socialaccount" else str(record.get("type")) if method == "mfa" else str(method)
        if step not in steps:
            steps.append(step)
    return "+".join(steps) or "password"


def on_signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    actions.do_record_sign_in(user, _address(request), sign_in_method(request, user))


def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Failures for user names that do not exist are counted by django-axes, not audited against a record.
    username = credentials.get("username") or credentials.get("login")
    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        actions.do_record_failed_sign_in(user, _address(request), "password")


def on_second_factor_failed(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    actions.do_record_failed_sign_in(user, _address(request), "second_factor")


def on_authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    actions.do_record_second_factor_added(user, authenticator)


def _keep_id(sender: Any, instance: Authenticator | SocialAccount, **kwargs: Any) -> None:
    # allauth announces a removal after the delete, when Django has cleared the id: keep it for the audit.
    instance._audit_id = instance.pk


def _restore_id(instance: Authenticator | SocialAccount) -> None:
    if instance.pk is None:
        instance.pk = getattr(instance, "_audit_id", None)


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    _restore_id(authenticator)
    actions.do_record_second_factor_removed(user, authenticator)


def on_identity_linked(sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    actions.do_record_identity_linked(sociallogin.user, sociallogin.account)


def on_identity_unlinked(sender: Any, request: HttpRequest, socialaccount: SocialAccount, **kwargs: Any) -> None:
    _restore_id(socialaccount)
    actions.do_record_identity_unlinked(signed_in_user(request), socialaccount)


def connect() -> None:
    user_logged_in.connect(on_signed_in, dispatch_uid="cyberplan-audit-sign-in")
    user_login_failed.connect(on_sign_in_failed, dispatch_uid="cyberplan-audit-sign-in-failed")
    mfa_signals.authentication_failed.connect(on_second_factor_failed, dispatch_uid="cyberplan-audit-2fa-failed")
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="cyberplan-audit-2fa-added")
    mfa_signals.authenticator_removed.connect(on_authenticator_removed, dispatch_uid="cyberplan-audit-2fa-removed")
    social_signals.social_account_added.connect(on_identity_linked, dispatch_uid="cyberplan-audit-sso-linked")
    social_signals.social_account_removed.connect(on_identity_unlinked, dispatch_uid="cyberplan-audit-sso-unlinked")
    pre_delete.connect(_keep_id, sender=Authenticator, dispatch_uid="cyberplan-audit-keep-authenticator-id")
    pre_delete.connect(_keep_id, sender=SocialAccount, dispatch_uid="cyberplan-audit-keep-social-id")
