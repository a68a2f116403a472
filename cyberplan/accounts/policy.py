"""Who must use a second factor at sign-in, and whether they have one."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from cyberplan.core.choices import Role
from cyberplan.core.models import Membership

# Roles that must sign in with a second factor: they manage members and decide on records.
ROLES_REQUIRING_SECOND_FACTOR = (Role.ADMINISTRATOR, Role.COORDINATOR)
# Recovery codes are a fallback, not a second factor of their own.
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def second_factor_required(user: AbstractBaseUser) -> bool:
    """True when the installation requires a second factor of this user (their role in any organisation)."""
    if not settings.CYBERPLAN_MFA_REQUIRED:
        return False
    return Membership.objects.filter(user_id=user.pk, role__in=ROLES_REQUIRING_SECOND_FACTOR).exists()


def has_second_factor(user: AbstractBaseUser) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES).exists())


def missing_second_factor(user: AbstractBaseUser) -> bool:
    """The user must set up an authenticator app or a security key before doing anything else."""
    return second_factor_required(user) and not has_second_factor(user)
