"""NCSI criteria matched one to one with indicators of the capacity model, without Django.

``frameworks/ncsi-criteria.yaml`` lists, for one NCSI version, the criteria whose subject is
exactly what one indicator of the model checks. :func:`load_ncsi_criteria` reads and checks it
against the model framework and the factor-level crosswalk (whose NCSI framework names the areas
in the same NCSI version), reporting every problem with its path like the other data files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .crosswalk import Crosswalks, TargetFramework
from .framework import FRAMEWORKS_DIR, DataFileError, Framework, Problems, Text, read_yaml

DEFAULT_NCSI_CRITERIA = FRAMEWORKS_DIR / "ncsi-criteria.yaml"


class NcsiCriteriaError(DataFileError):
    kind = "NCSI criteria file"


@dataclass(frozen=True)
class Criterion:
    id: str  # the NCSI indicator number, e.g. "4.1"
    area: str  # a target of the crosswalk framework, e.g. "global-contribution"
    text: Text  # the project's short description of the criterion
    source: str
    indicator: str  # the model's indicator that checks the same thing


@dataclass(frozen=True)
class NcsiCriteria:
    version: str  # the NCSI version, e.g. "v2"
    crosswalk: TargetFramework  # the factor-level NCSI crosswalk of the same version: area names
    note: Text
    sources: tuple[str, ...]
    criteria: tuple[Criterion, ...]


def load_ncsi_criteria(
    framework: Framework, crosswalks: Crosswalks, file: str | Path = DEFAULT_NCSI_CRITERIA
) -> NcsiCriteria:
    """Load and check the criteria file; raises ``NcsiCriteriaError`` listing every problem."""
    doc = read_yaml(file, NcsiCriteriaError)
    p = Problems()
    result = _build(doc, framework, crosswalks, p)
    if p or result is None:
        raise NcsiCriteriaError(file, p.items)
    return result


def _urls(value: Any, path: str, p: Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        p.add(path, "expected a non-empty list of web addresses")
        return ()
    for n, url in enumerate(value):
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            p.add(f"{path}[{n}]", f"expected a web address, found {url!r}")
    return tuple(str(u) for u in value)


def _build(doc: Any, framework: Framework, crosswalks: Crosswalks, p: Problems) -> NcsiCriteria | None:
    top = {"model", "crosswalk", "ncsi_version", "sources", "note", "criteria"}
    if not p.mapping(doc, "", top):
        return None
    model = p.string(doc.get("model"), "model")
    if model is not None and model != framework.id:
        p.add("model", f"the criteria start from {model!r}, not from the framework {framework.id!r}")
    version = p.string(doc.get("ncsi_version"), "ncsi_version")
    walk_id = p.string(doc.get("crosswalk"), "crosswalk")
    walk = next((f for f in crosswalks.frameworks if f.id == walk_id), None)
    if walk_id is not None and walk is None:
        p.add("crosswalk", f"no crosswalk framework {walk_id!r} in the crosswalk file")
    elif walk is not None and version is not None and not walk.id.endswith(f"-{version}"):
        p.add("crosswalk", f"{walk.id!r} does not name NCSI {version}: the area names must be of the same version")
    sources = _urls(doc.get("sources"), "sources", p)
    note = p.text(doc.get("note"), "note")
    criteria = _criteria(doc.get("criteria"), framework, walk, p)
    if p or version is None or walk is None or note is None:
        return None
    return NcsiCriteria(version, walk, note, sources, tuple(criteria))


def _criteria(value: Any, framework: Framework, walk: TargetFramework | None, p: Problems) -> list[Criterion]:
    if not isinstance(value, list) or not value:
        p.add("criteria", "expected a non-empty list of criteria")
        return []
    indicators = {i.id for i in framework.indicators()}
    areas = {t.id for t in walk.targets} if walk is not None else set()
    out: list[Criterion] = []
    for n, item in enumerate(value):
        path = f"criteria[{n}]"
        if not p.mapping(item, path, {"id", "area", "criterion", "source", "indicator"}):
            continue
        cid, area = p.string(item.get("id"), f"{path}.id"), p.string(item.get("area"), f"{path}.area")
        indicator = p.string(item.get("indicator"), f"{path}.indicator")
        text = p.text(item.get("criterion"), f"{path}.criterion")
        source = item.get("source")
        if not isinstance(source, str) or not source.startswith(("https://", "http://")):
            p.add(f"{path}.source", f"expected the web address of the source, found {source!r}")
        if area is not None and walk is not None and area not in areas:
            p.add(f"{path}.area", f"unknown area {area!r} of {walk.id!r}")
        if indicator is not None and indicator not in indicators:
            p.add(f"{path}.indicator", f"{framework.key} has no indicator {indicator!r}")
        if cid is not None and any(c.id == cid for c in out):
            p.add(f"{path}.id", f"criterion {cid!r} is listed twice")
        if indicator is not None and any(c.indicator == indicator for c in out):
            p.add(f"{path}.indicator", f"{indicator} already matches another criterion: the match must be one to one")
        if cid is not None and area is not None and indicator is not None and text is not None:
            out.append(Criterion(cid, area, text, str(source), indicator))
    return out
