"""Published external figures for peer benchmarking, without Django.

``frameworks/benchmarks.yaml`` holds figures other organisations published (ITU GCI tiers and
pillar scores, NCSI scores), each with its source and date and marked ``external: true``.
They are kept apart from a country's own assessment results and never combined with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cyberplan.assessment.framework import FRAMEWORKS_DIR, DataFileError, Problems, read_yaml

DEFAULT_BENCHMARKS = FRAMEWORKS_DIR / "benchmarks.yaml"

FRAMEWORKS: tuple[str, ...] = ("itu-gci", "ncsi")
COUNTRY = re.compile(r"^[A-Z]{2}$")
TIER = re.compile(r"^T[1-5]$")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DATE_KINDS = ("published", "retrieved", "page", "edition")  # page: the date the source page shows for its data


class BenchmarkError(DataFileError):
    kind = "benchmark file"


@dataclass(frozen=True)
class BenchmarkFigure:
    framework: str
    edition: str
    country: str  # ISO 3166-1 alpha-2
    measure: str
    value: float | str  # a score, or a tier such as "T3"
    maximum: float | None
    source: str  # "" only when the snapshot is not known and ``candidates`` lists where it may come from
    date: str | None  # ISO date, year-month or year, as the source gives it
    date_kind: str | None
    note: str | None
    external: bool = True
    snapshot: str | None = None  # the publication, page or snapshot the figure was read from, with its date
    candidates: tuple[str, ...] = ()  # when ``snapshot`` is not known: the snapshot pages it may come from
    area: str | None = None  # "<crosswalk framework id>:<target id>" for a figure about one area of the index


def load_benchmarks(file: str | Path = DEFAULT_BENCHMARKS) -> tuple[BenchmarkFigure, ...]:
    """Load and check the benchmark file; raises ``BenchmarkError`` listing every problem."""
    doc = read_yaml(file, BenchmarkError)
    p = Problems()
    figures: list[BenchmarkFigure] = []
    if p.mapping(doc, "", {"note", "figures"}):
        p.string(doc.get("note"), "note")
        value = doc.get("figures")
        if not isinstance(value, list) or not value:
            p.add("figures", "expected a non-empty list of figures")
            value = []
        seen: dict[tuple[str, str, str, str], int] = {}
        placed: list[tuple[int, BenchmarkFigure]] = []  # each figure with its place in the file
        for n, item in enumerate(value):
            figure = _figure(item, f"figures[{n}]", p)
            if figure is None:
                continue
            key = (figure.framework, figure.edition, figure.country, figure.measure)
            if key in seen:
                p.add(f"figures[{n}]", f"the same figure is already given at figures[{seen[key]}]")
            seen.setdefault(key, n)
            figures.append(figure)
            placed.append((n, figure))
        _own_snapshots(placed, p)
    if p:
        raise BenchmarkError(file, p.items)
    return tuple(figures)


LIVE = ("ncsi",)
"""Indices with no editions, whose figures are read from one page per country: a snapshot is one country's."""
AREA = re.compile(r"^[a-z0-9-]+:[a-z0-9-]+$")


def _own_snapshots(figures: list[tuple[int, BenchmarkFigure]], p: Problems) -> None:
    """A live index's snapshot page belongs to one country: two countries citing the same one is an error."""
    owner: dict[tuple[str, str], str] = {}
    for n, figure in figures:
        if figure.framework not in LIVE or figure.snapshot is None:
            continue
        first = owner.setdefault((figure.framework, figure.snapshot), figure.country)
        if first != figure.country:
            p.add(
                f"figures[{n}].snapshot",
                f"{figure.snapshot!r} is {first}'s snapshot; a figure of {figure.country} must cite its own",
            )


def _snapshot(item: Any, path: str, p: Problems) -> tuple[str | None, tuple[str, ...]]:
    """The figure's own snapshot, or (when it is not known) the snapshot pages it may come from."""
    snapshot, candidates = item.get("snapshot"), item.get("candidates")
    if snapshot is not None:
        if not isinstance(snapshot, str) or not snapshot.strip():
            p.add(
                f"{path}.snapshot",
                f"expected the publication, page or snapshot the figure comes from, found {snapshot!r}",
            )
            return None, ()
        if candidates is not None:
            p.add(f"{path}.candidates", "give candidates only when the snapshot is not known (snapshot: null)")
        return snapshot, ()
    if (
        not isinstance(candidates, list)
        or len(candidates) < 2
        or not all(isinstance(c, str) and c.startswith(("https://", "http://")) for c in candidates)
    ):
        p.add(
            f"{path}.snapshot",
            "no snapshot: name the one the figure comes from, or list at least two candidate pages in 'candidates'",
        )
        return None, ()
    if not isinstance(item.get("note"), str) or "snapshot" not in item["note"]:
        p.add(f"{path}.note", "a figure without its own snapshot needs a note saying why")
    return None, tuple(candidates)


def _figure(item: Any, path: str, p: Problems) -> BenchmarkFigure | None:
    before = len(p.items)
    required = {"framework", "edition", "country", "measure", "value", "snapshot", "date", "external"}
    optional = frozenset({"maximum", "date_kind", "note", "source", "candidates", "area"})
    if not p.mapping(item, path, required, optional):
        return None
    framework = p.string(item.get("framework"), f"{path}.framework")
    if framework is not None and framework not in FRAMEWORKS:
        p.add(f"{path}.framework", f"unknown framework {framework!r} (known: {', '.join(FRAMEWORKS)})")
    edition = item.get("edition")
    if not isinstance(edition, str) or not edition.strip():
        p.add(f"{path}.edition", f"expected the edition as quoted text, found {edition!r}")
    country = item.get("country")
    if not isinstance(country, str) or not COUNTRY.match(country):
        p.add(f"{path}.country", f"expected an ISO 3166-1 alpha-2 code such as 'PY', found {country!r}")
    measure = p.string(item.get("measure"), f"{path}.measure")
    value = item.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        p.add(f"{path}.value", f"expected a number or a tier, found {value!r}")
    if measure == "tier" and not (isinstance(value, str) and TIER.match(value)):
        p.add(f"{path}.value", f"a tier is written T1 to T5, found {value!r}")
    maximum = item.get("maximum")
    if maximum is not None and (isinstance(maximum, bool) or not isinstance(maximum, int | float)):
        p.add(f"{path}.maximum", f"expected a number, found {maximum!r}")
    snapshot, candidates = _snapshot(item, path, p)
    source = item.get("source")
    if source is None and candidates:
        source = ""
    elif not isinstance(source, str) or not source.startswith(("https://", "http://")):
        p.add(f"{path}.source", f"expected the web address of the source, found {source!r}")
    area = item.get("area")
    if area is not None and not (isinstance(area, str) and AREA.match(area)):
        p.add(
            f"{path}.area",
            f"expected '<crosswalk framework>:<area>', such as 'ncsi-v2:policy-development', found {area!r}",
        )
    date, date_kind, note = item.get("date"), item.get("date_kind"), item.get("note")
    if date is None:
        if not isinstance(note, str) or not note.strip():
            p.add(f"{path}.date", "no date: give the date, or a note saying why the source gives none")
    elif not isinstance(date, str) or not DATE.match(date):
        p.add(f"{path}.date", f"expected a quoted ISO date (YYYY, YYYY-MM or YYYY-MM-DD), found {date!r}")
    elif date_kind not in DATE_KINDS:
        p.add(f"{path}.date_kind", f"say what the date is: one of {', '.join(DATE_KINDS)}")
    if item.get("external") is not True:
        p.add(f"{path}.external", "published figures must be marked 'external: true'")
    if note is not None and not isinstance(note, str):
        p.add(f"{path}.note", "expected a text")
    if len(p.items) > before:
        return None
    return BenchmarkFigure(
        framework=str(framework),
        edition=str(edition),
        country=str(country),
        measure=str(measure),
        value=value if isinstance(value, str) else float(value),
        maximum=None if maximum is None else float(maximum),
        source=str(source),
        date=date,
        date_kind=date_kind,
        note=note,
        snapshot=snapshot,
        candidates=candidates,
        area=area,
    )
