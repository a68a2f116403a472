"""Capacity-model framework files: loading and validation, without Django.

A framework file is YAML (read with PyYAML's safe loader) describing a versioned maturity
model: stages, dimensions, factors and indicators, in English and Spanish. The format is
documented in docs/reference/capacity-model.md. ``load_framework`` either returns a fully
checked ``Framework`` or raises ``FrameworkError`` listing every problem found, each naming
the file, the path inside the document (``dimensions[2].factors[1].indicators[4].text.es``)
and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .rules import SCORING_RULES

FRAMEWORKS_DIR = Path(__file__).resolve().parent / "frameworks"
DEFAULT_FRAMEWORK = FRAMEWORKS_DIR / "cyberplan-ncm-2026-2.yaml"
SHIPPED_FRAMEWORKS: tuple[Path, ...] = (FRAMEWORKS_DIR / "cyberplan-ncm-2026.yaml", DEFAULT_FRAMEWORK)
"""Every version the platform ships, oldest first: earlier ones stay so assessments made on them still load."""
SCHEMA = FRAMEWORKS_DIR / "framework.schema.json"
"""A JSON Schema of the file's shape, for editors and other tools; ``load_framework`` is the authority."""

LANGUAGES: tuple[str, ...] = ("en", "es")
"""Every human-readable text in a framework file is given in each of these languages."""

STAGE_COUNT = 5

EVIDENCE_KINDS: tuple[str, ...] = (
    "legal_act",  # a law, decree, resolution or ratified treaty, cited by number and article
    "official_document",  # a published plan, policy, mandate, charter, budget line or minutes
    "report",  # an annual report, evaluation, audit or study
    "dataset",  # statistics, survey results or a register kept as data
    "training_record",  # attendance lists, curricula, certificates, course catalogues
    "platform_data",  # something cyberplan itself holds: trends report, event query, gap register
    "url",  # a public web page or service that can be visited and checked
    "agreement",  # a memorandum of understanding, cooperation agreement or membership record
)
"""The fixed list of evidence kinds an indicator may name."""

INDICATOR_ID = re.compile(r"^(?P<factor>\d+\.\d+)\.(?P<stage>[A-Z]{1,2})(?P<number>[1-9]\d*)$")
FACTOR_ID = re.compile(r"^(?P<dimension>\d+)\.(?P<number>[1-9]\d*)$")
DIMENSION_ID = re.compile(r"^D(?P<number>[1-9]\d*)$")
STAGE_CODE = re.compile(r"^[A-Z]{1,2}$")
FRAMEWORK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file: where (a path in the document) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


class DataFileError(ValueError):
    """A data file (framework, crosswalk or benchmark) that cannot be used, with every problem found."""

    kind = "data file"

    def __init__(self, file: str | Path, problems: list[Problem]) -> None:
        self.file = str(file)
        self.problems = list(problems)
        lines = [f"{self.file}: {len(self.problems)} problem(s) in this {self.kind}:"]
        lines += [f"  {self.file}: {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class FrameworkError(DataFileError):
    """A framework file that cannot be used."""

    kind = "framework file"


class Problems:
    """Collects problems while a document is checked, so that all of them are reported together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def mapping(self, value: Any, path: str, required: set[str], optional: frozenset[str] = frozenset()) -> bool:
        """Check that ``value`` is a mapping with the required keys and no others."""
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping, found {_kind(value)}")
            return False
        for key in sorted(required - value.keys()):
            self.add(_join(path, key), "missing")
        for key in sorted(set(value) - required - optional, key=str):
            self.add(_join(path, str(key)), f"unexpected key {key!r}")
        return True

    def string(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(path, f"expected a non-empty text, found {_kind(value)}")
            return None
        return value

    def text(self, value: Any, path: str) -> Text | None:
        """A text in every language: ``{en: ..., es: ...}``."""
        if not isinstance(value, dict):
            self.add(path, f"expected a text in {' and '.join(LANGUAGES)}, found {_kind(value)}")
            return None
        ok = True
        for lang in LANGUAGES:
            if lang not in value:
                self.add(_join(path, lang), f"missing language {lang!r}")
                ok = False
            elif self.string(value[lang], _join(path, lang)) is None:
                ok = False
        for key in sorted(set(value) - set(LANGUAGES), key=str):
            self.add(_join(path, str(key)), f"unexpected language {key!r} (expected {', '.join(LANGUAGES)})")
            ok = False
        return Text(en=value["en"].strip(), es=value["es"].strip()) if ok else None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "an empty text" if not value.strip() else "a text"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key repeated in one mapping is an error, not a silent overwrite."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _value_node in node.value:  # the keys written here; merged keys (<<) may be overridden
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue  # construct_mapping below reports an unhashable key itself
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found the key {key!r} twice (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(file: str | Path, error: type[DataFileError]) -> Any:
    """Read a YAML document safely; a malformed document raises ``error`` naming the line."""
    path = Path(file)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(path, [Problem("", f"cannot be read: {exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise error(path, [Problem("", f"is not UTF-8 text: {exc.reason} at byte {exc.start}")]) from exc
    try:
        return yaml.load(raw, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{what} ({context})" if context else what
        raise error(path, [Problem("", f"malformed YAML{where}: {detail}")]) from exc


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Text:
    """A text in English and Spanish."""

    en: str
    es: str

    def get(self, language: str) -> str:
        """The text in ``language`` (``en`` or ``es``); any other language falls back to English."""
        return self.es if language.split("-")[0].lower() == "es" else self.en


@dataclass(frozen=True)
class Stage:
    ordinal: int  # 1..5
    code: str  # used in indicator identifiers: S, F, E, ST, D
    name: Text
    meaning: Text | None = None  # what reaching the stage means, for readers of a report (optional)


@dataclass(frozen=True)
class Indicator:
    """One observable statement, checked yes or no, at one stage of one factor."""

    id: str  # "1.1.E2": factor 1.1, stage code E, number 2
    factor_id: str
    stage: int  # the stage's ordinal
    number: int
    text: Text
    evidence: Text  # what evidence would show that the indicator is met
    evidence_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Factor:
    id: str  # "1.1"
    dimension_id: str
    name: Text
    indicators: tuple[Indicator, ...]

    def indicators_at(self, stage: int) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.stage == stage)


@dataclass(frozen=True)
class Dimension:
    id: str  # "D1"
    number: int
    name: Text
    factors: tuple[Factor, ...]


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: Text
    source_note: Text
    scoring: str  # the name of a rule in cyberplan.assessment.rules.SCORING_RULES
    stages: tuple[Stage, ...]
    dimensions: tuple[Dimension, ...]
    _factors: dict[str, Factor] = field(init=False, repr=False, compare=False)
    _indicators: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        factors = {f.id: f for d in self.dimensions for f in d.factors}
        object.__setattr__(self, "_factors", factors)
        object.__setattr__(self, "_indicators", {i.id: i for f in factors.values() for i in f.indicators})

    @property
    def key(self) -> str:
        """``id@version``: what an assessment records to say which framework it was made on."""
        return f"{self.id}@{self.version}"

    def factors(self) -> Iterator[Factor]:
        yield from self._factors.values()

    def factor(self, factor_id: str) -> Factor:
        return self._factors[factor_id]

    def indicators(self) -> Iterator[Indicator]:
        yield from self._indicators.values()

    def indicator(self, indicator_id: str) -> Indicator:
        return self._indicators[indicator_id]

    def stage(self, ordinal: int) -> Stage:
        return self.stages[ordinal - 1]


# --------------------------------------------------------------------------- loading


def load_framework(file: str | Path = DEFAULT_FRAMEWORK) -> Framework:
    """Load and check a framework file. Raises ``FrameworkError`` listing every problem."""
    document = read_yaml(file, FrameworkError)
    problems = Problems()
    framework = _build(document, problems)
    if problems or framework is None:
        raise FrameworkError(file, problems.items)
    return framework


def framework_from_document(document: Any, source: str | Path = "(stored framework)") -> Framework:
    """Check and build a framework from an already parsed document (as stored in the database).

    ``source`` names where the document came from in error messages. Raises ``FrameworkError``.
    """
    problems = Problems()
    framework = _build(document, problems)
    if problems or framework is None:
        raise FrameworkError(source, problems.items)
    return framework


def read_framework_document(file: str | Path = DEFAULT_FRAMEWORK) -> tuple[Any, Framework]:
    """The parsed document of a framework file and the checked framework built from it."""
    document = read_yaml(file, FrameworkError)
    return document, framework_from_document(document, file)


def _build(doc: Any, problems: Problems) -> Framework | None:
    top = {"id", "version", "title", "source_note", "scoring", "stages", "dimensions"}
    if not problems.mapping(doc, "", top):
        return None
    fid = problems.string(doc.get("id"), "id")
    if fid is not None and not FRAMEWORK_ID.match(fid):
        problems.add("id", f"{fid!r} must be lower-case letters, digits and hyphens")
    version = doc.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        problems.add("version", f"write the version as a quoted text, e.g. '{version}'")
    else:
        problems.string(version, "version")
    title = problems.text(doc.get("title"), "title")
    source_note = problems.text(doc.get("source_note"), "source_note")
    scoring = problems.string(doc.get("scoring"), "scoring")
    if scoring is not None and scoring not in SCORING_RULES:
        problems.add("scoring", f"unknown scoring rule {scoring!r} (known: {', '.join(sorted(SCORING_RULES))})")
    stages = _stages(doc.get("stages"), problems)
    dimensions = _dimensions(doc.get("dimensions"), stages, problems)
    if problems or title is None or source_note is None or stages is None or dimensions is None:
        return None
    return Framework(
        id=str(fid),
        version=str(version),
        title=title,
        source_note=source_note,
        scoring=str(scoring),
        stages=tuple(stages),
        dimensions=tuple(dimensions),
    )


def _stages(value: Any, problems: Problems) -> list[Stage] | None:
    if not isinstance(value, list):
        problems.add("stages", f"expected a list of {STAGE_COUNT} stages, found {_kind(value)}")
        return None
    before = len(problems.items)
    stages: list[Stage] = []
    for n, item in enumerate(value):
        path = f"stages[{n}]"
        if not problems.mapping(item, path, {"ordinal", "code", "name"}, frozenset({"meaning"})):
            continue
        ordinal, code = item.get("ordinal"), item.get("code")
        name = problems.text(item.get("name"), _join(path, "name"))
        meaning = problems.text(item["meaning"], _join(path, "meaning")) if "meaning" in item else None
        if not isinstance(ordinal, int) or isinstance(ordinal, bool) or not 1 <= ordinal <= STAGE_COUNT:
            problems.add(_join(path, "ordinal"), f"expected a whole number from 1 to {STAGE_COUNT}, found {ordinal!r}")
            continue
        if not isinstance(code, str) or not STAGE_CODE.match(code):
            problems.add(_join(path, "code"), f"expected one or two capital letters, found {code!r}")
            continue
        if name is not None:
            stages.append(Stage(ordinal, code, name, meaning))
    ordinals = [s.ordinal for s in stages]
    for missing in sorted(set(range(1, STAGE_COUNT + 1)) - set(ordinals)):
        problems.add("stages", f"stage {missing} is missing (a framework has exactly {STAGE_COUNT} stages, 1 to 5)")
    if len(value) > STAGE_COUNT:
        problems.add("stages", f"{len(value)} stages given; a framework has exactly {STAGE_COUNT}")
    seen_ordinals: dict[int, int] = {}
    seen_codes: dict[str, int] = {}
    for n, stage in enumerate(stages):
        if stage.ordinal in seen_ordinals:
            problems.add(f"stages[{n}].ordinal", f"duplicate stage ordinal {stage.ordinal}")
        if stage.code in seen_codes:
            problems.add(f"stages[{n}].code", f"duplicate stage code {stage.code!r}")
        seen_ordinals.setdefault(stage.ordinal, n)
        seen_codes.setdefault(stage.code, n)
    if len(set(ordinals)) == len(ordinals) and ordinals != sorted(ordinals):
        problems.add("stages", f"stages must be listed in order 1 to {STAGE_COUNT}; found the order {ordinals}")
    if len(problems.items) > before or len(stages) != STAGE_COUNT:
        return None
    return stages


def _dimensions(value: Any, stages: list[Stage] | None, problems: Problems) -> list[Dimension] | None:
    if not isinstance(value, list) or not value:
        problems.add("dimensions", f"expected a non-empty list of dimensions, found {_kind(value)}")
        return None
    # With broken stages, indicators' stages cannot be checked: say nothing rather than repeat the stage problem.
    codes = {s.code: s.ordinal for s in stages} if stages is not None else None
    ids: dict[str, str] = {}  # every identifier in the document -> where it was first seen

    def unique(identifier: str, path: str) -> None:
        if identifier in ids:
            problems.add(path, f"duplicate identifier {identifier!r} (first used at {ids[identifier]})")
        else:
            ids[identifier] = path

    dimensions: list[Dimension] = []
    for d, dim in enumerate(value):
        dpath = f"dimensions[{d}]"
        if not problems.mapping(dim, dpath, {"id", "name", "factors"}):
            continue
        did = problems.string(dim.get("id"), _join(dpath, "id"))
        dmatch = DIMENSION_ID.match(did) if did else None
        if did is not None:
            unique(did, _join(dpath, "id"))
            if dmatch is None:
                problems.add(_join(dpath, "id"), f"{did!r} is not a dimension identifier like 'D1'")
        dname = problems.text(dim.get("name"), _join(dpath, "name"))
        factors: list[Factor] = []
        fvalue = dim.get("factors")
        if not isinstance(fvalue, list) or not fvalue:
            problems.add(_join(dpath, "factors"), f"expected a non-empty list of factors, found {_kind(fvalue)}")
            fvalue = []
        for f, fac in enumerate(fvalue):
            fpath = f"{dpath}.factors[{f}]"
            factor = _factor(fac, fpath, did, dmatch, codes, stages, problems, unique)
            if factor is not None:
                factors.append(factor)
        if did is not None and dmatch is not None and dname is not None:
            dimensions.append(Dimension(did, int(dmatch["number"]), dname, tuple(factors)))
    return dimensions


def _factor(
    fac: Any,
    fpath: str,
    did: str | None,
    dmatch: re.Match[str] | None,
    codes: Mapping[str, int] | None,
    stages: list[Stage] | None,
    problems: Problems,
    unique: Any,
) -> Factor | None:
    if not problems.mapping(fac, fpath, {"id", "name", "indicators"}):
        return None
    fid = fac.get("id")
    if isinstance(fid, float):
        problems.add(_join(fpath, "id"), f"write the factor identifier as a quoted text, e.g. '{fid}'")
        fid = None
    else:
        fid = problems.string(fid, _join(fpath, "id"))
    if fid is not None:
        unique(fid, _join(fpath, "id"))
        fmatch = FACTOR_ID.match(fid)
        if fmatch is None:
            problems.add(_join(fpath, "id"), f"{fid!r} is not a factor identifier like '1.1'")
        elif dmatch is not None and fmatch["dimension"] != dmatch["number"]:
            problems.add(_join(fpath, "id"), f"factor {fid!r} does not belong to dimension {did!r}")
    fname = problems.text(fac.get("name"), _join(fpath, "name"))
    indicators: list[Indicator] = []
    ivalue = fac.get("indicators")
    if not isinstance(ivalue, list):
        problems.add(_join(fpath, "indicators"), f"expected a list of indicators, found {_kind(ivalue)}")
        ivalue = []
    for i, ind in enumerate(ivalue):
        indicator = _indicator(ind, f"{fpath}.indicators[{i}]", fid, codes, problems, unique)
        if indicator is not None:
            indicators.append(indicator)
    if fid is not None and stages is not None:
        present = {i.stage for i in indicators}
        for stage in stages:
            if stage.ordinal not in present:
                problems.add(
                    _join(fpath, "indicators"),
                    f"factor {fid!r} has no indicators at stage {stage.ordinal} ({stage.name.en}, code {stage.code})",
                )
    if fid is None or fname is None or did is None:
        return None
    return Factor(fid, did, fname, tuple(sorted(indicators, key=lambda x: (x.stage, x.number))))


def _indicator(
    ind: Any, ipath: str, fid: str | None, codes: Mapping[str, int] | None, problems: Problems, unique: Any
) -> Indicator | None:
    if not problems.mapping(ind, ipath, {"id", "stage", "text", "evidence"}, frozenset({"evidence_kinds"})):
        return None
    iid = problems.string(ind.get("id"), _join(ipath, "id"))
    code = ind.get("stage")
    stage: int | None = None
    # Without valid stages (already reported) an indicator's stage cannot be checked.
    if codes is not None:
        if isinstance(code, str) and code in codes:
            stage = codes[code]
        else:
            problems.add(_join(ipath, "stage"), f"unknown stage {code!r} (known: {', '.join(codes) or 'none'})")
    number: int | None = None
    if iid is not None:
        unique(iid, _join(ipath, "id"))
        match = INDICATOR_ID.match(iid)
        if match is None:
            problems.add(
                _join(ipath, "id"), f"{iid!r} is not an indicator identifier like '1.1.E2' (factor, stage code, number)"
            )
        else:
            number = int(match["number"])
            if fid is not None and match["factor"] != fid:
                problems.add(_join(ipath, "id"), f"indicator {iid!r} does not match its factor {fid!r}")
            if isinstance(code, str) and match["stage"] != code:
                problems.add(_join(ipath, "id"), f"indicator {iid!r} does not match its stage {code!r}")
    text = problems.text(ind.get("text"), _join(ipath, "text"))
    evidence = problems.text(ind.get("evidence"), _join(ipath, "evidence"))
    kinds_value = ind.get("evidence_kinds", [])
    kinds: list[str] = []
    if not isinstance(kinds_value, list):
        problems.add(_join(ipath, "evidence_kinds"), f"expected a list, found {_kind(kinds_value)}")
    else:
        for k, kind in enumerate(kinds_value):
            if kind not in EVIDENCE_KINDS:
                problems.add(
                    f"{ipath}.evidence_kinds[{k}]",
                    f"unknown evidence kind {kind!r} (known: {', '.join(EVIDENCE_KINDS)})",
                )
            elif kind in kinds:
                problems.add(f"{ipath}.evidence_kinds[{k}]", f"evidence kind {kind!r} listed twice")
            else:
                kinds.append(kind)
    if iid is None or fid is None or stage is None or number is None or text is None or evidence is None:
        return None
    return Indicator(iid, fid, stage, number, text, evidence, tuple(kinds))
