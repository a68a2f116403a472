"""Load a whole strategy structure from a CSV or YAML file, e.g. an existing plan typed into a spreadsheet.

The file is read and checked completely before anything is written: every problem is collected
with the file, the place (CSV line, or YAML item path and line), the field and the reason. If
there is any problem nothing is written. Otherwise the rows are applied through ``actions.py``
(so every write is validated and audited) in one transaction, matching what exists by code:

* principles by their number (``code``), axes, objectives, action lines and actions by code,
  KPIs by their name under their action;
* a value left empty keeps what is stored; the import adds and updates, it never deletes
  (elements, actions, KPIs and gap links missing from the file stay as they are).

Running the same import twice therefore gives the same strategy. The formats are described in
docs/how-to/strategy-import.md.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any, TextIO

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.models import Gap

from .. import actions
from ..choices import (
    PARENT_KIND,
    ElementKind,
    FocusArea,
    Frequency,
    FundingSource,
    KPIDirection,
    KPISource,
    KPIUnit,
)
from ..fields import KPI_MEASURE_FIELDS, TEXT_FIELDS
from ..models import KPI, Action, Element, Principle, Strategy
from ..units import SOURCE_UNIT, check_kpi_values

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
OPTIONAL_COLUMNS = ("order", "funding_note", "direction", "baseline_date", "target_date")
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
            "gaps",
        }
    ),
    KPI_KIND: frozenset({"kind", "code", "parent", *TEXT_FIELDS, *KPI_MEASURE_FIELDS}),
}

# Keys of the YAML ``strategy`` block, used when the import creates the strategy.
STRATEGY_KEYS = frozenset(actions.STRATEGY_FIELDS)
# A whole national plan is a few hundred rows and tens of kilobytes.
MAX_ROWS = 5000
MAX_STRUCTURE_BYTES = 5 * 1024 * 1024
_CODE = re.compile(r"^[\w.\-/]+$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


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


def _line_place(line: int) -> str:
    """The place of a CSV line, or of a YAML problem that has only a line."""
    return _("line %(line)d") % {"line": line}


def _item_place(path: str, line: int) -> str:
    """The place of a YAML item: its path and line."""
    return _("%(path)s (line %(line)d)") % {"path": path, "line": line}


def _file_place() -> str:
    """The place of a problem of the file as a whole."""
    return pgettext("place of a problem in an imported file", "file")


# --------------------------------------------------------------------------- reading


def _decode(data: bytes, filename: str) -> str:
    if len(data) > max_bytes():
        raise ImportFileError(
            _("The file %(name)s is %(size)s; the limit for a structure file is %(limit)s.")
            % {"name": filename, "size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes())}
        )
    if b"\x00" in data:
        raise ImportFileError(_("The file %(name)s contains binary data, not text.") % {"name": filename})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file %(name)s is not UTF-8 text (byte %(position)d); save it as UTF-8.")
            % {"name": filename, "position": error.start}
        ) from None


def file_format(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise ImportFileError(_("Give a .csv, .yaml or .yml file, not %(name)s.") % {"name": filename or "?"})


def read_rows(data: bytes, filename: str) -> tuple[list[Row], list[Problem], dict[str, str]]:
    """Rows of a CSV or YAML structure file, problems of form, and the YAML ``strategy`` block."""
    kind = file_format(filename)
    text = _decode(data, filename)
    if kind == "csv":
        rows, problems = read_csv(text)
        return rows, problems, {}
    return read_yaml(text)


def read_csv(text: str) -> tuple[list[Row], list[Problem]]:
    """Rows of a CSV structure file. Delimiter ``,`` or ``;`` (as the header uses); ``#`` in kind: a comment."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    rows: list[Row] = []
    try:
        header = next(reader, None)
    except csv.Error as error:
        return [], [Problem(_line_place(1), "", _("The header cannot be read: %(error)s.") % {"error": error})]
    if header is None or not any(cell.strip() for cell in header):
        return [], [Problem(_line_place(1), "", _("The file is empty; the first line names the columns."))]
    columns = [cell.strip().lower() for cell in header]
    for index, name in enumerate(columns):
        if name and name not in ALL_COLUMNS:
            problems.append(
                Problem(
                    _line_place(1),
                    name[:40],
                    _("Unknown column %(name)r; the columns are %(columns)s.")
                    % {"name": name[:40], "columns": ", ".join(ALL_COLUMNS)},
                )
            )
        elif name and name in columns[:index]:
            problems.append(Problem(_line_place(1), name, _("The column %(name)s appears twice.") % {"name": name}))
    for required in ("kind", "code"):
        if required not in columns:
            problems.append(
                Problem(_line_place(1), required, _("The column %(name)s is missing.") % {"name": required})
            )
    if problems:
        return [], problems
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            problems.append(
                Problem(_line_place(start), "", _("The line cannot be read: %(error)s.") % {"error": str(error)[:200]})
            )
            break
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(
                Problem(_line_place(start), "", _("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
            )
            break
        where = _line_place(start)
        extra = [cell for cell in cells[len(columns) :] if cell.strip()]
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name and cell.strip()}
        row = Row(where, start, values)
        if values.get("kind", "").startswith("#"):
            continue
        if extra:
            problems.append(
                Problem(
                    where,
                    "",
                    _(
                        "The line does not match the header: cells on the line: %(cells)d; columns in the header: %(columns)d."
                    )
                    % {"cells": len(cells), "columns": len(columns)},
                    rows=(row,),
                )
            )
        rows.append(row)
    return rows, problems


class _AliasError(yaml.composer.ComposerError):
    """An alias in the file: refused, with a message of its own."""


class _NoAliasLoader(yaml.SafeLoader):
    """Composes YAML nodes without resolving types and refuses aliases (no expansion bombs)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # PyYAML's parser has no type hints
            raise _AliasError(None, None, "aliases (*name) are not accepted", event.start_mark)
        node = super().compose_node(parent, index)
        assert node is not None  # noqa: S101 -- a node follows a node event
        return node


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _yaml_reasons() -> tuple[tuple[str, str], ...]:
    """PyYAML's explanations of the usual mistakes (the start of its English text), each with ours."""
    return (
        (
            "mapping values are not allowed here",
            _("a colon where a value was expected: put a value holding a colon in quotes, or check the indentation"),
        ),
        ("could not find expected ':'", _("a line without the colon of its key, or a list item without its dash")),
        ("found character '\\t' that cannot start any token", _("a tab character: indent with spaces")),
        ("found character", _("a character that cannot start a value: put the value in quotes")),
        ("expected <block end>", _("the indentation does not match the lines above")),
        ("did not find expected key", _("the indentation does not match the lines above")),
        ("did not find expected '-' indicator", _("a list item without its dash, or a wrong indentation")),
        ("found unexpected end of stream", _("the file ends inside a quoted value")),
        ("expected ',' or ']'", _("a list in square brackets is not closed")),
        ("expected ',' or '}'", _("a mapping in braces is not closed")),
        (
            "found unknown escape character",
            _("an unknown escape after a backslash in double quotes: use single quotes"),
        ),
        ("expected '<document start>'", _("a line starting with % or a misplaced document marker")),
    )


def _yaml_reason(problem: str) -> str:
    """PyYAML's explanation of a parse error in the user's language when it is a usual one; else
    its own English text."""
    for start, reason in _yaml_reasons():
        if problem.startswith(start):
            return reason
    return problem


def read_yaml(text: str) -> tuple[list[Row], list[Problem], dict[str, str]]:
    """Rows of a YAML structure file: a list of items (flat, nested, or both), or a mapping with
    ``strategy``, ``principles`` and ``items``. Every scalar is read as text, as in a CSV cell."""
    loader = _NoAliasLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = _line_place(mark.line + 1) if mark is not None else _file_place()
        if isinstance(error, _AliasError):
            message = _("The YAML cannot be read: aliases (*name) are not accepted.")
        else:
            reason = _yaml_reason(str(getattr(error, "problem", None) or error))
            message = _("The YAML cannot be read: %(error)s.") % {"error": reason[:200]}
        return [], [Problem(where, "", message)], {}
    finally:
        loader.dispose()
    if root is None:
        return [], [Problem(_file_place(), "", _("The file is empty."))], {}
    walker = _YamlWalker()
    if isinstance(root, yaml.SequenceNode):
        walker.items(root, "items", "", None)
    elif isinstance(root, yaml.MappingNode):
        for key_node, value in root.value:
            key = str(key_node.value)
            if key == "strategy":
                walker.strategy_block(value)
            elif key == "principles":
                walker.items(value, "principles", "", PRINCIPLE)
            elif key == "items":
                walker.items(value, "items", "", None)
            elif key != "format":
                walker.problem(
                    key_node,
                    key[:40],
                    key,
                    _("Unknown key %(key)r; use strategy, principles and items.") % {"key": key[:40]},
                )
    else:
        walker.problem(root, "", _file_place(), _("The file must hold a list of items or a mapping with items."))
    return walker.rows, walker.problems, walker.strategy


_NESTED = {"children": None, "actions": ACTION, "kpis": KPI_KIND}
_CHILD_KIND = {AXIS: OBJECTIVE, OBJECTIVE: LINE}


class _YamlWalker:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.problems: list[Problem] = []
        self.strategy: dict[str, str] = {}

    def problem(self, node: yaml.Node, field_name: str, path: str, reason: str) -> None:
        self.problems.append(Problem(_item_place(path, _line(node)), field_name, reason))

    def strategy_block(self, node: yaml.Node) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "", "strategy", _("The strategy block is a mapping of fields."))
            return
        for key_node, value in node.value:
            key = str(key_node.value)
            if key not in STRATEGY_KEYS:
                self.problem(
                    key_node,
                    key[:40],
                    "strategy",
                    _("Unknown strategy field %(key)r; use %(keys)s.")
                    % {"key": key[:40], "keys": ", ".join(sorted(STRATEGY_KEYS))},
                )
            elif not isinstance(value, yaml.ScalarNode):
                self.problem(value, key, "strategy", _("Give %(key)s as a single value.") % {"key": key})
            else:
                self.strategy[key] = str(value.value).strip()

    def items(self, node: yaml.Node, path: str, parent: str, kind: str | None) -> None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "", path, _("Give a list of items here."))
            return
        for index, item in enumerate(node.value):
            if len(self.rows) >= MAX_ROWS:
                self.problem(item, "", path, _("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
                return
            self.item(item, f"{path}[{index}]", parent, kind)

    def item(self, node: yaml.Node, path: str, parent: str, kind: str | None) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "", path, _("Each item is a mapping of fields (kind, code, title_en, ...)."))
            return
        values: dict[str, str] = {}
        nested: list[tuple[str, yaml.Node]] = []
        row = Row(_item_place(path, _line(node)), _line(node), values, path)
        for key_node, value in node.value:
            key = str(key_node.value)
            if key in _NESTED:
                nested.append((key, value))
            elif key not in ALL_COLUMNS:
                self.problems.append(
                    Problem(row.where, key[:40], _("Unknown field %(key)r.") % {"key": key[:40]}, rows=(row,))
                )
            elif isinstance(value, yaml.ScalarNode):
                if str(value.value).strip():
                    values[key] = str(value.value).strip()
            elif isinstance(value, yaml.SequenceNode) and key in ("supporting", "gaps"):
                values[key] = ";".join(
                    str(v.value).strip() for v in value.value if isinstance(v, yaml.ScalarNode) and str(v.value)
                )
            else:
                self.problems.append(
                    Problem(row.where, key, _("Give %(key)s as a single value.") % {"key": key}, rows=(row,))
                )
        if kind and "kind" not in values:
            values["kind"] = kind
        if parent:
            given = values.get("parent")
            if given and given != parent:
                self.problems.append(
                    Problem(
                        row.where,
                        "parent",
                        _("The item is nested under %(nested)s but names parent %(given)s.")
                        % {"nested": parent, "given": given},
                        rows=(row,),
                    )
                )
            values["parent"] = parent
        self.rows.append(row)
        for key, child in nested:
            child_kind = _NESTED[key] or _CHILD_KIND.get(values.get("kind", "").lower())
            if key == "children" and child_kind is None:
                self.problems.append(
                    Problem(row.where, "children", _("Only axes and objectives have children."), rows=(row,))
                )
                continue
            self.items(child, f"{path}.{key}", values.get("code", ""), child_kind)


# --------------------------------------------------------------------------- checking


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


# Messages that depend on the kind of a row are whole sentences, one per kind (and, where the row's
# code is named, one with the code and one for a row without a code), so that each translates as
# a whole: kind names are never put into a sentence.
_NOT_APPLICABLE = {
    PRINCIPLE: gettext_lazy("%(field)s does not apply to a principle."),
    AXIS: gettext_lazy("%(field)s does not apply to an axis."),
    OBJECTIVE: gettext_lazy("%(field)s does not apply to an objective."),
    LINE: gettext_lazy("%(field)s does not apply to an action line."),
    ACTION: gettext_lazy("%(field)s does not apply to an action."),
    KPI_KIND: gettext_lazy("%(field)s does not apply to a KPI."),
}
_CODE_MISSING = {
    AXIS: gettext_lazy("Give an axis a code, e.g. 1.2."),
    OBJECTIVE: gettext_lazy("Give an objective a code, e.g. 1.2."),
    LINE: gettext_lazy("Give an action line a code, e.g. 1.2."),
    ACTION: gettext_lazy("Give an action a code, e.g. 1.2."),
}
_KIND_CHANGED = {
    AXIS: gettext_lazy("%(code)s is an axis in the strategy; an import cannot change the kind of an element."),
    OBJECTIVE: gettext_lazy(
        "%(code)s is an objective in the strategy; an import cannot change the kind of an element."
    ),
    LINE: gettext_lazy("%(code)s is an action line in the strategy; an import cannot change the kind of an element."),
}
_UNKNOWN_KPI_VALUE = {
    "direction": gettext_lazy("Unknown direction %(value)r; use %(values)s."),
    "frequency": gettext_lazy("Unknown frequency %(value)r; use %(values)s."),
    "source": gettext_lazy("Unknown source %(value)r; use %(values)s."),
    "unit": gettext_lazy("Unknown unit %(value)r; use %(values)s."),
}
# (with the code, without a code), by kind.
_PARENT_MISSING = {
    OBJECTIVE: (
        gettext_lazy("Objective %(code)s needs the axis it belongs to."),
        gettext_lazy("The objective needs the axis it belongs to."),
    ),
    LINE: (
        gettext_lazy("Action line %(code)s needs the objective it belongs to."),
        gettext_lazy("The action line needs the objective it belongs to."),
    ),
    ACTION: (
        gettext_lazy("Action %(code)s needs the action line or objective it belongs to."),
        gettext_lazy("The action needs the action line or objective it belongs to."),
    ),
    KPI_KIND: (
        gettext_lazy("KPI %(code)s needs the action it measures."),
        gettext_lazy("The KPI needs the action it measures."),
    ),
}
_PARENT_UNKNOWN = {
    OBJECTIVE: (
        gettext_lazy("Objective %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The objective names parent %(parent)s which is not in the file or the strategy."),
    ),
    LINE: (
        gettext_lazy("Action line %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The action line names parent %(parent)s which is not in the file or the strategy."),
    ),
    ACTION: (
        gettext_lazy("Action %(code)s names parent %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The action names parent %(parent)s which is not in the file or the strategy."),
    ),
    KPI_KIND: (
        gettext_lazy("KPI %(code)s names action %(parent)s which is not in the file or the strategy."),
        gettext_lazy("The KPI names action %(parent)s which is not in the file or the strategy."),
    ),
}
# By (kind of the row, kind of the parent it names).
_PARENT_WRONG_KIND = {
    (OBJECTIVE, OBJECTIVE): (
        gettext_lazy(
            "Objective %(code)s names parent %(parent)s, which is an objective; an objective sits under an axis."
        ),
        gettext_lazy("The objective names parent %(parent)s, which is an objective; an objective sits under an axis."),
    ),
    (OBJECTIVE, LINE): (
        gettext_lazy(
            "Objective %(code)s names parent %(parent)s, which is an action line; an objective sits under an axis."
        ),
        gettext_lazy(
            "The objective names parent %(parent)s, which is an action line; an objective sits under an axis."
        ),
    ),
    (LINE, AXIS): (
        gettext_lazy(
            "Action line %(code)s names parent %(parent)s, which is an axis; an action line sits under an objective."
        ),
        gettext_lazy(
            "The action line names parent %(parent)s, which is an axis; an action line sits under an objective."
        ),
    ),
    (LINE, LINE): (
        gettext_lazy(
            "Action line %(code)s names parent %(parent)s, which is an action line; "
            "an action line sits under an objective."
        ),
        gettext_lazy(
            "The action line names parent %(parent)s, which is an action line; an action line sits under an objective."
        ),
    ),
    (ACTION, AXIS): (
        gettext_lazy(
            "Action %(code)s names parent %(parent)s, which is an axis; "
            "an action sits under an action line or an objective."
        ),
        gettext_lazy(
            "The action names parent %(parent)s, which is an axis; an action sits under an action line or an objective."
        ),
    ),
    (ACTION, ACTION): (
        gettext_lazy(
            "Action %(code)s names parent %(parent)s, which is an action; "
            "an action sits under an action line or an objective."
        ),
        gettext_lazy(
            "The action names parent %(parent)s, which is an action; "
            "an action sits under an action line or an objective."
        ),
    ),
}


def _about(messages: tuple[Any, Any], code: str, **values: str) -> str:
    """The sentence naming the row by its code, or the one for a row without a code."""
    with_code, without_code = messages
    return str(with_code) % {"code": code, **values} if code else str(without_code) % values


def _model_length(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


class Checker:
    """Checks rows against the file itself and the strategy, and turns them into ``Planned`` values."""

    def __init__(
        self,
        rows: list[Row],
        organisation: Organisation,
        strategy: Strategy | None,
        *,
        skip_missing_gaps: bool = False,
    ) -> None:
        self.rows = rows
        self.organisation = organisation
        self.strategy = strategy
        self.skip_missing_gaps = skip_missing_gaps
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.planned: list[Planned] = []
        self.existing_elements: dict[str, tuple[str, str]] = {}  # code -> (kind, parent code)
        self.existing_actions: set[str] = set()
        if strategy is not None:
            codes = dict(Element.objects.filter(strategy=strategy).values_list("pk", "code"))
            for code, kind, parent_id in Element.objects.filter(strategy=strategy).values_list(
                "code", "kind", "parent_id"
            ):
                self.existing_elements[code] = (kind, codes.get(parent_id, "") if parent_id else "")
            self.existing_actions = set(Action.objects.filter(strategy=strategy).values_list("code", flat=True))
        self._organisations = list(Organisation.objects.all())
        self._gaps = list(Gap.objects.filter(organisation=organisation))

    def add(self, row: Row | None, field_name: str, reason: str, where: str | None = None) -> None:
        self.problems.append(
            Problem(where or (row.where if row else _file_place()), field_name, reason, rows=(row,) if row else ())
        )

    # ------------------------------------------------------------------ one row

    def check(self) -> list[Planned]:
        for row in self.rows:
            planned = self.check_row(row)
            if planned is not None:
                self.planned.append(planned)
        self.check_duplicates()
        self.check_parents()
        self.check_cycles()
        return self.planned

    def check_row(self, row: Row) -> Planned | None:
        kind = row.kind
        if kind not in KINDS:
            self.add(
                row,
                "kind",
                _("Unknown kind %(kind)r; use %(kinds)s.")
                % {"kind": row.values.get("kind", "")[:30], "kinds": ", ".join(KINDS)}
                if kind
                else _("Give the kind: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            )
            return None
        planned = Planned(row, kind, row.code, row.parent)
        for name in row.values:
            if name not in APPLIES[kind]:
                self.add(row, name, str(_NOT_APPLICABLE[kind]) % {"field": name})
        self._code(row, planned)
        self._texts(row, planned)
        if "order" in row.values:
            planned.order = self._integer(row, "order", 0, 32767)
        if kind in ELEMENT_KINDS:
            focus = row.values.get("focus_area", "")
            if focus and focus not in FocusArea.values:
                self.add(
                    row,
                    "focus_area",
                    _("Unknown focus area %(value)r; use %(values)s.")
                    % {"value": focus[:40], "values": ", ".join(FocusArea.values)},
                )
            elif focus:
                planned.values["focus_area"] = focus
        if kind == ACTION:
            self._action(row, planned)
        if kind == KPI_KIND:
            self._kpi(row, planned)
        return planned

    def _code(self, row: Row, planned: Planned) -> None:
        code = row.code
        if planned.kind == PRINCIPLE:
            if code and not code.isdigit():
                self.add(
                    row, "code", _("A principle's code is its number (1, 2, ...), not %(code)r.") % {"code": code[:30]}
                )
            elif code:
                planned.order = int(code)
            return
        if planned.kind == KPI_KIND:
            return
        if not code:
            self.add(row, "code", str(_CODE_MISSING[planned.kind]))
            return
        limit = _model_length(Action if planned.kind == ACTION else Element, "code")
        if len(code) > limit:
            self.add(row, "code", _("A code has at most %(limit)d characters.") % {"limit": limit})
        elif not _CODE.match(code):
            self.add(
                row,
                "code",
                _("A code is made of letters, digits, dots and dashes, not %(code)r.") % {"code": code[:30]},
            )

    def _texts(self, row: Row, planned: Planned) -> None:
        values = row.values
        if not (values.get("title_en") or values.get("title_es")):
            self.add(row, "title_en", _("Give a title in English, in Spanish, or in both."))
        model: type[Any] = {PRINCIPLE: Principle, ACTION: Action, KPI_KIND: KPI}.get(planned.kind, Element)
        for name in ("title_en", "title_es", "description_en", "description_es"):
            if name not in values:
                continue
            target: str = name
            if planned.kind == KPI_KIND:
                target = name.replace("title", "name").replace("description", "definition")
            limit = model._meta.get_field(target).max_length
            if limit and len(values[name]) > limit:
                self.add(row, name, _("At most %(limit)d characters.") % {"limit": limit})
            planned.values[target] = values[name]

    def _integer(self, row: Row, name: str, low: int, high: int) -> int | None:
        text = row.values[name]
        if not text.isdigit() or not low <= int(text) <= high:
            self.add(row, name, _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
            return None
        return int(text)

    def _date(self, row: Row, name: str) -> datetime.date | None:
        text = row.values.get(name, "")
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            self.add(row, name, _("%(value)r is not a date; write it as YYYY-MM-DD.") % {"value": text[:30]})
            return None

    def find_organisation(self, row: Row, name: str, reference: str) -> Organisation | None:
        wanted = reference.strip().lower()
        found = [o for o in self._organisations if o.slug.lower() == wanted]
        if not found:
            found = [o for o in self._organisations if o.acronym and o.acronym.lower() == wanted]
        if len(found) == 1:
            return found[0]
        if found:
            self.add(
                row,
                name,
                _("%(name)r is the acronym of several organisations; use the short name (%(slugs)s).")
                % {"name": reference[:40], "slugs": ", ".join(o.slug for o in found)},
            )
        else:
            self.add(
                row,
                name,
                _("Unknown organisation %(name)r (give its short name or acronym).") % {"name": reference[:40]},
            )
        return None

    def gap(self, row: Row, reference: str) -> Gap | None:
        found = [g for g in self._gaps if g.identifier.lower() == reference.lower()]
        if not found:
            found = [g for g in self._gaps if g.source_key and g.source_key == reference]
        if len(found) == 1:
            return found[0]
        if found:
            self.add(row, "gaps", _("%(key)r names several gaps; use the identifier.") % {"key": reference[:60]})
        elif self.skip_missing_gaps:
            self.notes.append(
                _("%(where)s: gap %(gap)s is not in the register of %(organisation)s; the link was skipped.")
                % {"where": row.where, "gap": reference[:60], "organisation": self.organisation}
            )
        else:
            self.add(
                row,
                "gaps",
                _("Unknown gap %(gap)r: it is not in the gap register of %(organisation)s.")
                % {"gap": reference[:60], "organisation": self.organisation},
            )
        return None

    def _action(self, row: Row, planned: Planned) -> None:
        values = row.values
        if "lead" in values:
            lead = self.find_organisation(row, "lead", values["lead"])
            if lead is not None:
                planned.values["lead"] = lead
        if "supporting" in values:
            found = [self.find_organisation(row, "supporting", name) for name in _split(values["supporting"])]
            planned.supporting = [o for o in found if o is not None]
        start, end = self._date(row, "start"), self._date(row, "end")
        if start is not None:
            planned.values["start_date"] = start
        if end is not None:
            planned.values["end_date"] = end
        if start and end and end < start:
            self.add(
                row,
                "end",
                _("The dates are out of order: the action ends on %(end)s, before it starts on %(start)s.")
                % {"end": end.isoformat(), "start": start.isoformat()},
            )
        if "budget" in values:
            text = values["budget"].replace(" ", "").replace("_", "")
            if not _NUMBER.match(text):
                self.add(row, "budget", _("Write the budget as a plain number, e.g. 120000 or 120000.50."))
            else:
                budget = Decimal(text)
                if budget >= Decimal(10) ** 12 or budget != budget.quantize(Decimal("0.01")):
                    self.add(row, "budget", _("The budget has at most 12 digits and 2 decimals."))
                else:
                    planned.values["budget"] = budget.quantize(Decimal("0.01"))
        if "currency" in values:
            currency = values["currency"]
            if len(currency) != 3 or not currency.isalpha():
                self.add(row, "currency", _("Give a three-letter currency code, e.g. USD or PYG."))
            else:
                planned.values["currency"] = currency.upper()
        if "funding_source" in values:
            source = values["funding_source"]
            if source not in FundingSource.values:
                self.add(
                    row,
                    "funding_source",
                    _("Unknown funding source %(value)r; use %(values)s.")
                    % {"value": source[:40], "values": ", ".join(FundingSource.values)},
                )
            else:
                planned.values["funding_source"] = source
        if "funding_note" in values:
            if len(values["funding_note"]) > _model_length(Action, "funding_note"):
                self.add(row, "funding_note", _("At most %(limit)d characters.") % {"limit": 300})
            planned.values["funding_note"] = values["funding_note"]
        if "gaps" in values:
            found_gaps = [self.gap(row, reference) for reference in _split(values["gaps"])]
            planned.gaps = [g for g in found_gaps if g is not None]

    def _kpi(self, row: Row, planned: Planned) -> None:
        values = row.values
        checks = {
            "direction": KPIDirection.values,
            "frequency": Frequency.values,
            "source": KPISource.values,
            "unit": KPIUnit.values,
        }
        for name, allowed in checks.items():
            value = values.get(name, "")
            if value and value not in allowed:
                self.add(
                    row,
                    name,
                    str(_UNKNOWN_KPI_VALUE[name]) % {"value": value[:40], "values": ", ".join(allowed)},
                )
                return
            if value:
                planned.values[name] = value
        source = planned.values.get("source", KPISource.MANUAL)
        if "unit" not in planned.values:
            if source in SOURCE_UNIT:
                planned.values["unit"] = SOURCE_UNIT[source]
            else:
                self.add(row, "unit", _("Give the KPI's unit: %(values)s.") % {"values": ", ".join(KPIUnit.values)})
                return
        for name in ("baseline_date", "target_date"):
            day = self._date(row, name)
            if day is not None:
                planned.values[name] = day
        if "source_detail" in values:
            planned.values["source_detail"] = values["source_detail"]
            if len(values["source_detail"]) > _model_length(KPI, "source_detail"):
                self.add(row, "source_detail", _("At most %(limit)d characters.") % {"limit": 300})
                return
        probe = KPI(**{k: v for k, v in planned.values.items() if k not in _TEXT_KPI})
        probe.baseline = values.get("baseline") or None
        probe.target = values.get("target") or None
        try:
            check_kpi_values(probe)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add(row, _KPI_COLUMN.get(name, name), " ".join(messages))
            return
        for name in ("baseline", "target"):
            if getattr(probe, name) is not None:
                planned.values[name] = getattr(probe, name)

    # ------------------------------------------------------------------ across rows

    def _by_namespace(self, namespace: Iterable[str]) -> dict[str, list[Planned]]:
        kinds = set(namespace)
        out: dict[str, list[Planned]] = {}
        for item in self.planned:
            if item.kind in kinds and item.code:
                out.setdefault(item.code, []).append(item)
        return out

    def check_duplicates(self) -> None:
        for namespace, label in ((ELEMENT_KINDS, "code"), ((ACTION,), "code")):
            for code, items in self._by_namespace(namespace).items():
                if len(items) > 1:
                    self._duplicate(
                        items,
                        label,
                        _("The code %(code)s appears %(count)d times.") % {"code": code, "count": len(items)},
                    )
        principles: dict[int, list[Planned]] = {}
        for item in self.planned:
            if item.kind == PRINCIPLE and item.order is not None and item.row.code:
                principles.setdefault(item.order, []).append(item)
        for number, items in principles.items():
            if len(items) > 1:
                self._duplicate(
                    items,
                    "code",
                    _("Principle %(number)d appears %(count)d times.") % {"number": number, "count": len(items)},
                )
        kpis: dict[tuple[str, str], list[Planned]] = {}
        for item in self.planned:
            if item.kind == KPI_KIND:
                kpis.setdefault((item.parent, _kpi_key(item.values)), []).append(item)
        for (action, name), items in kpis.items():
            if name and len(items) > 1:
                self._duplicate(
                    items,
                    "title_en",
                    _("Action %(action)s has %(count)d KPIs named %(name)r.")
                    % {"action": action, "count": len(items), "name": name},
                )
        for code, items in self._by_namespace(ELEMENT_KINDS).items():
            stored = self.existing_elements.get(code)
            if stored and stored[0] != items[0].kind:
                self.add(
                    items[0].row,
                    "kind",
                    str(_KIND_CHANGED[stored[0]]) % {"code": code},
                )

    def _duplicate(self, items: list[Planned], field_name: str, reason: str) -> None:
        where = _lines_label([i.row for i in items])
        self.problems.append(Problem(where, field_name, reason, rows=tuple(i.row for i in items)))

    def _element_kind(self, code: str) -> str | None:
        in_file = self._by_namespace(ELEMENT_KINDS).get(code)
        if in_file:
            return in_file[0].kind
        stored = self.existing_elements.get(code)
        return stored[0] if stored else None

    def check_parents(self) -> None:
        actions_in_file = set(self._by_namespace((ACTION,)))
        for item in self.planned:
            kind, parent, code = item.kind, item.parent, item.code
            if kind == PRINCIPLE:
                continue
            if kind == AXIS:
                if parent:
                    self.add(item.row, "parent", _("An axis sits at the top of the strategy; it has no parent."))
                continue
            if not parent:
                self.add(item.row, "parent", _about(_PARENT_MISSING[kind], code))
                continue
            if kind == KPI_KIND:
                if parent not in actions_in_file and parent not in self.existing_actions:
                    self.add(item.row, "parent", _about(_PARENT_UNKNOWN[kind], code, parent=parent))
                continue
            parent_kind = self._element_kind(parent)
            if parent_kind is None:
                if kind == ACTION and (parent in actions_in_file or parent in self.existing_actions):
                    self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(ACTION, ACTION)], code, parent=parent))
                else:
                    self.add(item.row, "parent", _about(_PARENT_UNKNOWN[kind], code, parent=parent))
                continue
            if kind == ACTION:
                if parent_kind == AXIS:
                    self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(ACTION, AXIS)], code, parent=parent))
                continue
            if parent_kind != PARENT_KIND[ElementKind(kind)]:
                self.add(item.row, "parent", _about(_PARENT_WRONG_KIND[(kind, parent_kind)], code, parent=parent))

    def check_cycles(self) -> None:
        parents = {code: parent for code, (_kind, parent) in self.existing_elements.items()}
        rows_of: dict[str, Row] = {}
        for code, items in self._by_namespace(ELEMENT_KINDS).items():
            parents[code] = items[0].parent
            rows_of[code] = items[0].row
        reported: set[frozenset[str]] = set()
        for start in rows_of:
            path: list[str] = []
            node = start
            while node and node in parents and node not in path:
                path.append(node)
                node = parents[node]
            if node and node in path:
                cycle = path[path.index(node) :]
                key = frozenset(cycle)
                if key in reported:
                    continue
                reported.add(key)
                first = min(cycle, key=lambda c: (rows_of[c].line or 0) if c in rows_of else 0)
                ordered = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
                rows = [rows_of[c] for c in ordered if c in rows_of]
                chain = " -> ".join([*ordered, ordered[0]])
                self.problems.append(
                    Problem(
                        _lines_label(rows),
                        "parent",
                        _("%(chain)s form a cycle.") % {"chain": chain},
                        rows=tuple(rows),
                    )
                )


_TEXT_KPI = {"name_en", "name_es", "definition_en", "definition_es"}
_KPI_COLUMN = {"name_en": "title_en", "name_es": "title_es"}


def _kpi_key(values: dict[str, Any]) -> str:
    return str(values.get("name_en") or values.get("name_es") or "").strip().lower()


def _lines_label(rows: list[Row]) -> str:
    """The place of a problem about several rows: "lines 3, 5" for CSV lines, else each row's place."""
    lines = [r.line for r in rows if r.line is not None]
    if len(rows) > 1 and all(not r.path for r in rows):
        return _("lines %(lines)s") % {"lines": ", ".join(str(n) for n in sorted(lines))}
    if len(rows) == 1:
        return rows[0].where
    return "; ".join(r.where for r in rows)


# --------------------------------------------------------------------------- strategy block


def strategy_values(block: dict[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """The YAML ``strategy`` block as values for ``do_create_strategy``."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in block.items():
        if key in ("start_year", "end_year", "review_months"):
            if not text.isdigit():
                problems.append(Problem("strategy", key, _("Give a whole number.")))
                continue
            values[key] = int(text)
        elif key == "illustrative":
            if text.lower() not in ("true", "false", "yes", "no"):
                problems.append(Problem("strategy", key, _("Give true or false.")))
                continue
            values[key] = text.lower() in ("true", "yes")
        elif key == "tlp":
            if text not in TLP.values:
                problems.append(
                    Problem(
                        "strategy", key, _("Unknown TLP label; use %(values)s.") % {"values": ", ".join(TLP.values)}
                    )
                )
                continue
            values[key] = text
        else:
            values[key] = text
    return values, problems


# --------------------------------------------------------------------------- applying


def _changes(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        current = getattr(instance, f"{name}_id" if isinstance(value, Organisation | Element) else name)
        wanted = value.pk if isinstance(value, Organisation | Element) else value
        if current != wanted:
            out[name] = value
    return out


class _Applier:
    def __init__(self, actor: User | None, strategy: Strategy, result: ImportResult) -> None:
        self.actor = actor
        self.strategy = strategy
        self.result = result
        self.elements = {e.code: e for e in Element.objects.filter(strategy=strategy)}
        self.actions = {a.code: a for a in Action.objects.filter(strategy=strategy)}
        self.position: Counter[tuple[str, str]] = Counter()

    def count(self, kind: str, created: bool, changed: bool) -> None:
        bucket = self.result.created if created else self.result.updated if changed else self.result.unchanged
        bucket[kind] += 1

    def _order(self, item: Planned) -> int:
        self.position[(item.kind, item.parent)] += 1
        return item.order if item.order is not None else self.position[(item.kind, item.parent)]

    def principle(self, item: Planned) -> None:
        number = self._order(item)
        existing = self.strategy.principles.filter(order=number).first()
        if existing is None:
            actions.do_add_principle(self.actor, self.strategy, order=number, **item.values)
            self.count(PRINCIPLE, True, False)
            return
        changes = _changes(existing, item.values)
        if changes:
            actions.do_update_principle(self.actor, existing, None, **changes)
        self.count(PRINCIPLE, False, bool(changes))

    def element(self, item: Planned) -> None:
        parent = self.elements.get(item.parent) if item.parent else None
        existing = self.elements.get(item.code)
        order = self._order(item)
        if existing is None:
            self.elements[item.code] = actions.do_create_element(
                self.actor, self.strategy, kind=item.kind, parent=parent, code=item.code, order=order, **item.values
            )
            self.count(item.kind, True, False)
            return
        wanted = dict(item.values)
        if item.order is not None:
            wanted["order"] = item.order
        changes = _changes(existing, wanted)
        if existing.parent_id != (parent.pk if parent else None):
            changes["parent"] = parent
        if changes:
            self.elements[item.code] = actions.do_update_element(self.actor, existing, None, **changes)
        self.count(item.kind, False, bool(changes))

    def action(self, item: Planned) -> None:
        parent = self.elements[item.parent]
        existing = self.actions.get(item.code)
        order = self._order(item)
        if existing is None:
            action = actions.do_create_action(
                self.actor,
                self.strategy,
                parent=parent,
                supporting=item.supporting,
                gaps=item.gaps,
                code=item.code,
                order=order,
                **item.values,
            )
            self.actions[item.code] = action
            self.count(ACTION, True, False)
            return
        wanted = dict(item.values)
        if item.order is not None:
            wanted["order"] = item.order
        changes = _changes(existing, wanted)
        if existing.parent_id != parent.pk:
            changes["parent"] = parent
        supporting = None
        if item.supporting is not None:
            lead_id = changes["lead"].pk if "lead" in changes else existing.lead_id
            now = set(existing.supporting.values_list("pk", flat=True))
            if {o.pk for o in item.supporting} - {lead_id} != now:
                supporting = item.supporting
        linked = set(existing.gaps.values_list("pk", flat=True))
        new_gaps = [g for g in item.gaps or [] if g.pk not in linked]
        if changes or supporting is not None:
            existing = actions.do_update_action(self.actor, existing, None, supporting=supporting, **changes)
            self.actions[item.code] = existing
        for gap in new_gaps:
            actions.do_link_gap(self.actor, existing, gap)
        self.count(ACTION, False, bool(changes or supporting is not None or new_gaps))

    def kpi(self, item: Planned) -> None:
        action = self.actions[item.parent]
        key = _kpi_key(item.values)
        existing = next(
            (k for k in action.kpis.all() if _kpi_key({"name_en": k.name_en, "name_es": k.name_es}) == key), None
        )
        if existing is None:
            actions.do_create_kpi(self.actor, action, **item.values)
            self.count(KPI_KIND, True, False)
            return
        changes = _changes(existing, item.values)
        if changes:
            actions.do_update_kpi(self.actor, existing, None, **changes)
        self.count(KPI_KIND, False, bool(changes))


def import_structure(
    actor: User | None,
    data: bytes,
    filename: str,
    *,
    strategy: Strategy | None = None,
    organisation: Organisation | None = None,
    create: dict[str, Any] | None = None,
    dry_run: bool = False,
    skip_missing_gaps: bool = False,
) -> ImportResult:
    """Check ``data`` (a CSV or YAML structure file) and, if nothing is wrong, apply it.

    Give ``strategy`` to import into an existing strategy, or ``organisation`` and ``create`` (values
    for ``do_create_strategy``, completed by the file's ``strategy`` block) to create one. With
    ``dry_run`` the file is only checked. ``skip_missing_gaps`` turns a gap missing from the register
    into a note instead of a problem (used by the demo). The caller checks permissions.
    """
    name = PurePath(filename).name
    result = ImportResult(file=name, strategy=strategy)
    if strategy is None and (organisation is None or create is None):
        raise ValueError("give a strategy, or an organisation and the values to create one")
    owner = strategy.organisation if strategy is not None else organisation
    assert owner is not None  # noqa: S101 -- narrowed by the check above
    try:
        rows, problems, block = read_rows(data, name)
    except ImportFileError as error:
        result.problems.append(Problem(_file_place(), "", str(error), file=name))
        return result
    result.rows = len(rows)
    create_values: dict[str, Any] = {}
    if strategy is None:
        create_values, block_problems = strategy_values(block)
        create_values.update({k: v for k, v in (create or {}).items() if v not in (None, "")})
        problems += block_problems
    elif block:
        result.notes.append(_("The strategy block of the file is used only when the import creates the strategy."))
    checker = Checker(rows, owner, strategy, skip_missing_gaps=skip_missing_gaps)
    planned = checker.check()
    result.problems = [*problems, *checker.problems]
    result.notes += checker.notes
    if strategy is None and not result.problems:
        result.problems += _new_strategy_problems(owner, create_values)
    for problem in result.problems:
        problem.file = name
    if result.problems or dry_run:
        return result
    try:
        with transaction.atomic():
            if strategy is None:
                strategy = actions.do_create_strategy(actor, owner, **create_values)
                result.strategy = strategy
            applier = _Applier(actor, strategy, result)
            order = {PRINCIPLE: 0, AXIS: 1, OBJECTIVE: 2, LINE: 3, ACTION: 4, KPI_KIND: 5}
            for item in sorted(planned, key=lambda p: order[p.kind]):
                try:
                    getattr(applier, "element" if item.kind in ELEMENT_KINDS else item.kind)(item)
                except ValidationError as error:
                    details = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
                    for field_name, messages in details.items():
                        result.problems.append(
                            Problem(item.row.where, field_name, " ".join(messages), file=name, rows=(item.row,))
                        )
            if result.problems:
                raise _RollBackError
    except _RollBackError:
        result.created.clear()
        result.updated.clear()
        result.unchanged.clear()
        if create is not None:
            result.strategy = None
        return result
    result.written = True
    return result


def _new_strategy_problems(owner: Organisation, create_values: dict[str, Any]) -> list[Problem]:
    """What is wrong with the values the import would create its strategy with (checked before any write)."""
    probe = Strategy(organisation=owner, **{k: v for k, v in create_values.items() if k in STRATEGY_KEYS})
    unknown = set(create_values) - STRATEGY_KEYS
    if unknown:
        raise ValueError(f"not strategy fields: {sorted(unknown)}")
    problems: list[Problem] = []
    try:
        if not (probe.title_en.strip() or probe.title_es.strip()):
            raise ValidationError({"title_en": _("Give a title in English, in Spanish, or in both.")})
        probe.full_clean(exclude=["organisation"])
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            problems.append(Problem("strategy", field_name, " ".join(messages)))
    return problems


class _RollBackError(Exception):
    """Raised inside the import's transaction to undo every write when applying a row failed."""


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
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not _NUMBER.match(cell.lstrip("+-")) else cell


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


__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "ImportFileError",
    "ImportResult",
    "Problem",
    "Row",
    "import_structure",
    "read_csv",
    "read_rows",
    "read_yaml",
    "template_csv",
    "write_rejects",
]
