"""Reading a structure file into rows: CSV by line, YAML by item (its nesting gives the parents).

Nothing is checked here beyond what reading needs; every row keeps its place for the messages."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Any

import yaml
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .rows import (
    ACTION,
    ALL_COLUMNS,
    AXIS,
    KPI_KIND,
    LINE,
    MAX_ROWS,
    OBJECTIVE,
    PRINCIPLE,
    STRATEGY_KEYS,
    ImportFileError,
    Problem,
    Row,
    file_place,
    item_place,
    line_place,
    max_bytes,
)

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
        return [], [Problem(line_place(1), "", _("The header cannot be read: %(error)s.") % {"error": error})]
    if header is None or not any(cell.strip() for cell in header):
        return [], [Problem(line_place(1), "", _("The file is empty; the first line names the columns."))]
    columns = [cell.strip().lower() for cell in header]
    for index, name in enumerate(columns):
        if name and name not in ALL_COLUMNS:
            problems.append(
                Problem(
                    line_place(1),
                    name[:40],
                    _("Unknown column %(name)r; the columns are %(columns)s.")
                    % {"name": name[:40], "columns": ", ".join(ALL_COLUMNS)},
                )
            )
        elif name and name in columns[:index]:
            problems.append(Problem(line_place(1), name, _("The column %(name)s appears twice.") % {"name": name}))
    for required in ("kind", "code"):
        if required not in columns:
            problems.append(Problem(line_place(1), required, _("The column %(name)s is missing.") % {"name": required}))
    if problems:
        return [], problems
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as error:
            problems.append(
                Problem(line_place(start), "", _("The line cannot be read: %(error)s.") % {"error": str(error)[:200]})
            )
            break
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            problems.append(
                Problem(line_place(start), "", _("The file has more than %(count)d rows.") % {"count": MAX_ROWS})
            )
            break
        where = line_place(start)
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
        where = line_place(mark.line + 1) if mark is not None else file_place()
        if isinstance(error, _AliasError):
            message = _("The YAML cannot be read: aliases (*name) are not accepted.")
        else:
            reason = _yaml_reason(str(getattr(error, "problem", None) or error))
            message = _("The YAML cannot be read: %(error)s.") % {"error": reason[:200]}
        return [], [Problem(where, "", message)], {}
    finally:
        loader.dispose()
    if root is None:
        return [], [Problem(file_place(), "", _("The file is empty."))], {}
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
        walker.problem(root, "", file_place(), _("The file must hold a list of items or a mapping with items."))
    return walker.rows, walker.problems, walker.strategy


_NESTED = {"children": None, "actions": ACTION, "kpis": KPI_KIND}
_CHILD_KIND = {AXIS: OBJECTIVE, OBJECTIVE: LINE}


class _YamlWalker:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.problems: list[Problem] = []
        self.strategy: dict[str, str] = {}

    def problem(self, node: yaml.Node, field_name: str, path: str, reason: str) -> None:
        self.problems.append(Problem(item_place(path, _line(node)), field_name, reason))

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
        row = Row(item_place(path, _line(node)), _line(node), values, path)
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
