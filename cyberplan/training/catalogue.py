"""The topic catalogue: what a course may teach, as data shipped with the code, without Django.

The catalogue is a YAML file in ``topics/`` (format in docs/reference/training-topics.md). Its shape is
checked against ``topics/topics.schema.json``; then the loader checks what a schema cannot say (keys
unique, every linked provision known to the treaty catalogue of the legal section). ``load_topics``
either returns a checked ``TopicCatalogue`` or raises ``TopicCatalogueError`` listing every problem with
its path in the document (``topics[2].provisions[0]``).

Courses store topics by key (``electronic-evidence``), so a key never changes once shipped.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from cyberplan.assessment.framework import DataFileError, Problem, read_yaml
from cyberplan.legal.catalogue import Catalogue, Text, shipped_catalogue

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
DEFAULT_TOPICS = TOPICS_DIR / "topics-2026.yaml"
SCHEMA = TOPICS_DIR / "topics.schema.json"


class TopicCatalogueError(DataFileError):
    """A topic catalogue file that cannot be used."""

    kind = "topic catalogue"


@dataclass(frozen=True)
class Topic:
    key: str
    title: Text
    description: Text
    provisions: tuple[str, ...]
    """Treaty provisions by key (``ets-185:16``) the topic prepares people to apply."""


@dataclass(frozen=True)
class TopicCatalogue:
    id: str
    version: str
    topics: tuple[Topic, ...]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @functools.cached_property
    def by_key(self) -> dict[str, Topic]:
        return {t.key: t for t in self.topics}

    def topic(self, key: str) -> Topic:
        return self.by_key[key]

    def keys(self) -> list[str]:
        return [t.key for t in self.topics]

    def choices(self, language: str) -> list[tuple[str, str]]:
        return [(t.key, t.title.get(language)) for t in self.topics]


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _text(value: dict[str, str]) -> Text:
    return Text(en=value["en"].strip(), es=value["es"].strip())


def topics_from_document(
    document: Any, source: str | Path = "(stored topics)", treaties: Catalogue | None = None
) -> TopicCatalogue:
    """Check a parsed topic document against ``treaties`` (the shipped treaty catalogue by default)."""
    problems = [
        Problem(_path(e.absolute_path), e.message)
        for e in sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    ]
    if problems:
        raise TopicCatalogueError(source, problems)
    known = (treaties or shipped_catalogue()).by_key
    topics = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["topics"]):
        key = raw["key"]
        if key in seen:
            problems.append(
                Problem(f"topics[{index}].key", f"topic {key!r} appears twice (first at topics[{seen[key]}])")
            )
        seen.setdefault(key, index)
        provisions = tuple(raw.get("provisions", []))
        for p_index, provision in enumerate(provisions):
            if provision not in known:
                problems.append(
                    Problem(f"topics[{index}].provisions[{p_index}]", f"{provision!r} is not in the treaty catalogue")
                )
        topics.append(Topic(key, _text(raw["title"]), _text(raw["description"]), provisions))
    if problems:
        raise TopicCatalogueError(source, problems)
    return TopicCatalogue(id=document["catalogue"], version=document["version"], topics=tuple(topics))


def load_topics(file: str | Path = DEFAULT_TOPICS, treaties: Catalogue | None = None) -> TopicCatalogue:
    return topics_from_document(read_yaml(file, TopicCatalogueError), Path(file).name, treaties)


@functools.cache
def shipped_topics() -> TopicCatalogue:
    """The topic catalogue shipped with the code (read once per process)."""
    return load_topics(DEFAULT_TOPICS)
