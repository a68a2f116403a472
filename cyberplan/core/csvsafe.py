"""CSV output that spreadsheets cannot mistake for formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class TextSink(Protocol):
    """Where CSV text goes: an open text file, or an HTTP response written to as a stream."""

    def write(self, text: str, /) -> Any: ...


def write_rows(stream: TextSink, header: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
    writer = csv.writer(stream)
    writer.writerow([safe_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count
