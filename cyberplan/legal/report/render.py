"""The legal alignment report as HTML, PDF and DOCX, with the TLP marking on every page.

HTML and PDF come from one template with the charts inlined as SVG ``data:`` URLs; WeasyPrint
gets the reports app's offline URL fetcher, so rendering reaches neither the network nor the
file system. User text (titles, reasoning, reservations) is escaped by Django's templates (HTML,
PDF) and written as text by python-docx (DOCX).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cyberplan.reports import docx as word
from cyberplan.reports.document import clean
from cyberplan.reports.html import page_context
from cyberplan.reports.layout import laid_out, write_docx_sections
from cyberplan.reports.service import render

from .content import Report

ILLUSTRATIVE = gettext_noop("Illustrative: built from public facts to show the platform; not an official finding.")


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def render_html(report: Report, for_pdf: bool = False) -> str:
    notices = [_(ILLUSTRATIVE)] if report.illustrative else []
    return render_to_string(
        "legal/report/report.html",
        {
            "report": report,
            "sections": laid_out(report.sections),
            **page_context(
                tlp=report.tlp, tlp_note=report.tlp_note, language=report.language, for_pdf=for_pdf, notices=notices
            ),
        },
    )


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

    write_docx_sections(document, report.sections, table_font_pt=8)
    return word.to_bytes(document)
