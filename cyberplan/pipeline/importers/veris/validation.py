"""Validating each incident against the schema, and upgrading 1.3.x records to 1.4."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from ..base import json_path, json_text
from .reading import _json_type
from .schema import LEGACY_DISCOVERY_PARENTS, LEGACY_VALUE_RENAMES, VERSION_RE, _validator

# -- validation ------------------------------------------------------------------------------------


class _RejectedError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(error: jsonschema.ValidationError) -> tuple[str, str]:
    """The JSON path and a readable reason for one schema error."""
    path = list(error.absolute_path)
    kind = error.validator
    instance = error.instance
    if kind == "required" and isinstance(instance, dict):
        named = re.match(r"^'(.*)' is a required property$", error.message)
        missing = [name for name in error.validator_value if name not in instance]
        name = named.group(1) if named else (missing[0] if missing else "")
        return json_path([*path, name]), "missing: the VERIS schema requires this field"
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        unexpected = sorted(name for name in instance if name not in known)
        name = unexpected[0] if unexpected else ""
        if path == ["action"]:
            return json_path([*path, name]), (
                f"{name!r} is not a VERIS action category (allowed: {', '.join(sorted(known))})"
            )
        return json_path([*path, name]), f"{name!r} is not a field of {json_path(path) or 'the incident'} in VERIS"
    if kind == "enum":
        allowed = list(error.validator_value)
        sample = ", ".join(str(value) for value in allowed[:6]) + (", …" if len(allowed) > 6 else "")
        return json_path(path), f"{_short(instance)} is not an allowed value ({len(allowed)} allowed: {sample})"
    if kind == "type":
        return json_path(path), f"expected {error.validator_value}, found {_json_type(instance)} {_short(instance)}"
    if kind == "minItems":
        return json_path(path), "empty list: give at least one value or leave the field out"
    if kind == "uniqueItems":
        return json_path(path), f"the list repeats a value: {_short(instance)}"
    if kind == "minProperties":
        return json_path(path), "empty object"
    if kind == "minLength":
        return json_path(path), "empty text" if instance == "" else f"{_short(instance)} is too short"
    if kind == "maxLength":
        return json_path(path), f"{_short(instance)} is too long"
    if kind == "minimum":
        return json_path(path), f"{instance} is below the minimum {error.validator_value}"
    if kind == "maximum":
        return json_path(path), f"{instance} is above the maximum {error.validator_value}"
    if kind == "pattern":
        return json_path(path), f"{_short(instance)} does not have the expected format"
    message = error.message if len(error.message) <= 200 else error.message[:199] + "…"
    return json_path(path), message


def _schema_problems(incident: dict[str, Any], minor: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(errors, tolerated): schema errors that reject the incident, and those inside ``plus``."""
    errors: list[tuple[str, str]] = []
    tolerated: list[str] = []
    found = sorted(
        _validator(minor).iter_errors(incident),
        key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)),
    )
    for error in found:
        field, reason = _describe(error)
        parts = list(error.absolute_path)
        if len(parts) >= 2 and parts[0] == "plus":
            tolerated.append(f"{field}: {reason}")
        else:
            errors.append((field, reason))
    return errors, tolerated


def _normalise_version(incident: dict[str, Any], notes: list[str]) -> str:
    """The declared version as ``1.x[.y]``; raises :class:`_RejectedError` when it is missing or unsupported."""
    if "schema_version" not in incident:
        raise _RejectedError("schema_version", "missing: the record does not say which VERIS version it follows")
    declared = incident["schema_version"]
    if not isinstance(declared, str):
        raise _RejectedError("schema_version", f'expected a string such as "1.3.2", found {_short(declared)}')
    version = declared.strip().removeprefix("v").replace("_", ".")
    if version != declared:
        notes.append(f"schema_version: {declared!r} read as {version!r}")
    if not VERSION_RE.match(version):
        raise _RejectedError(
            "schema_version",
            f"unsupported VERIS schema_version {_short(declared)}; this importer reads 1.3.x and 1.4.x",
        )
    incident["schema_version"] = version
    return version


def _upgrade_legacy(incident: dict[str, Any], notes: list[str]) -> None:
    """Rename 1.3 values to their 1.4 names in place (only where the shape is the expected one)."""
    action = incident.get("action")
    if isinstance(action, dict) and "Unknown" in action and "unknown" not in action:
        action["unknown"] = action.pop("Unknown")
        notes.append("action.Unknown: renamed action.unknown (1.4 name)")
    method = incident.get("discovery_method")
    if isinstance(method, str):
        converted = _discovery_object(method)
        if converted is not None:
            incident["discovery_method"] = converted
            notes.append(f"discovery_method: {method!r} read as {json_text(converted)} (1.4 form)")
    asset = incident.get("asset")
    if isinstance(asset, dict) and isinstance(asset.get("cloud"), str):
        notes.append(f"asset.cloud: {asset['cloud']!r} read as a list (1.4 form)")
        asset["cloud"] = [asset["cloud"]]
    for path, renames in LEGACY_VALUE_RENAMES.items():
        parent: Any = incident
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or not isinstance(parent.get(path[-1]), list):
            continue
        values = parent[path[-1]]
        renamed: list[Any] = []
        for value in values:
            new = renames.get(value) if isinstance(value, str) else None
            if new is None:
                renamed.append(value)
                continue
            notes.append(f"{'.'.join(path)}: {value!r} renamed {new!r} (1.4 name)")
            # Renaming must not create a duplicate the record did not have.
            if new not in values and new not in renamed:
                renamed.append(new)
        parent[path[-1]] = renamed


def _discovery_object(method: str) -> dict[str, Any] | None:
    text = method.strip()
    if text == "Other":
        return {"other": True}
    if text == "Unknown":
        return {"unknown": True}
    match = re.match(r"^(Ext|Int|Prt) - (.+)$", text)
    if not match:
        return None
    leaf = match.group(2).strip()
    return {LEGACY_DISCOVERY_PARENTS[match.group(1)]: {"variety": [leaf[:1].upper() + leaf[1:].lower()]}}
