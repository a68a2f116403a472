"""How a regional figure's cell reads: a count, a lower bound ("at least") or suppressed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value: Mapping[str, Any] | None) -> str:
    if not value:
        return "—"
    if value.get("suppressed"):
        return _("suppressed")
    if value.get("at_least"):
        return _("at least %(value)d") % {"value": value["value"]}
    return str(value.get("value", "—"))
