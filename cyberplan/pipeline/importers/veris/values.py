"""Reading values from a validated incident: strings, lists of strings, objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    """A string value trimmed, or None when it is not a string or blank."""
    return value.strip() or None if isinstance(value, str) else None


def _section(parent: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``parent[name]`` when it is an object, else an empty one."""
    value = parent.get(name)
    return value if isinstance(value, dict) else {}
