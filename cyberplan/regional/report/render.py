"""The regional report as HTML, PDF and DOCX on the shared layout, with the TLP marking on every page.

HTML and PDF come from one template (charts inlined as SVG ``data:`` URLs, rendered offline); DOCX is written
with python-docx through the reports app's helpers. Text from the packages and the register (member names,
instruments, axes, factor codes) is escaped by Django's templates and written as plain text runs in DOCX.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cyberplan.reports import docx as word
from cyberplan.reports.html import page_context
from cyberplan.reports.layout import laid_out, write_docx_sections
from cyberplan.reports.service import render

from .document import Report


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def render_html(report: Report, for_pdf: bool = False) -> str:
    return render_to_string(
        "regional/report_document.html",
        {
            "report": report,
            "sections": laid_out(report.sections),
            **page_context(tlp=report.tlp, tlp_note=report.tlp_note, language=report.language, for_pdf=for_pdf),
        },
    )


def render_docx(report: Report) -> bytes:
    document = word.marked_document(
        title=report.title,
        country=report.programme,
        date=report.period,
        marking_text=report.marking,
        language=report.language,
        author=report.programme,
        tlp=report.tlp,
    )
    word.cover_facts(
        document,
        (
            (_("Period"), report.period),
            (_("Member states included"), str(len(report.content.current))),
            (_("Prepared by"), report.programme),
        ),
    )
    word.cover_end(document, report.generated, report.tlp_note)
    write_docx_sections(document, report.sections, table_font_pt=8)
    return word.to_bytes(document)
