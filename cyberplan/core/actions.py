"""Writes to the core domain. Each action checks nothing about the caller's rights (views and
the API do that through ``access``) but always writes the audit trail in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from . import audit
from .access import forget_roles
from .choices import AuditAction
from .models import Membership, Organisation, User

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
