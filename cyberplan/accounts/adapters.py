"""django-allauth adapted to cyberplan: accounts are created by administrators, and single sign-on
finds the account by the e-mail address an administrator entered on it."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from cyberplan.core.models import User

from .policy import SECOND_FACTOR_TYPES, second_factor_required


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth has no type information
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]  # allauth has no type information
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # No automatic accounts: an administrator creates the account and grants its roles.
        return False

    def authenticate_by_email(self, sociallogin: SocialLogin) -> tuple[Any, str] | None:
        """The one active account whose e-mail address, as entered by an administrator, is an address the
        identity provider says it verified. Two accounts with the same address match neither."""
        for address in sociallogin.email_addresses:
            if not address.verified or not address.email:
                continue
            if not self.can_authenticate_by_email(sociallogin, address.email):
                continue
            users = list(User.objects.filter(email__iexact=address.email, is_active=True)[:2])
            if len(users) != 1:
                continue
            user = users[0]
            # The address on the account is trusted (administrators enter it, users cannot change it), and
            # the provider verified it: record it as verified, so allauth keeps the account's password.
            record = EmailAddress.objects.filter(user=user, email__iexact=address.email).first()
            if record is None:
                EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            elif not record.verified:
                record.verified = True
                record.save(update_fields=["verified"])
            return user, address.email
        return None


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth has no type information
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone who must use a second factor cannot remove their last authenticator app or security key."""
        if authenticator.type not in SECOND_FACTOR_TYPES or not second_factor_required(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTOR_TYPES)
        return bool(others.exclude(pk=authenticator.pk).exists())
