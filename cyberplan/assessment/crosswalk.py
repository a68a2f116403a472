"""Crosswalks from the capacity model's factors to other frameworks' structures, without Django.

``frameworks/crosswalks.yaml`` names, for each target framework (ITU GCI 2024 pillars, NCSI
capacity areas, ENISA NCAF objectives), its parts and where that structure comes from, and
maps every factor of the model to the parts it feeds. ``express`` re-reads factor stages in a
target framework's terms: for each pillar, area or objective, the factors that feed it and
their stages. It does **not** convert stages into the target's scores, tiers or levels: the
frameworks measure different things in different ways, and any such number would be invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cyberplan.assessment.framework import (
    FRAMEWORKS_DIR,
    DataFileError,
    Framework,
    Problems,
    read_yaml,
)

DEFAULT_CROSSWALKS = FRAMEWORKS_DIR / "crosswalks.yaml"
BASES = ("verified", "background")
"""How a target's place in its framework is known: from a cited source, or from background
knowledge still to be checked (marked [R] in the project's reference facts)."""


class CrosswalkError(DataFileError):
    kind = "crosswalk file"


@dataclass(frozen=True)
class Target:
    """A pillar, capacity area or objective of a target framework."""

    id: str
    name: str  # as the framework publishes it (English)
    group: str | None = None  # e.g. the NCAF cluster
    basis: str = "verified"
    name_es: str = ""  # the project's Spanish rendering of the name
    group_es: str | None = None

    def label(self, language: str) -> str:
        """The name in ``language`` (Spanish when asked and given, else the published name)."""
        return self.name_es if language.split("-")[0] == "es" and self.name_es else self.name

    def group_label(self, language: str) -> str | None:
        return self.group_es if language.split("-")[0] == "es" and self.group_es else self.group


@dataclass(frozen=True)
class TargetFramework:
    id: str
    title: str
    sources: tuple[str, ...]
    note: str
    targets: tuple[Target, ...]
    title_es: str = ""

    def title_in(self, language: str) -> str:
        return self.title_es if language.split("-")[0] == "es" and self.title_es else self.title

    def target(self, target_id: str) -> Target:
        return next(t for t in self.targets if t.id == target_id)


@dataclass(frozen=True)
class Crosswalks:
    model: str  # the id of the capacity-model framework the mappings start from
    note: str
    frameworks: tuple[TargetFramework, ...]
    mappings: dict[str, dict[str, tuple[str, ...]]]  # factor id -> target framework id -> target ids

    def framework(self, framework_id: str) -> TargetFramework:
        for fw in self.frameworks:
            if fw.id == framework_id:
                return fw
        raise KeyError(f"no crosswalk to {framework_id!r} (known: {', '.join(f.id for f in self.frameworks)})")

    def targets_of(self, factor_id: str, framework_id: str) -> tuple[str, ...]:
        return self.mappings[factor_id][framework_id]


@dataclass(frozen=True)
class TargetView:
    """One part of a target framework, read through the model's factors that feed it."""

    target: Target
    factor_stages: dict[str, int | None]  # factor id -> stage (None: not assessed)

    @property
    def lowest(self) -> int | None:
        known = [s for s in self.factor_stages.values() if s is not None]
        return min(known) if known else None

    @property
    def highest(self) -> int | None:
        known = [s for s in self.factor_stages.values() if s is not None]
        return max(known) if known else None


def load_crosswalks(framework: Framework, file: str | Path = DEFAULT_CROSSWALKS) -> Crosswalks:
    """Load and check a crosswalk file against ``framework``; raises ``CrosswalkError`` listing every problem."""
    doc = read_yaml(file, CrosswalkError)
    p = Problems()
    result = _build(doc, framework, p)
    if p or result is None:
        raise CrosswalkError(file, p.items)
    return result


def _build(doc: Any, framework: Framework, p: Problems) -> Crosswalks | None:
    if not p.mapping(doc, "", {"model", "note", "frameworks", "mappings"}):
        return None
    model = p.string(doc.get("model"), "model")
    if model is not None and model != framework.id:
        p.add("model", f"the crosswalk starts from {model!r}, not from the framework {framework.id!r}")
    note = p.string(doc.get("note"), "note")
    frameworks: list[TargetFramework] = []
    value = doc.get("frameworks")
    if not isinstance(value, list) or not value:
        p.add("frameworks", "expected a non-empty list of target frameworks")
        value = []
    for n, item in enumerate(value):
        path = f"frameworks[{n}]"
        if not p.mapping(item, path, {"id", "title", "title_es", "sources", "note", "targets"}):
            continue
        fid, title = p.string(item.get("id"), f"{path}.id"), p.string(item.get("title"), f"{path}.title")
        title_es = p.string(item.get("title_es"), f"{path}.title_es")
        fnote = p.string(item.get("note"), f"{path}.note")
        sources = item.get("sources")
        if not isinstance(sources, list) or not sources:
            p.add(f"{path}.sources", "expected a non-empty list of sources for this framework's structure")
            sources = []
        for s, src in enumerate(sources):
            if not isinstance(src, str) or not src.startswith(("https://", "http://")):
                p.add(f"{path}.sources[{s}]", f"expected a web address, found {src!r}")
        if fid is not None and any(f.id == fid for f in frameworks):
            p.add(f"{path}.id", f"duplicate target framework {fid!r}")
        targets: list[Target] = []
        tvalue = item.get("targets")
        if not isinstance(tvalue, list) or not tvalue:
            p.add(f"{path}.targets", "expected a non-empty list of targets")
            tvalue = []
        for t, tgt in enumerate(tvalue):
            tpath = f"{path}.targets[{t}]"
            if not p.mapping(tgt, tpath, {"id", "name", "name_es"}, frozenset({"group", "group_es", "basis"})):
                continue
            tid, tname = p.string(tgt.get("id"), f"{tpath}.id"), p.string(tgt.get("name"), f"{tpath}.name")
            tname_es = p.string(tgt.get("name_es"), f"{tpath}.name_es")
            group, group_es = tgt.get("group"), tgt.get("group_es")
            if group is not None:
                group = p.string(group, f"{tpath}.group")
            if (group is None) != (group_es is None):
                p.add(f"{tpath}.group_es", "a group is given in both languages or in neither")
            elif group_es is not None:
                group_es = p.string(group_es, f"{tpath}.group_es")
            basis = tgt.get("basis", "verified")
            if basis not in BASES:
                p.add(f"{tpath}.basis", f"expected one of {', '.join(BASES)}, found {basis!r}")
            if tid is not None and any(x.id == tid for x in targets):
                p.add(f"{tpath}.id", f"duplicate target {tid!r} in {fid!r}")
            elif tid is not None and tname is not None and tname_es is not None:
                targets.append(Target(tid, tname, group, str(basis), tname_es, group_es))
        if fid is not None and title is not None and title_es is not None and fnote is not None:
            sources_ = tuple(str(s) for s in sources)
            frameworks.append(TargetFramework(fid, title, sources_, fnote, tuple(targets), title_es))
    mappings = _mappings(doc.get("mappings"), framework, frameworks, p)
    if p or note is None or model is None or mappings is None:
        return None
    return Crosswalks(model, note, tuple(frameworks), mappings)


def _mappings(
    value: Any, framework: Framework, frameworks: list[TargetFramework], p: Problems
) -> dict[str, dict[str, tuple[str, ...]]] | None:
    if not isinstance(value, dict):
        p.add("mappings", "expected a mapping from factor identifiers to targets")
        return None
    factor_ids = [f.id for f in framework.factors()]
    known = {fw.id: {t.id for t in fw.targets} for fw in frameworks}
    for fid in factor_ids:
        if fid not in value:
            p.add("mappings", f"factor {fid!r} is not mapped")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, entry in value.items():
        path = f"mappings.{key}"
        if not isinstance(key, str) or key not in factor_ids:
            p.add(path, f"unknown factor {key!r} (write factor identifiers as quoted text, e.g. '1.1')")
            continue
        if not p.mapping(entry, path, set(known)):
            continue
        out[str(key)] = {}
        for fw_id, targets in entry.items():
            if fw_id not in known:
                continue
            if not isinstance(targets, list):
                p.add(f"{path}.{fw_id}", "expected a list of targets (empty when none applies)")
                continue
            for t, tid in enumerate(targets):
                if tid not in known[fw_id]:
                    p.add(f"{path}.{fw_id}[{t}]", f"unknown target {tid!r} of {fw_id!r}")
                elif targets.index(tid) != t:
                    p.add(f"{path}.{fw_id}[{t}]", f"target {tid!r} listed twice")
            out[str(key)][fw_id] = tuple(str(t) for t in targets)
    return out


def express(crosswalks: Crosswalks, framework_id: str, factor_stages: Mapping[str, int | None]) -> list[TargetView]:
    """For each part of the target framework, the model's factors that feed it and their stages.

    ``factor_stages`` maps factor ids to stages (0..5), or ``None``/absent when not assessed.
    The views are in the target framework's own order; a part no factor feeds has no factors.
    No numeric conversion into the target framework's scale is made.
    """
    target_framework = crosswalks.framework(framework_id)
    views: list[TargetView] = []
    for target in target_framework.targets:
        feeding = {
            fid: factor_stages.get(fid)
            for fid, per_framework in crosswalks.mappings.items()
            if target.id in per_framework.get(framework_id, ())
        }
        views.append(TargetView(target, feeding))
    return views
