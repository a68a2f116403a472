from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

from cyberplan.core import audit_words
from cyberplan.core.audit_words import ChangeRow
from cyberplan.core.models import AuditEntry, in_reader_language

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` for keys a template cannot spell, such as the dotted event field names."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def shown(obj: Any, field: str) -> str:
    """``obj.<field>`` in the reader's language when a translation is kept (``core.models.in_reader_language``)."""
    return in_reader_language(obj, field)


@register.filter
def changes_in_words(entry: AuditEntry) -> list[ChangeRow]:
    """An audit entry's changed fields with their labels and values in the reader's language."""
    return audit_words.changes_in_words(entry)


@register.filter
def channel_in_words(code: str) -> str:
    """The channel of an audit entry (web, API, command line...) in words."""
    return audit_words.channel_words(code)


@register.filter
def control(field: BoundField) -> str:
    """The field's widget with Bootstrap's class for its kind (``form-control``, ``form-select`` or
    ``form-check-input``), and ``is-invalid`` when the field has errors; hidden fields as they are."""
    widget = field.field.widget
    if widget.is_hidden:
        return str(field)
    kind = getattr(widget, "input_type", None)
    css = "form-check-input" if kind in {"checkbox", "radio"} else "form-select" if kind == "select" else "form-control"
    classes = [widget.attrs.get("class", ""), css, "is-invalid" if field.errors else ""]
    return field.as_widget(attrs={"class": " ".join(c for c in classes if c)})
