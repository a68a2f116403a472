"""The capacity-building report as HTML, PDF and DOCX, with the TLP marking on every page.

HTML and PDF come from one template with the charts inlined as SVG ``data:`` URLs (the reports app's
offline fetcher renders the PDF); DOCX is written with python-docx through the reports app's helpers.
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

ILLUSTRATIVE = gettext_noop(
    "Illustrative: the demonstration's programmes and figures are invented to show the platform."
)


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def _block(block: Paragraph | Table | Chart) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "kind": block.kind, "text": clean(block.text)}
    if isinstance(block, Table):
        return {
            "type": "table",
            "caption": clean(block.caption),
            "headers": block.headers,
            "rows": [
                [(clean(cell), index < len(block.numeric) and block.numeric[index]) for index, cell in enumerate(row)]
                for row in block.rows
            ],
            "empty": block.empty,
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
        "training/report/report.html",
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
                run.font.size = Pt(9)


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
    elif block.kind == "warning":
        document.add_paragraph().add_run(clean(block.text)).bold = True
    else:
        document.add_paragraph(clean(block.text))


def render_docx(report: Report) -> bytes:
    document = word.marked_document(
        title=report.title,
        country=report.organisation,
        date=str(report.year),
        marking_text=report.marking,
        language=report.language,
        author=report.organisation,
        tlp=report.tlp,
    )
    if report.illustrative:
        document.add_paragraph().add_run(_(ILLUSTRATIVE)).bold = True
    word.cover_facts(document, ((_("Year"), str(report.year)), (_("Prepared by"), report.organisation)))
    word.cover_end(document, report.generated, report.tlp_note)
    for part in report.sections:
        word.page_break(document)
        document.add_heading(clean(part.title), level=1)
        for block in part.blocks:
            _docx_block(document, block)
    return word.to_bytes(document)
