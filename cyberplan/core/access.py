"""Who may see and do what: organisation, role and TLP.

Every view and API endpoint reads sensitive records through an access function of its app,
built on the helpers here. The rules are documented in docs/concepts/access.md:

* A user sees only records of organisations they are a member of.
* What they may do there depends on their role (``ROLE_PERMISSIONS``).
* TLP narrows what they see inside the organisation: an external partner sees only CLEAR and
  GREEN; TLP:RED is seen only by administrators, coordinators and the record's creator.

A record that may not be seen raises ``Http404`` (its existence is not revealed); a record
that may be seen but not changed raises ``PermissionDenied``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .choices import TLP, Role
from .models import Organisation, User


class Permission(enum.StrEnum):
    VIEW = "view"  # read the organisation's records (within TLP)
    CONTRIBUTE = "contribute"  # create records, add evidence, edit what one created
    EDIT = "edit"  # edit any record of the organisation
    DECIDE = "decide"  # change status, approve, close
    DELETE = "delete"  # delete records
    VIEW_AUDIT = "view_audit"  # read the organisation's audit log
    ADMINISTER = "administer"  # manage the organisation and its memberships


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(Permission),
    Role.COORDINATOR: frozenset(Permission) - {Permission.ADMINISTER},
    Role.ANALYST: frozenset({Permission.VIEW, Permission.CONTRIBUTE, Permission.EDIT}),
    Role.CONTRIBUTOR: frozenset({Permission.VIEW, Permission.CONTRIBUTE}),
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EXTERNAL_PARTNER: frozenset({Permission.VIEW}),
}

# The TLP labels each role may read inside its own organisation (RED also for the creator).
ROLE_TLP: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(TLP.values),
    Role.COORDINATOR: frozenset(TLP.values),
    Role.ANALYST: frozenset(TLP.values) - {TLP.RED},
    Role.CONTRIBUTOR: frozenset(TLP.values) - {TLP.RED},
    Role.VIEWER: frozenset(TLP.values) - {TLP.RED},
    Role.EXTERNAL_PARTNER: frozenset({TLP.CLEAR, TLP.GREEN}),
}

_CACHE_ATTR = "_cyberplan_roles"


def roles_of(user: User) -> dict[int, str]:
    """``{organisation_id: role}`` for an active, signed-in user; empty otherwise. Cached per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    cached: dict[int, str] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = dict(user.memberships.values_list("organisation_id", "role"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    """Drop the cached roles after a membership change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_in(user: User, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    return roles_of(user).get(organisation_id)


def has_permission(user: User, organisation_id: int | None, permission: Permission) -> bool:
    role = role_in(user, organisation_id)
    return role is not None and permission in ROLE_PERMISSIONS[role]


def organisation_ids_where(user: User, permission: Permission) -> list[int]:
    return [org for org, role in roles_of(user).items() if permission in ROLE_PERMISSIONS[role]]


def organisations_where(user: User, permission: Permission = Permission.VIEW) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=organisation_ids_where(user, permission))


def tlp_visible(user: User, organisation_id: int, tlp: str, created_by_id: int | None = None) -> bool:
    role = role_in(user, organisation_id)
    if role is None:
        return False
    if tlp in ROLE_TLP[role]:
        return True
    return tlp == TLP.RED and created_by_id is not None and created_by_id == user.pk and role != Role.EXTERNAL_PARTNER


def visible_q(
    user: User,
    *,
    organisation_field: str = "organisation",
    tlp_field: str | None = "tlp",
    creator_field: str | None = "created_by",
) -> Q:
    """A filter selecting the records ``user`` may read, for any model with an owning organisation."""
    query = Q(pk__in=[])
    for organisation_id, role in roles_of(user).items():
        in_org = Q(**{f"{organisation_field}_id": organisation_id})
        if tlp_field is None:
            query |= in_org
            continue
        allowed = Q(**{f"{tlp_field}__in": sorted(ROLE_TLP[role])})
        if creator_field is not None and role != Role.EXTERNAL_PARTNER:
            allowed |= Q(**{tlp_field: TLP.RED, f"{creator_field}_id": user.pk})
        query |= in_org & allowed
    return query


def require(user: User, organisation_id: int | None, permission: Permission) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``permission`` in the organisation."""
    if not has_permission(user, organisation_id, permission):
        raise PermissionDenied


def require_any(user: User, organisation_id: int | None, permissions: Iterable[Permission]) -> None:
    if not any(has_permission(user, organisation_id, p) for p in permissions):
        raise PermissionDenied


def access_organisation_by_id(
    user: User, organisation_id: int, permission: Permission = Permission.VIEW
) -> Organisation:
    """The organisation, if ``user`` is a member; ``Http404`` otherwise, ``PermissionDenied`` if the role falls short."""
    if role_in(user, organisation_id) is None:
        raise Http404
    organisation = Organisation.objects.select_related("sector").get(pk=organisation_id)
    require(user, organisation_id, permission)
    return organisation


def audit_entries_visible_q(user: User) -> Q:
    return Q(organisation_id__in=organisation_ids_where(user, Permission.VIEW_AUDIT))
