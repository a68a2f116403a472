"""What a structure file is made of: its columns and kinds, its rows, the problems found in it and
the places they are at, and the two files written back (the template and the rejects)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cyberplan.core.models import Organisation
from cyberplan.gaps.models import Gap

from .. import actions
from ..fields import KPI_MEASURE_FIELDS, TEXT_FIELDS
from ..models import Strategy

# Columns of the CSV format (and keys of a YAML item), in the order a template lists them.
COLUMNS = (
    "kind",
    "code",
    "parent",
    "title_en",
    "title_es",
    "description_en",
    "description_es",
    "focus_area",
    "lead",
    "supporting",
    "start",
    "end",
    "budget",
    "currency",
    "funding_source",
    "gaps",
    "unit",
    "baseline",
    "target",
    "frequency",
    "source",
    "source_detail",
)
# Optional columns beyond the usual ones.
OPTIONAL_COLUMNS = ("order", "funding_note", "weight", "direction", "baseline_date", "target_date", "indicator_type")
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS

PRINCIPLE, AXIS, OBJECTIVE, LINE, ACTION, KPI_KIND = "principle", "axis", "objective", "line", "action", "kpi"
KINDS = (PRINCIPLE, AXIS, OBJECTIVE, LINE, ACTION, KPI_KIND)
ELEMENT_KINDS = (AXIS, OBJECTIVE, LINE)

_ELEMENT = {"kind", "code", "parent", "order", "focus_area", *TEXT_FIELDS}
APPLIES: dict[str, frozenset[str]] = {
    PRINCIPLE: frozenset({"kind", "code", "order", *TEXT_FIELDS}),
    AXIS: frozenset(_ELEMENT),
    OBJECTIVE: frozenset(_ELEMENT),
    LINE: frozenset(_ELEMENT),
    ACTION: frozenset(
        {
            "kind",
            "code",
            "parent",
            "order",
            *TEXT_FIELDS,
            "lead",
            "supporting",
            "start",
            "end",
            "budget",
            "currency",
            "funding_source",
            "funding_note",
            "weight",
            "gaps",
        }
    ),
    KPI_KIND: frozenset({"kind", "code", "parent", *TEXT_FIELDS, *KPI_MEASURE_FIELDS, "indicator_type"}),
}

# Keys of the YAML ``strategy`` block, used when the import creates the strategy.
STRATEGY_KEYS = frozenset(actions.STRATEGY_FIELDS)
# A whole national plan is a few hundred rows and tens of kilobytes.
MAX_ROWS = 5000
MAX_STRUCTURE_BYTES = 5 * 1024 * 1024
CODE = re.compile(r"^[\w.\-/]+$")
NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def max_bytes() -> int:
    """The largest structure file accepted: the upload limit of the installation, at most 5 MB."""
    return min(int(settings.CYBERPLAN_MAX_UPLOAD_BYTES), MAX_STRUCTURE_BYTES)


# --------------------------------------------------------------------------- rows and problems


@dataclass
class Row:
    """One item of the file: its place, and the values given (empty cells left out)."""

    where: str  # "line 14" or "items[0].children[1] (line 7)", in the active language
    line: int | None
    values: dict[str, str]
    path: str = ""  # the item's path in a YAML file ("items[0].children[1]"); empty for a CSV line

    @property
    def kind(self) -> str:
        return self.values.get("kind", "").lower()

    @property
    def code(self) -> str:
        return self.values.get("code", "")

    @property
    def parent(self) -> str:
        return self.values.get("parent", "")


@dataclass
class Problem:
    """Something wrong in the file: where, which field, why. ``rows`` are the rows it concerns."""

    where: str
    field: str
    reason: str
    file: str = ""
    rows: tuple[Row, ...] = ()

    def __str__(self) -> str:
        place = f"{self.file}: " if self.file else ""
        column = f" [{self.field}]" if self.field else ""
        return f"{place}{self.where}{column}: {self.reason}"


@dataclass
class Planned:
    """A row checked and turned into model values, ready to be applied."""

    row: Row
    kind: str
    code: str
    parent: str
    values: dict[str, Any] = field(default_factory=dict)
    order: int | None = None
    supporting: list[Organisation] | None = None
    gaps: list[Gap] | None = None


@dataclass
class ImportResult:
    file: str
    strategy: Strategy | None = None
    problems: list[Problem] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        def part(counter: Counter[str]) -> str:
            return ", ".join(f"{counter[k]} {k}" for k in KINDS if counter[k]) or "none"

        return f"created: {part(self.created)}; updated: {part(self.updated)}; unchanged: {part(self.unchanged)}"


class ImportFileError(Exception):
    """The file cannot be read at all (too large, not text, not CSV or YAML)."""


# --------------------------------------------------------------------------- places


def line_place(line: int) -> str:
    """The place of a CSV line, or of a YAML problem that has only a line."""
    return _("line %(line)d") % {"line": line}


def item_place(path: str, line: int) -> str:
    """The place of a YAML item: its path and line."""
    return _("%(path)s (line %(line)d)") % {"path": path, "line": line}


def file_place() -> str:
    """The place of a problem of the file as a whole."""
    return pgettext("place of a problem in an imported file", "file")


# --------------------------------------------------------------------------- rejects


REJECT_COLUMNS = ("file", "where", "field", "reason")


def write_rejects(problems: list[Problem], out: TextIO) -> int:
    """Write each problem as a CSV row with the values of the rows it concerns; returns the rows written."""
    writer = csv.writer(out)
    writer.writerow([*REJECT_COLUMNS, *ALL_COLUMNS])
    written = 0
    for problem in problems:
        base = [problem.file, problem.where, problem.field, problem.reason]
        for row in problem.rows or (None,):
            cells = [row.values.get(c, "") if row is not None else "" for c in ALL_COLUMNS]
            writer.writerow(base + [_defuse(c) for c in cells])
            written += 1
    return written


def _defuse(cell: str) -> str:
    """Keep a spreadsheet from reading a rejected cell as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not NUMBER.match(cell.lstrip("+-")) else cell


def template_csv() -> str:
    """An empty CSV structure file with its header and one example row of each kind."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    blank = dict.fromkeys(COLUMNS, "")
    examples = [
        {"kind": "axis", "code": "1", "title_en": "Incident response", "focus_area": "preparedness"},
        {"kind": "objective", "code": "1.1", "parent": "1", "title_en": "Strengthen the national CSIRT"},
        {"kind": "line", "code": "1.1.1", "parent": "1.1", "title_en": "Staff and tools"},
        {
            "kind": "action",
            "code": "1.1.1.1",
            "parent": "1.1.1",
            "title_en": "Hire four incident handlers",
            "lead": "cert-py",
            "start": "2026-01-01",
            "end": "2026-12-31",
            "budget": "120000",
            "currency": "USD",
            "funding_source": "national_budget",
        },
        {
            "kind": "kpi",
            "code": "",
            "parent": "1.1.1.1",
            "title_en": "Incident handlers in post",
            "unit": "count",
            "baseline": "2",
            "target": "6",
            "frequency": "yearly",
            "source": "manual",
        },
    ]
    for example in examples:
        writer.writerow([{**blank, **example}[c] for c in COLUMNS])
    return out.getvalue()
