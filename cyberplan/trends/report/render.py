"""The trends report as HTML, PDF and DOCX, with the same charts and the TLP marking on every page.

HTML and PDF come from one template: charts are inlined as SVG images (``data:`` URLs), the style
sheet is inlined, and WeasyPrint is given a URL fetcher that accepts ``data:`` URLs only, so
rendering never reaches the network or the file system. In the PDF the marking is in the page
margins (``@page`` margin boxes); in the HTML it is a banner at the top and the bottom; in the DOCX
it is in the header and the footer of every page. Text from the data is escaped by Django's
templates (HTML, PDF) and by python-docx (DOCX).
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cyberplan.reports import docx as word
from cyberplan.reports.charts import to_png
from cyberplan.reports.document import Chart, Paragraph, Table, clean
from cyberplan.reports.html import offline_fetcher, page_context
from cyberplan.reports.marking import marking as tlp_marking
from cyberplan.reports.service import CONTENT_TYPES, FORMATS, render
from cyberplan.reports.svg import chart_uri

from .common import Report

__all__ = ["CONTENT_TYPES", "FORMATS", "offline_fetcher", "render_docx", "render_html", "render_report"]


def marking(report: Report) -> str:
    """The TLP marking as FIRST writes it (``TLP:AMBER+STRICT``); it is never translated."""
    return tlp_marking(report.tlp)


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


# -- HTML and PDF --------------------------------------------------------------------------------


def _sections(report: Report) -> list[dict[str, Any]]:
    """The report's sections as plain dictionaries for the template."""
    sections = []
    for section in report.sections:
        blocks: list[dict[str, Any]] = []
        for block in section.blocks:
            if isinstance(block, Paragraph):
                blocks.append({"type": "paragraph", "kind": block.kind, "text": block.text})
            elif isinstance(block, Table):
                numeric = block.numeric or [False] * len(block.headers)
                blocks.append(
                    {
                        "type": "table",
                        "caption": block.caption,
                        "headers": list(zip(block.headers, numeric, strict=True)),
                        "rows": [list(zip(row, numeric, strict=True)) for row in block.rows],
                        "empty": block.empty,
                        "metric": block.metric,
                        "query": report.query_key(block.metric) if block.metric else "",
                    }
                )
            elif isinstance(block, Chart):
                blocks.append(
                    {
                        "type": "chart",
                        "title": block.title,
                        "src": chart_uri(block.spec) if block.spec else "",
                        "empty": block.empty,
                        "metric": block.metric,
                        "query": report.query_key(block.metric),
                    }
                )
        sections.append({"id": section.id, "title": section.title, "blocks": blocks})
    return sections


def render_html(report: Report, for_pdf: bool = False) -> str:
    return render_to_string(
        "trends/report/report.html",
        {
            "report": report,
            "sections": _sections(report),
            **page_context(tlp=report.tlp, tlp_note=report.tlp_note, language=report.language, for_pdf=for_pdf),
        },
    )


# -- DOCX ----------------------------------------------------------------------------------------

MONOSPACE = "DejaVu Sans Mono"


def _docx_paragraph(document: Any, text: str, kind: str = "text") -> None:
    """A paragraph of the report's text: a subheading, a note (small italics), a no-data line (bold italics)."""
    from docx.shared import Pt

    if kind == "subheading":
        document.add_heading(clean(text), level=2)
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(clean(text))
    if kind == "note":
        run.italic = True
        run.font.size = Pt(9)
    elif kind == "nodata":
        run.italic = True
        run.bold = True


def _docx_source(document: Any, report: Report, metric: str) -> None:
    """The line naming the query behind a table or chart, if it has one."""
    from docx.shared import Pt

    key = report.query_key(metric)
    if not key:
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(_("Query %(key)s (%(metric)s)") % {"key": key, "metric": metric})
    run.font.size = Pt(8)


def _docx_table(document: Any, block: Table) -> None:
    """A table with its caption, numbers aligned right; its no-data line when it has no rows."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    caption = document.add_paragraph()
    caption.add_run(clean(block.caption)).bold = True
    if not block.rows:
        _docx_paragraph(document, block.empty, "nodata")
        return
    numeric = block.numeric or [False] * len(block.headers)
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    for cell, text, right in zip(table.rows[0].cells, block.headers, numeric, strict=True):
        cell.text = clean(text)
        cell.paragraphs[0].runs[0].bold = True
        if right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text, right in zip(cells, values, numeric, strict=True):
            cell.text = clean(text)
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _docx_appendix(document: Any, report: Report) -> None:
    """The appendix: the SQL of every frame and query the report names."""
    from docx.shared import Pt

    word.page_break(document)
    document.add_heading(_("Appendix: the query behind each figure"), level=1)
    _docx_paragraph(
        document,
        _(
            "Every table and chart of this report names a query below. The metric queries read three frames "
            "derived from the event store; the first queries show how each frame is derived. The SQL is DuckDB's "
            "dialect, as run for this report, including the period and the TLP labels counted."
        ),
        "note",
    )
    for query in [*report.frames, *report.queries]:
        title = f"{query.key} · {query.title}"
        if query.key.startswith("Q"):
            title += f" ({query.metric})"
        document.add_heading(clean(title), level=3)
        paragraph = document.add_paragraph()
        lines = clean(query.sql).split("\n")
        for index, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.font.name = MONOSPACE
            run.font.size = Pt(7)
            if index < len(lines) - 1:
                run.add_break()


def render_docx(report: Report) -> bytes:
    from docx.enum.section import WD_SECTION_START
    from docx.shared import Cm, Pt

    document = word.new_document(
        title=clean(f"{report.title} · {report.organisation} · {report.period_label}"),
        subject=marking(report),
        keywords=marking(report),
        language=report.language,
        author=clean(report.organisation),
    )
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.different_first_page_header_footer = False
    word.marking_run(word.right_aligned(section.header.paragraphs[0]), report.tlp)
    footer = word.right_aligned(section.footer.paragraphs[0])
    word.marking_run(footer, report.tlp)
    footer.add_run("   ")
    word.simple_field(footer, "PAGE")

    # Cover
    document.add_paragraph()
    cover = document.add_paragraph()
    word.marking_run(cover, report.tlp)
    document.add_heading(clean(report.title), level=0)
    organisation = document.add_paragraph().add_run(clean(report.organisation))
    organisation.bold = True
    organisation.font.size = Pt(14)
    if report.stores_line:
        document.add_paragraph(clean(report.stores_line))
    document.add_paragraph(clean(report.period_name[:1].upper() + report.period_name[1:]))
    document.add_paragraph(f"{report.period_range} ({report.period_label})")
    word.cover_end(document, report.generated, report.tlp_note)

    # Executive summary
    document.add_heading(_("Executive summary"), level=1)
    if report.key_figures:
        figures = document.add_table(rows=len(report.key_figures), cols=2)
        figures.style = "Table Grid"
        for row, (label, value) in zip(figures.rows, report.key_figures, strict=True):
            row.cells[0].text = clean(label)
            row.cells[1].text = clean(value)
            row.cells[1].paragraphs[0].runs[0].bold = True
    for sentence in report.summary:
        document.add_paragraph(clean(sentence))

    for part in report.sections:
        word.page_break(document)
        document.add_heading(clean(part.title), level=1)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                _docx_paragraph(document, block.text, block.kind)
            elif isinstance(block, Table):
                _docx_table(document, block)
                _docx_source(document, report, block.metric)
            elif isinstance(block, Chart):
                if block.spec:
                    document.add_picture(io.BytesIO(to_png(block.spec)), width=Cm(17))
                else:
                    caption = document.add_paragraph()
                    caption.add_run(clean(block.title)).bold = True
                    _docx_paragraph(document, block.empty, "nodata")
                _docx_source(document, report, block.metric)

    _docx_appendix(document, report)
    return word.to_bytes(document)
