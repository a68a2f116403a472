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
    source: str
    date: str | None  # ISO date, year-month or year, as the source gives it
    date_kind: str | None
    note: str | None
    external: bool = True


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
        for n, item in enumerate(value):
            figure = _figure(item, f"figures[{n}]", p)
            if figure is None:
                continue
            key = (figure.framework, figure.edition, figure.country, figure.measure)
            if key in seen:
                p.add(f"figures[{n}]", f"the same figure is already given at figures[{seen[key]}]")
            seen.setdefault(key, n)
            figures.append(figure)
    if p:
        raise BenchmarkError(file, p.items)
    return tuple(figures)


def _figure(item: Any, path: str, p: Problems) -> BenchmarkFigure | None:
    before = len(p.items)
    required = {"framework", "edition", "country", "measure", "value", "source", "date", "external"}
    if not p.mapping(item, path, required, frozenset({"maximum", "date_kind", "note"})):
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
    source = item.get("source")
    if not isinstance(source, str) or not source.startswith(("https://", "http://")):
        p.add(f"{path}.source", f"expected the web address of the source, found {source!r}")
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
    )
