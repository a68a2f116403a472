"""The pieces of a DOCX report every report uses: the A4 page, the TLP marking, page numbers, page breaks.

python-docx writes user text as text runs (XML-escaped); only fixed parts are built as raw XML
here (fields, the repeated header row). The library is loaded when a DOCX is made, not at start-up.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .document import clean
from .marking import TLP_COLOURS, marking


def new_document(*, title: str, subject: str, keywords: str, language: str, author: str) -> Any:
    """An empty A4 document with its properties set (the values are cleaned by the caller)."""
    from docx import Document
    from docx.shared import Mm

    document = Document()
    properties = document.core_properties
    properties.title = title
    properties.subject = subject
    properties.keywords = keywords
    properties.language = language
    properties.author = author
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(22), Mm(20)
    return document


def marked_document(
    *, title: str, country: str, date: str, marking_text: str, language: str, author: str, tlp: str
) -> Any:
    """A report's document: its properties, the TLP marking in every page's header and footer and at the top
    of the cover, then the cover's title and country (the caller adds the rest of the cover)."""
    document = new_document(
        title=clean(f"{title} · {country} · {date}"),
        subject=marking_text,
        keywords=marking_text,
        language=language,
        author=clean(author),
    )
    section = document.sections[0]
    for margin in (section.header, section.footer):
        marking_run(right_aligned(margin.paragraphs[0]), tlp)
    marking_run(document.add_paragraph(), tlp)
    from docx.shared import Pt

    document.add_heading(clean(title), level=0)
    country_run = document.add_paragraph().add_run(clean(country))
    country_run.bold = True
    country_run.font.size = Pt(14)
    return document


def marking_run(paragraph: Any, tlp: str) -> Any:
    """Append the TLP marking, bold in its colour on black, to ``paragraph``."""
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(marking(tlp))
    run.bold = True
    run.font.size = Pt(9)
    run.font.color.rgb = RGBColor.from_string(TLP_COLOURS[tlp].lstrip("#"))
    run.font.highlight_color = WD_COLOR_INDEX.BLACK
    return run


def cover_facts(document: Any, facts: Iterable[tuple[str, str]]) -> None:
    """One paragraph a fact on the cover: the label in bold, then the value."""
    for label, value in facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(clean(label) + ": ").bold = True
        paragraph.add_run(clean(value))


def cover_end(document: Any, generated: str, tlp_note: str) -> None:
    """The last lines of the cover (when the report was produced, what its marking allows), then a new page."""
    document.add_paragraph(_("Produced on %(date)s") % {"date": generated})
    document.add_paragraph(clean(tlp_note))
    page_break(document)


def right_aligned(paragraph: Any) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return paragraph


def page_break(document: Any) -> None:
    from docx.enum.text import WD_BREAK

    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def simple_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """Append a simple Word field (``PAGE``: the page number) to ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def complex_field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, placeholder result, end) in ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    result = OxmlElement("w:t")
    result.text = placeholder
    run_with(result)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def update_fields_on_open(document: Any) -> None:
    """Ask Word to update the fields (a table of contents) when the document is opened."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def repeat_header(row: Any) -> None:
    """Repeat a table's first row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def to_bytes(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
