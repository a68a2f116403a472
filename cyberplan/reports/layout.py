"""One layout of a report's sections for every format: the HTML/PDF template's blocks and the DOCX body.

A domain report that is made of :mod:`cyberplan.reports.document` sections (paragraphs, tables,
charts) needs no renderer of its own for its body: :func:`laid_out` gives the template
``reports/chapters.html`` what it shows, and :func:`write_docx_sections` writes the same sections
into a Word document. Only the cover differs from one report to another.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from . import docx as word
from .charts import to_png
from .document import Block, Chart, Paragraph, Section, Table, clean
from .svg import chart_uri


def _table(block: Table) -> dict[str, Any]:
    rows = []
    for index, row in enumerate(block.rows):
        href = block.links[index] if index < len(block.links) else ""
        rows.append(
            [
                (
                    clean(cell),
                    column < len(block.numeric) and block.numeric[column],
                    href if column == block.link_column else "",
                )
                for column, cell in enumerate(row)
            ]
        )
    return {
        "type": "table",
        "caption": clean(block.caption),
        "headers": block.headers,
        "rows": rows,
        "empty": block.empty,
        "css": block.css,
    }


def laid_out_block(block: Block) -> dict[str, Any]:
    """What the template shows of one block: text cleaned, each table cell as (text, numeric, link)."""
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "kind": block.kind, "text": clean(block.text)}
    if isinstance(block, Table):
        return _table(block)
    return {
        "type": "chart",
        "title": clean(block.title),
        "src": chart_uri(block.spec) if block.spec is not None else "",
        "empty": block.empty,
    }


def laid_out(sections: Iterable[Section]) -> list[dict[str, Any]]:
    """The sections as the template ``reports/chapters.html`` reads them."""
    return [
        {"id": section.id, "title": section.title, "blocks": [laid_out_block(b) for b in section.blocks]}
        for section in sections
    ]


def _docx_table(document: Any, block: Table, font_pt: float) -> None:
    from docx.shared import Pt

    document.add_paragraph().add_run(clean(block.caption)).bold = True
    if not block.rows:
        document.add_paragraph().add_run(clean(block.empty)).italic = True
        return
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    word.repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = clean(text)
        cell.paragraphs[0].runs[0].bold = True
    for values in block.rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = clean(text)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(font_pt)


def write_docx_block(document: Any, block: Block, table_font_pt: float = 9) -> None:
    """One block in a Word document: tables with a repeated header row, charts as PNG pictures."""
    from docx.shared import Cm, Pt

    if isinstance(block, Table):
        _docx_table(document, block, table_font_pt)
    elif isinstance(block, Chart):
        if block.spec is None:
            document.add_paragraph().add_run(clean(block.empty)).italic = True
        else:
            document.add_picture(io.BytesIO(to_png(block.spec)), width=Cm(15))
    elif block.kind == "note":
        run = document.add_paragraph().add_run(clean(block.text))
        run.italic = True
        run.font.size = Pt(9)
    elif block.kind in ("nodata", "warning"):
        run = document.add_paragraph().add_run(clean(block.text))
        run.italic = block.kind == "nodata"
        run.bold = block.kind == "warning"
    else:
        document.add_paragraph(clean(block.text))


def write_docx_sections(document: Any, sections: Iterable[Section], table_font_pt: float = 9) -> None:
    """Every section on a new page under a first-level heading, then its blocks."""
    for section in sections:
        word.page_break(document)
        document.add_heading(clean(section.title), level=1)
        for block in section.blocks:
            write_docx_block(document, block, table_font_pt)
