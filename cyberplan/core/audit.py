"""The audit trail: every create, update and delete, with the fields before and after.

Action functions call :func:`record` after they write. The channel (web, api, admin, cli, worker)
comes from a context variable set by the middleware, the command line and the worker.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .channel import current_channel
from .choices import AuditAction
from .models import AuditEntry, Organisation, User

# Fields never copied into the audit log.
SECRET_FIELDS = frozenset({"password", "key", "token"})


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON-ready values (foreign keys as their id)."""
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS:
            continue
        result[field.name] = _plain(getattr(instance, field.attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as ``{field: [before, after]}``."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    *,
    actor: User | None,
    action: AuditAction | str,
    instance: models.Model,
    changes: dict[str, list[Any]],
    organisation: Organisation | None = None,
) -> AuditEntry:
    """Write one audit entry. Called inside the action's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(actor.get_username() if actor is not None and actor.pk else "system")[:150],
        organisation=organisation,
        action=str(action),
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
        source=current_channel(),
    )


def save_versioned_update(
    actor: User | None,
    instance: Any,
    before: dict[str, Any],
    organisation: Organisation | None,
    before_save: Callable[[], None] | None = None,
) -> dict[str, list[Any]]:
    """Finish an update of a record with a ``version`` field, whose fields the caller has set.

    Validates the record; if anything differs from ``before`` (its :func:`snapshot`), calls
    ``before_save``, increments the version, saves and records the update. Returns the changes
    (empty when nothing changed, and then nothing is saved).
    """
    instance.full_clean()
    changes = diff(before, snapshot(instance))
    if changes:
        if before_save is not None:
            before_save()
        instance.version += 1
        instance.save()
        changes["version"] = [before["version"], instance.version]
        record(actor=actor, action=AuditAction.UPDATE, instance=instance, changes=changes, organisation=organisation)
    return changes


def record_create(actor: User | None, instance: models.Model, organisation: Organisation | None = None) -> AuditEntry:
    after = snapshot(instance)
    return record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=instance,
        changes={k: [None, v] for k, v in after.items()},
        organisation=organisation,
    )


def record_delete(
    actor: User | None, instance: models.Model, before: dict[str, Any], organisation: Organisation | None = None
) -> AuditEntry:
    return record(
        actor=actor,
        action=AuditAction.DELETE,
        instance=instance,
        changes={k: [v, None] for k, v in before.items()},
        organisation=organisation,
    )


def history_of(instance: models.Model) -> models.QuerySet[AuditEntry]:
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return AuditEntry.objects.filter(content_type=content_type, object_id=str(instance.pk)).select_related("actor")
