"""The blocks a report is made of: paragraphs, tables and charts in sections.

A domain's content builder writes every sentence of its report into these plain structures, in
the active language; the renderers lay them out without adding words of their own. Text typed by
users stays data here: Django's templates escape it for HTML and PDF, python-docx writes it as
text runs in the DOCX. :func:`clean` only removes the characters no document format can hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(value: object) -> str:
    """Text from the data or the database, without control characters that no document format accepts.

    Escaping for HTML is the template's job and XML escaping python-docx's; this only removes
    characters that XML cannot hold at all, so a crafted feed, title or AS name cannot break a document.
    """
    return _CONTROL.sub("", str(value))


@dataclass
class Paragraph:
    text: str
    #: "text", "lead" (bold first words), "note" (small, italic), "nodata" (said instead of a
    #: missing table or text), "subheading", "bullet" (an item of a list), "warning" (draft, illustrative)
    kind: str = "text"
    lead: str = ""


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    empty: str = ""
    #: per column, whether it holds numbers (aligned right)
    numeric: list[bool] = field(default_factory=list)
    #: the metric (or query) the table comes from, named under it so each figure can be traced
    metric: str = ""
    #: a class for the HTML table (column widths)
    css: str = ""
    #: per row, an optional web address for the cell at ``link_column`` (only http and https)
    links: list[str] = field(default_factory=list)
    link_column: int = -1


@dataclass
class Chart:
    title: str
    #: the Vega-Lite specification (see :mod:`cyberplan.reports.charts`); None when there is no data
    spec: dict[str, Any] | None
    #: what is said instead of the chart when there is no data
    empty: str = ""
    metric: str = ""
    #: the domain's name for the chart (which of its charts this is)
    name: str = ""


Block = Paragraph | Table | Chart


@dataclass
class Section:
    id: str
    title: str
    level: int = 1  # 1 chapter, 2 and 3 subsections
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self

    def paragraphs(self, *kinds: str) -> list[Paragraph]:
        """The section's paragraphs, or those of the given kinds ("text", "note", ...)."""
        return [block for block in self.blocks if isinstance(block, Paragraph) and (not kinds or block.kind in kinds)]

    @property
    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [block for block in self.blocks if isinstance(block, Chart)]
