"""Reading the file: one JSON incident, a JSON array of incidents, or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..base import ImportOptions, Source, SourceError

# -- reading the file ------------------------------------------------------------------------------


@dataclass
class _Item:
    line: int
    value: Any = None
    text: str | None = None  # the source text, for JSON Lines
    problem: str | None = None  # why the item could not be parsed


class _NotJsonError(ValueError):
    """The text is not JSON (raised by the JSON loading helpers)."""


def _refuse_constant(name: str) -> Any:
    raise _NotJsonError(f"{name} is not a JSON value")


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse_constant)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _read_items(source: Source, options: ImportOptions) -> list[_Item]:
    data = source.path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{source.name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "VERIS records are JSON in UTF-8"
        ) from None
    if not text.strip():
        raise SourceError(f"{source.name}: the file is empty")
    try:
        document = _loads(text)
    except RecursionError:
        raise SourceError(f"{source.name}: the JSON is nested too deeply to be a VERIS record") from None
    except _NotJsonError as exc:
        raise SourceError(f"{source.name}: not valid JSON ({exc})") from None
    except json.JSONDecodeError as exc:
        if _looks_like_json_lines(text):
            items = _json_lines(text)
        else:
            raise SourceError(
                f"{source.name}: not valid JSON, truncated or damaged ({exc.msg} at line {exc.lineno}, "
                f"column {exc.colno}); expected a VERIS incident, an array of incidents or JSON Lines"
            ) from None
    else:
        if isinstance(document, dict):
            items = [_Item(line=1, value=document)]
        elif isinstance(document, list):
            items = [_Item(line=index, value=value) for index, value in enumerate(document, start=1)]
        else:
            raise SourceError(
                f"{source.name}: the file holds a JSON {_json_type(document)}; expected a VERIS incident "
                "(an object), an array of incidents or JSON Lines"
            )
    if not items:
        raise SourceError(f"{source.name}: the file holds no incident")
    if len(items) > options.max_objects:
        raise SourceError(
            f"{source.name}: the file holds {len(items):,} incidents; the limit is {options.max_objects:,}"
        )
    return items


def _physical_lines(text: str) -> Iterator[tuple[int, str]]:
    # Split on "\n" only: JSON strings may hold U+2028 and other characters str.splitlines() breaks on.
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.rstrip("\r")


def _looks_like_json_lines(text: str) -> bool:
    for _number, line in _physical_lines(text):
        if line.strip():
            try:
                return isinstance(_loads(line), dict)
            except (ValueError, RecursionError):
                return False
    return False


def _json_lines(text: str) -> list[_Item]:
    items = []
    for number, line in _physical_lines(text):
        if not line.strip():
            continue
        try:
            items.append(_Item(line=number, value=_loads(line), text=line))
        except RecursionError:
            items.append(_Item(line=number, text=line, problem="the JSON is nested too deeply"))
        except json.JSONDecodeError as exc:
            items.append(_Item(line=number, text=line, problem=f"not valid JSON ({exc.msg} at column {exc.colno})"))
        except _NotJsonError as exc:
            items.append(_Item(line=number, text=line, problem=f"not valid JSON ({exc})"))
    return items
