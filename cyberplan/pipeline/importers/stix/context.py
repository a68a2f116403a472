"""The bundle as context for its events: objects by id, relationships, markings, external references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .observables import Observable
from .vocabulary import TLP2_EXTENSION, TLP_MARKINGS, _strings, most_restrictive, rsit_from_machine_tag, tlp_level


@dataclass
class Context:
    """What the events are built from: the valid objects of the bundle, by id."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    markings: dict[str, str] = field(default_factory=dict)  # marking-definition id -> TLP
    malware_of: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # indicator id -> malware objects
    indicator_observables: dict[str, list[Observable]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)  # object id -> validation notes

    def add(self, obj: dict[str, Any], notes: list[str]) -> None:
        self.objects[obj["id"]] = obj
        if notes:
            self.notes[obj["id"]] = notes
        if obj["type"] == "marking-definition":
            level = marking_tlp(obj)
            if level:
                self.markings[obj["id"]] = level

    def link(self) -> None:
        for obj in self.objects.values():
            if obj["type"] == "relationship" and obj.get("relationship_type") == "indicates":
                target = self.objects.get(str(obj.get("target_ref")))
                if target is not None and target["type"] == "malware":
                    self.malware_of.setdefault(str(obj.get("source_ref")), []).append(target)

    def tlp(self, *objects: Mapping[str, Any]) -> str | None:
        """The most restrictive TLP of the objects' markings and ``tlp:`` labels, or None."""
        levels = []
        for obj in objects:
            for ref in _strings(obj.get("object_marking_refs")):
                levels.append(self.markings.get(ref) or TLP_MARKINGS.get(ref))
            levels += [tlp_level(label) for label in _strings(obj.get("labels")) if label.lower().startswith("tlp:")]
        return most_restrictive(levels)

    def provider(self, obj: Mapping[str, Any]) -> str | None:
        identity = self.objects.get(str(obj.get("created_by_ref")))
        name = identity.get("name") if identity and identity["type"] == "identity" else None
        return (name.strip() or None) if isinstance(name, str) else None

    def names(self, refs: object) -> list[str]:
        result = []
        for ref in _strings(refs):
            target = self.objects.get(ref)
            name = target.get("name") if target else None
            result.append(name if isinstance(name, str) and name else ref)
        return result


def marking_tlp(obj: Mapping[str, Any]) -> str | None:
    if obj.get("id") in TLP_MARKINGS:
        return TLP_MARKINGS[str(obj["id"])]
    extensions = obj.get("extensions")
    if isinstance(extensions, dict) and isinstance(extensions.get(TLP2_EXTENSION), dict):
        level = tlp_level(extensions[TLP2_EXTENSION].get("tlp_2_0"))
        if level:
            return level
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
        level = tlp_level(definition.get("tlp"))
        if level:
            return level
    return tlp_level(obj.get("name"))


def _external_ids(obj: Mapping[str, Any]) -> list[str]:
    result = []
    references = obj.get("external_references")
    for reference in references if isinstance(references, list) else []:
        if not isinstance(reference, dict):
            continue
        source = reference.get("source_name")
        if reference.get("external_id"):
            result.append(f"{source}:{reference['external_id']}")
        elif reference.get("url"):
            result.append(str(reference["url"]))
    return result


def _common_extra(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "stix.id": obj.get("id"),
        "stix.type": obj.get("type"),
        "name": obj.get("name"),
        "description": obj.get("description"),
        "confidence": obj.get("confidence"),
        "labels": obj.get("labels"),
        "external_ids": _external_ids(obj),
    }


def _tag_classes(obj: Mapping[str, Any]) -> list[tuple[str, str] | None]:
    return [rsit_from_machine_tag(label) for label in _strings(obj.get("labels"))]


def _malware_names(malware: list[dict[str, Any]]) -> list[str]:
    names = {str(m.get("name")).strip().lower() for m in malware if isinstance(m.get("name"), str) and m.get("name")}
    return sorted(names)
