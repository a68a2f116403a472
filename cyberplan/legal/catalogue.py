"""The treaty catalogue: the Convention on Cybercrime and its protocols as data, without Django.

The catalogue is a YAML file in ``treaties/`` (format in docs/reference/treaty-catalogue.md). Its shape
is checked against ``treaties/catalogue.schema.json``; then the loader checks what a schema cannot say
(article numbers unique and running from 1 without a hole, every article in a chapter and section the
treaty declares, reservation references inside their own article). ``load_catalogue`` either returns a
checked ``Catalogue`` or raises ``CatalogueError`` listing every problem with its path in the document
(``treaties[0].articles[3].title.es``).

A provision is named by its key ``<treaty id>:<article number>``, for example ``ets-185:35``.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from cyberplan.assessment.framework import DataFileError, Problem, read_yaml

TREATIES_DIR = Path(__file__).resolve().parent / "treaties"
DEFAULT_CATALOGUE = TREATIES_DIR / "coe-cybercrime-2026.yaml"
SCHEMA = TREATIES_DIR / "catalogue.schema.json"

CONVENTION = "ets-185"
SUBSTANTIVE = ("II", "1")
"""Chapter II section 1 of the Convention: the substantive criminal law articles (2 to 13)."""


class CatalogueError(DataFileError):
    """A treaty catalogue file that cannot be used."""

    kind = "treaty catalogue"


@dataclass(frozen=True)
class Text:
    en: str
    es: str

    def get(self, language: str) -> str:
        return self.es if language.startswith("es") else self.en


@dataclass(frozen=True)
class Section:
    id: str
    title: Text


@dataclass(frozen=True)
class Chapter:
    id: str
    title: Text
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Article:
    treaty: str
    number: str
    chapter: str
    section: str
    title: Text
    asks: str
    basis: str
    reservations: tuple[str, ...]
    declarations: tuple[str, ...]
    summary: Text

    @property
    def key(self) -> str:
        return f"{self.treaty}:{self.number}"

    @property
    def group(self) -> str:
        """The chapter and section the article belongs to, as ``II.1`` or ``IV``."""
        return f"{self.chapter}.{self.section}" if self.section else self.chapter

    @property
    def allows_reservation_or_declaration(self) -> bool:
        return bool(self.reservations or self.declarations)


@dataclass(frozen=True)
class Treaty:
    id: str
    code: str
    title: Text
    opened: datetime.date
    in_force: datetime.date | None
    source: str
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]

    def chapter(self, chapter_id: str) -> Chapter:
        return next(c for c in self.chapters if c.id == chapter_id)


@dataclass(frozen=True)
class Catalogue:
    id: str
    version: str
    title: Text
    treaties: tuple[Treaty, ...]

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def treaty(self, treaty_id: str) -> Treaty:
        for treaty in self.treaties:
            if treaty.id == treaty_id:
                return treaty
        raise KeyError(treaty_id)

    def articles(self) -> Iterator[Article]:
        for treaty in self.treaties:
            yield from treaty.articles

    @functools.cached_property
    def by_key(self) -> dict[str, Article]:
        return {a.key: a for a in self.articles()}

    def article(self, key: str) -> Article:
        return self.by_key[key]


def _plain(value: Any) -> Any:
    """The document with its YAML dates as ISO texts, as JSON would carry it."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _schema_problems(document: Any) -> list[Problem]:
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]):
        problems.append(Problem(_path(error.absolute_path), error.message))
    return problems


def _text(value: dict[str, str]) -> Text:
    return Text(en=value["en"].strip(), es=value["es"].strip())


def _check_treaty(doc: dict[str, Any], path: str, problems: list[Problem]) -> Treaty:
    chapters = tuple(
        Chapter(
            id=c["id"],
            title=_text(c["title"]),
            sections=tuple(Section(id=s["id"], title=_text(s["title"])) for s in c.get("sections", [])),
        )
        for c in doc["chapters"]
    )
    known = {c.id: {s.id for s in c.sections} for c in chapters}
    articles = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(doc["articles"]):
        where = f"{path}.articles[{index}]"
        number = raw["number"]
        if number in seen:
            problems.append(
                Problem(f"{where}.number", f"article {number} appears twice (first at articles[{seen[number]}])")
            )
        seen.setdefault(number, index)
        chapter, section = raw["chapter"], raw.get("section", "")
        if chapter not in known:
            problems.append(Problem(f"{where}.chapter", f"unknown chapter {chapter!r} (declared: {', '.join(known)})"))
        elif section and section not in known[chapter]:
            problems.append(Problem(f"{where}.section", f"chapter {chapter} has no section {section!r}"))
        elif not section and known[chapter]:
            problems.append(Problem(f"{where}.section", f"chapter {chapter} has sections: name the article's section"))
        for field in ("reservations", "declarations"):
            for ref_index, ref in enumerate(raw.get(field, [])):
                if ref.split(".")[0] != number:
                    problems.append(
                        Problem(f"{where}.{field}[{ref_index}]", f"{ref!r} is not a paragraph of article {number}")
                    )
        articles.append(
            Article(
                treaty=doc["id"],
                number=number,
                chapter=chapter,
                section=section,
                title=_text(raw["title"]),
                asks=raw["asks"],
                basis=raw["basis"],
                reservations=tuple(raw.get("reservations", [])),
                declarations=tuple(raw.get("declarations", [])),
                summary=_text(raw["summary"]),
            )
        )
    expected = [str(n) for n in range(1, len(articles) + 1)]
    if sorted(seen, key=int) != expected and len(seen) == len(articles):
        missing = sorted(set(expected) - set(seen), key=int)
        problems.append(
            Problem(f"{path}.articles", f"articles must run from 1 without a hole; missing {', '.join(missing)}")
        )
    return Treaty(
        id=doc["id"],
        code=doc["code"],
        title=_text(doc["title"]),
        opened=datetime.date.fromisoformat(doc["opened"]),
        in_force=datetime.date.fromisoformat(doc["in_force"]) if doc.get("in_force") else None,
        source=doc["source"],
        chapters=chapters,
        articles=tuple(articles),
    )


def catalogue_from_document(document: Any, source: str | Path = "(stored catalogue)") -> Catalogue:
    """Check a parsed catalogue document; raises ``CatalogueError`` listing every problem."""
    document = _plain(document)
    problems = _schema_problems(document)
    if problems:
        raise CatalogueError(source, problems)
    treaties = []
    seen: set[str] = set()
    for index, raw in enumerate(document["treaties"]):
        if raw["id"] in seen:
            problems.append(Problem(f"treaties[{index}].id", f"treaty {raw['id']!r} appears twice"))
        seen.add(raw["id"])
        treaties.append(_check_treaty(raw, f"treaties[{index}]", problems))
    if problems:
        raise CatalogueError(source, problems)
    return Catalogue(
        id=document["catalogue"], version=document["version"], title=_text(document["title"]), treaties=tuple(treaties)
    )


def load_catalogue(file: str | Path = DEFAULT_CATALOGUE) -> Catalogue:
    return catalogue_from_document(read_yaml(file, CatalogueError), Path(file).name)


@functools.cache
def shipped_catalogue() -> Catalogue:
    """The catalogue shipped with the code (read once per process)."""
    return load_catalogue(DEFAULT_CATALOGUE)
