"""The legal alignment report as HTML, PDF and DOCX, with the TLP marking on every page.

HTML and PDF come from one template with the charts inlined as SVG ``data:`` URLs; WeasyPrint
gets the reports app's offline URL fetcher, so rendering reaches neither the network nor the
file system. User text (titles, reasoning, reservations) is escaped by Django's templates (HTML,
PDF) and written as text by python-docx (DOCX).
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cyberplan.reports import docx as word
from cyberplan.reports.charts import to_png
from cyberplan.reports.document import Chart, Paragraph, Section, Table, clean
from cyberplan.reports.html import page_context
from cyberplan.reports.service import render
from cyberplan.reports.svg import chart_uri

from .content import Report

ILLUSTRATIVE = gettext_noop("Illustrative: built from public facts to show the platform; not an official finding.")


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def _block(block: Paragraph | Table | Chart) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "kind": block.kind, "text": clean(block.text)}
    if isinstance(block, Table):
        cells = []
        for index, row in enumerate(block.rows):
            href = block.links[index] if index < len(block.links) else ""
            cells.append(
                [(clean(cell), href if column == block.link_column else "") for column, cell in enumerate(row)]
            )
        return {
            "type": "table",
            "caption": clean(block.caption),
            "headers": block.headers,
            "cells": cells,
            "empty": block.empty,
            "css": block.css,
        }
    return {
        "type": "chart",
        "title": clean(block.title),
        "src": chart_uri(block.spec) if block.spec is not None else "",
        "empty": block.empty,
    }


def _laid_out(section: Section) -> dict[str, Any]:
    return {"id": section.id, "title": section.title, "blocks": [_block(b) for b in section.blocks]}


def render_html(report: Report, for_pdf: bool = False) -> str:
    notices = [_(ILLUSTRATIVE)] if report.illustrative else []
    return render_to_string(
        "legal/report/report.html",
        {
            "report": report,
            "sections": [_laid_out(s) for s in report.sections],
            **page_context(
                tlp=report.tlp, tlp_note=report.tlp_note, language=report.language, for_pdf=for_pdf, notices=notices
            ),
        },
    )


def _docx_table(document: Any, block: Table) -> None:
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
                run.font.size = Pt(8)


def _docx_block(document: Any, block: Paragraph | Table | Chart) -> None:
    from docx.shared import Cm, Pt

    if isinstance(block, Table):
        _docx_table(document, block)
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


def render_docx(report: Report) -> bytes:
    document = word.marked_document(
        title=report.title,
        country=report.country,
        date=report.date,
        marking_text=report.marking,
        language=report.language,
        author=report.organisation,
        tlp=report.tlp,
    )
    document.add_paragraph(clean(report.review_title))
    if report.illustrative:
        document.add_paragraph().add_run(_(ILLUSTRATIVE)).bold = True
    word.cover_facts(
        document,
        (
            (_("Review date"), report.date),
            (_("State"), report.state),
            (_("Treaty catalogue"), report.catalogue),
            (_("Prepared by"), report.organisation),
        ),
    )
    word.cover_end(document, report.generated, report.tlp_note)

    for part in report.sections:
        word.page_break(document)
        document.add_heading(clean(part.title), level=1)
        for block in part.blocks:
            _docx_block(document, block)
    return word.to_bytes(document)
