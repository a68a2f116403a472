"""The audit log in words: field labels, values and dates as the reader's language writes them.

The log stores each change as ``{field: [before, after]}`` with plain JSON values (choice codes,
ISO dates, foreign keys as ids), so that it never changes once written. This module turns an entry
into what a reader expects: the field's label, the choice's label, "yes"/"no", a localised date in
the deployment's time zone, a grouped number. A related record is named by its kind and number only:
its title may be at a TLP the reader may not read.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

EMPTY = "—"

CHANNELS: dict[str, str | Promise] = {
    "web": _("web page"),
    "api": _("API"),
    "admin": _("administration site"),
    "cli": _("command line"),
    "worker": _("background worker"),
    "system": _("system"),
}


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def channel_words(code: str) -> str:
    return str(CHANNELS.get(code, code))


def changes_in_words(entry: AuditEntry) -> list[ChangeRow]:
    """Each changed field of ``entry`` with its label and its two values in words."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for name, values in (entry.changes or {}).items():
        before, after = [*values, None, None][:2] if isinstance(values, list | tuple) else (None, values)
        field = _field(model, name)
        label = capfirst(str(field.verbose_name)) if field is not None else name
        rows.append(ChangeRow(label, value_in_words(field, before), value_in_words(field, after)))
    return rows


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist: a field removed since the entry was written
        return None
    return field if isinstance(field, models.Field) else None


def value_in_words(field: models.Field[Any, Any] | None, value: Any) -> str:
    """One stored value as the reader reads it (``EMPTY`` for nothing)."""
    if value is None or value == "":
        return EMPTY
    if field is not None and field.choices and not isinstance(value, list | dict):
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(field, models.ForeignKey) and isinstance(value, int | str):
        return f"{capfirst(str(field.related_model._meta.verbose_name))} #{value}"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _datetime_words(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(field, models.DecimalField) and isinstance(value, str):
        try:
            return formats.number_format(float(value), use_l10n=True, force_grouping=True)
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(value_in_words(None, item) for item in value) or EMPTY
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _datetime_words(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
