"""The strategy document and the M&E report as HTML, PDF and DOCX.

HTML and PDF come from one template (``strategy/report/document.html``) with the charts inlined
as SVG ``data:`` URLs and the style sheet inlined; WeasyPrint gets the reports app's offline URL
fetcher, so rendering never reaches the network or the file system. The PDF carries the TLP
marking in its page margins, with the notices (illustrative, draft) and the page number at the
bottom of every page, and its table of contents gives each section's page.

The DOCX is written with python-docx: the cover on the Title style, sections on Word's own
Heading 1 to 3 styles (so the navigation pane, outline view and the TOC field work), a TOC field
that Word fills in when the document is opened (``updateFields`` is set) followed by a written
list of sections for readers that do not update fields, tables on the Table Grid style with a
repeated header row, and charts as PNG. User text only ever becomes text runs.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cyberplan.reports import docx as word
from cyberplan.reports.charts import to_png
from cyberplan.reports.document import Chart, Paragraph, Table, clean
from cyberplan.reports.html import css_string, page_context
from cyberplan.reports.service import CONTENT_TYPES, FORMATS, render
from cyberplan.reports.svg import chart_uri

from .content import Document

__all__ = ["CONTENT_TYPES", "FORMATS", "TOC_INSTRUCTION", "css_string", "render_document", "render_docx", "render_html"]

#: The instruction of the DOCX table of contents: heading levels 1 to 3, as links, no page numbers
#: in web view, keeping outline levels.
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'


def render_document(document: Document, fmt: str) -> bytes:
    return render(document, fmt, html=render_html, docx=render_docx)


# -- HTML and PDF --------------------------------------------------------------------------------


def _blocks(blocks: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, Paragraph) and block.kind == "bullet":
            item = {"text": clean(block.text), "lead": clean(block.lead)}
            if out and out[-1]["type"] == "list":
                out[-1]["items"].append(item)
            else:
                out.append({"type": "list", "items": [item]})
        elif isinstance(block, Paragraph):
            out.append({"type": "paragraph", "kind": block.kind, "text": clean(block.text), "lead": clean(block.lead)})
        elif isinstance(block, Table):
            numeric = block.numeric or [False] * len(block.headers)
            out.append(
                {
                    "type": "table",
                    "caption": clean(block.caption),
                    "headers": [(clean(h), n) for h, n in zip(block.headers, numeric, strict=True)],
                    "rows": [[(clean(c), n) for c, n in zip(row, numeric, strict=True)] for row in block.rows],
                    "empty": clean(block.empty),
                    "css": block.css,
                }
            )
        elif isinstance(block, Chart):
            out.append(
                {
                    "type": "chart",
                    "title": clean(block.title),
                    "src": chart_uri(block.spec) if block.spec else "",
                    "empty": clean(block.empty),
                }
            )
    return out


def render_html(document: Document, for_pdf: bool = False) -> str:
    sections = [
        {
            "id": s.id,
            "title": clean(s.title),
            "level": s.level,
            "tag": f"h{s.level + 1}",
            "blocks": _blocks(s.blocks),
        }
        for s in document.sections
    ]
    return render_to_string(
        "strategy/report/document.html",
        {
            "doc": document,
            "sections": sections,
            "contents": [{"id": s.id, "title": clean(s.title), "level": s.level} for s in document.contents],
            "footer_notice": css_string(" · ".join(document.notices)) if document.notices else "",
            **page_context(
                tlp=document.tlp,
                tlp_note=document.tlp_note,
                language=document.language,
                notices=document.notices,
                for_pdf=for_pdf,
            ),
        },
    )


# -- DOCX ----------------------------------------------------------------------------------------


def _notice(docx_document: Any, text: str) -> None:
    from docx.shared import Pt, RGBColor

    run = docx_document.add_paragraph().add_run(clean(text))
    run.bold = True
    run.font.size = Pt(12)
    run.font.color.rgb = RGBColor(0x8A, 0x4B, 0x00)


def render_docx(document: Document) -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    out = word.new_document(
        title=clean(f"{document.title} · {document.name} · {document.country}"),
        subject=clean(document.name),
        keywords=document.marking,
        language=document.language,
        author=clean(document.organisation),
    )
    out.core_properties.category = " · ".join([document.marking, *document.notices])

    styles = out.styles
    styles["Normal"].font.name = "DejaVu Sans"
    styles["Normal"].font.size = Pt(10)

    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    word.marking_run(word.right_aligned(section.header.paragraphs[0]), document.tlp)
    footer = word.right_aligned(section.footer.paragraphs[0])
    if document.notices:
        notice = footer.add_run(" · ".join(clean(n) for n in document.notices) + "   ")
        notice.bold = True
        notice.font.size = Pt(9)
    word.marking_run(footer, document.tlp)
    footer.add_run("   ")
    word.complex_field(footer, "PAGE", "1")

    # Cover
    word.marking_run(out.add_paragraph(), document.tlp)
    out.add_paragraph(clean(document.title)).runs[0].font.size = Pt(14)
    out.add_heading(clean(document.name), level=0)
    country = out.add_paragraph().add_run(f"{clean(document.country)} · {clean(document.years)}")
    country.bold = True
    country.font.size = Pt(14)
    for text in document.notices:
        _notice(out, text)
    out.add_paragraph(clean(document.status))
    word.cover_facts(out, document.cover_facts)
    word.cover_end(out, document.generated, document.tlp_note)

    # Table of contents: a field Word fills in, and the same list written out
    out.add_paragraph(_("Contents"), style="TOC Heading")
    word.complex_field(
        out.add_paragraph(), TOC_INSTRUCTION, _("Update the field to see the table of contents with page numbers.")
    )
    word.update_fields_on_open(out)
    listing = out.add_paragraph()
    listing.add_run(_("Sections of this document:")).italic = True
    for item in document.contents:
        paragraph = out.add_paragraph(clean(item.title), style="List Bullet" if item.level == 1 else "List Bullet 2")
        paragraph.paragraph_format.space_after = Pt(0)

    for part in document.sections:
        if part.level == 1:
            word.page_break(out)
        out.add_heading(clean(part.title), level=part.level)
        for block in part.blocks:
            if isinstance(block, Paragraph):
                _docx_paragraph(out, block)
            elif isinstance(block, Table):
                _docx_table(out, block)
            elif isinstance(block, Chart):
                if block.spec:
                    out.add_picture(io.BytesIO(to_png(block.spec)), width=Cm(16.5))
                    caption = out.add_paragraph(clean(block.title), style="Caption")
                    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                else:
                    out.add_paragraph().add_run(clean(block.title)).bold = True
                    _docx_paragraph(out, Paragraph(block.empty, "nodata"))

    return word.to_bytes(out)


def _docx_paragraph(out: Any, block: Paragraph) -> None:
    from docx.shared import Pt

    paragraph = out.add_paragraph(style="List Bullet") if block.kind == "bullet" else out.add_paragraph()
    if block.lead:
        paragraph.add_run(clean(block.lead) + (": " if block.text and block.kind != "bullet" else "")).bold = True
        if block.kind == "bullet" and block.text:
            paragraph.add_run(" — ")
    if not block.text:
        return
    run = paragraph.add_run(clean(block.text))
    if block.kind == "note":
        run.italic = True
        run.font.size = Pt(8.5)
    elif block.kind == "nodata":
        run.italic = True


def _docx_table(out: Any, block: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if block.caption:
        out.add_paragraph(clean(block.caption), style="Caption")
    if not block.rows:
        _docx_paragraph(out, Paragraph(block.empty, "nodata"))
        return
    numeric = block.numeric or [False] * len(block.headers)
    size = Pt(7.5) if len(block.headers) > 5 else Pt(8.5)
    table = out.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    word.repeat_header(table.rows[0])
    for cell, text, right in zip(table.rows[0].cells, block.headers, numeric, strict=True):
        run = cell.paragraphs[0].add_run(clean(text))
        run.bold = True
        run.font.size = size
        if right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for values in block.rows:
        for cell, text, right in zip(table.add_row().cells, values, numeric, strict=True):
            run = cell.paragraphs[0].add_run(clean(text))
            run.font.size = size
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out.add_paragraph()
