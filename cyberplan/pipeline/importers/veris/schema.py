"""The shipped VERIS schema, the versions read, and how it is adapted for 1.3.x records."""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import jsonschema

FEED_NAME = "veris"
SCHEMA_RESOURCE = ("veris", "verisc-merged.json")
SCHEMA_LABEL = "VERIS 1.4.1"

# -- versions --------------------------------------------------------------------------------------

VERSION_RE = re.compile(r"^1\.(?P<minor>[34])(?:\.\d+)?$")

# -- VERIS 1.3 compatibility -----------------------------------------------------------------------

#: How the 1.4.1 schema is adapted for records that declare 1.3.x, following the 1.3 test cases of
#: the VERIS repository: fields 1.4 made mandatory become optional, ``actor.external.country`` is
#: mandatory again, ``asset.governance`` (removed in 1.3.3) is allowed with its 1.3 values, the
#: incident's ``time`` is free text and ``victim.industry`` is any 2-6 digit code (``12``, ``31-33``).
#: Paths are dotted paths of schema properties ("" is the incident itself).
LEGACY_SCHEMA_RULES: Mapping[str, Mapping[str, Any]] = {
    "optional": {"": ("summary",), "asset": ("assets", "cloud"), "victim": ("government",)},
    "required": {"actor.external": ("country",)},
    "properties": {
        "asset.governance": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {
                "type": "string",
                "enum": [
                    "3rd party hosted",
                    "3rd party managed",
                    "3rd party owned",
                    "Internally isolated",
                    "Personally owned",
                    "Victim governed",
                    "Other",
                    "Unknown",
                ],
            },
        },
        "timeline.incident.time": {"type": "string", "minLength": 1},
        "victim.industry": {"type": "string", "minLength": 2, "maxLength": 6, "pattern": "^[0-9]{2}-?[0-9]{0,4}$"},
    },
}

#: 1.3 values renamed in later versions (VERIS 1.3.6 and 1.4.0 release notes), as
#: path of the list -> {old value: 1.4 value}.
LEGACY_VALUE_RENAMES: Mapping[tuple[str, ...], Mapping[str, str]] = {
    ("action", "hacking", "variety"): {
        "Use of backdoor or C2": "Backdoor",
        "MitM": "AitM",
        "Footprinting": "Profile host",
        "HTTP Response Splitting": "HTTP response splitting",
    },
    ("action", "hacking", "vector"): {"Backdoor or C2": "Backdoor"},
    ("action", "malware", "variety"): {"MitM": "AitM"},
    ("action", "malware", "vector"): {"Web drive-by": "Web application - drive-by"},
    ("action", "social", "vector"): {"Website": "Web application"},
}

#: 1.3 ``discovery_method`` prefixes -> the 1.4 branch.
LEGACY_DISCOVERY_PARENTS = {"Ext": "external", "Int": "internal", "Prt": "partner"}


# -- schema ----------------------------------------------------------------------------------------


@functools.cache
def load_schema() -> dict[str, Any]:
    """The shipped VERIS 1.4.1 schema."""
    resource = resources.files("cyberplan.pipeline.data")
    for part in SCHEMA_RESOURCE:
        resource = resource.joinpath(part)
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def legacy_schema() -> dict[str, Any]:
    """The 1.4.1 schema adapted by :data:`LEGACY_SCHEMA_RULES`, for records that declare 1.3.x."""
    schema = copy.deepcopy(load_schema())

    def node(path: str) -> dict[str, Any]:
        found = schema
        for part in path.split(".") if path else []:
            found = found["properties"][part]
        return found

    for path, names in LEGACY_SCHEMA_RULES["optional"].items():
        target = node(path)
        target["required"] = [name for name in target.get("required", []) if name not in names]
        if not target["required"]:
            del target["required"]
    for path, names in LEGACY_SCHEMA_RULES["required"].items():
        target = node(path)
        target["required"] = [*target.get("required", []), *(n for n in names if n not in target.get("required", []))]
    for path, definition in LEGACY_SCHEMA_RULES["properties"].items():
        parent, _, name = path.rpartition(".")
        node(parent)["properties"][name] = copy.deepcopy(definition)
    return schema


@functools.cache
def _validator(minor: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(load_schema() if minor == "4" else legacy_schema())


def allowed_values(*path: str) -> list[str]:
    """The enumeration the shipped schema gives for the list or field at ``path`` (for tests and docs)."""
    node: Any = load_schema()
    for part in path:
        node = node["properties"][part]
    if node.get("type") == "array":
        node = node["items"]
    return list(node.get("enum", []))
