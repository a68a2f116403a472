"""The assessment report as HTML, PDF and DOCX, with the same radar chart and the TLP marking on every page.

HTML and PDF come from one template with the chart inlined as an SVG ``data:`` URL and the style
sheet inlined; WeasyPrint gets the reports app's offline URL fetcher, which accepts ``data:``
URLs only, so rendering never reaches the network or the file system. The marking is in the PDF's
page margins, in a banner at the top and the bottom of the HTML, and in the header and footer of
every DOCX page. User text is escaped by Django's templates (HTML, PDF) and by python-docx (DOCX).
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cyberplan.reports import docx as word
from cyberplan.reports.charts import to_png
from cyberplan.reports.document import Section, clean
from cyberplan.reports.html import page_context
from cyberplan.reports.service import CONTENT_TYPES, FORMATS, render
from cyberplan.reports.svg import chart_uri

from .content import Report

__all__ = ["CONTENT_TYPES", "FORMATS", "render_docx", "render_html", "render_report"]


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def _laid_out(section: Section) -> list[dict[str, Any]]:
    tables = []
    for table in section.tables:
        cells = []
        for index, row in enumerate(table.rows):
            href = table.links[index] if index < len(table.links) else ""
            cells.append(
                [(clean(cell), href if column == table.link_column else "") for column, cell in enumerate(row)]
            )
        tables.append(
            {
                "caption": table.caption,
                "headers": table.headers,
                "rows": table.rows,
                "cells": cells,
                "empty": table.empty,
            }
        )
    return tables


def render_html(report: Report, for_pdf: bool = False) -> str:
    sections = [
        {
            "id": s.id,
            "title": s.title,
            "notes": [p.text for p in s.paragraphs("note")],
            "paragraphs": [clean(p.text) for p in s.paragraphs("text")],
            "laid_out": _laid_out(s),
        }
        for s in report.sections
    ]
    return render_to_string(
        "assessment/report/report.html",
        {
            "report": report,
            "sections": sections,
            "chart_src": chart_uri(report.chart_spec),
            **page_context(tlp=report.tlp, tlp_note=report.tlp_note, language=report.language, for_pdf=for_pdf),
        },
    )


def render_docx(report: Report) -> bytes:
    from docx.shared import Cm, Pt

    document = word.marked_document(
        title=report.title,
        country=report.country,
        date=report.date,
        marking_text=report.marking,
        language=report.language,
        author=report.organisation,
        tlp=report.tlp,
    )
    document.add_paragraph(clean(report.assessment_title))
    if report.illustrative:
        warning = document.add_paragraph().add_run(
            _("Illustrative: built from public facts to show the platform; not an official finding.")
        )
        warning.bold = True
    word.cover_facts(
        document,
        (
            (_("Assessment date"), report.date),
            (_("Method"), report.method),
            (_("Framework"), f"{report.framework_title} ({report.framework})"),
            (_("Prepared by"), report.organisation),
        ),
    )
    word.cover_end(document, report.generated, report.tlp_note)

    # Executive summary and chart
    document.add_heading(_("Executive summary"), level=1)
    for sentence in report.summary:
        document.add_paragraph(clean(sentence))
    document.add_picture(io.BytesIO(to_png(report.chart_spec)), width=Cm(15))
    if report.chart_note:
        document.add_paragraph().add_run(clean(report.chart_note)).italic = True

    for part in report.sections:
        word.page_break(document)
        document.add_heading(clean(part.title), level=1)
        for note in (p.text for p in part.paragraphs("note")):
            run = document.add_paragraph().add_run(clean(note))
            run.italic = True
            run.font.size = Pt(9)
        for text in (p.text for p in part.paragraphs("text")):
            document.add_paragraph(clean(text))
        for block in part.tables:
            document.add_paragraph().add_run(clean(block.caption)).bold = True
            if not block.rows:
                document.add_paragraph().add_run(clean(block.empty)).italic = True
                continue
            table = document.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                cell.text = clean(text)
                cell.paragraphs[0].runs[0].bold = True
            for values in block.rows:
                for cell, text in zip(table.add_row().cells, values, strict=True):
                    cell.text = clean(text)
                    for run in cell.paragraphs[0].runs:
                        run.font.size = Pt(8)

    return word.to_bytes(document)
