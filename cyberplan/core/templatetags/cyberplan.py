from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``mapping[key]`` for keys a template cannot spell, such as the dotted event field names."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
