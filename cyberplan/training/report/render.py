"""The capacity-building report as HTML, PDF and DOCX, with the TLP marking on every page.

HTML and PDF come from one template with the charts inlined as SVG ``data:`` URLs (the reports app's
offline fetcher renders the PDF); DOCX is written with python-docx through the reports app's helpers.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cyberplan.reports import docx as word
from cyberplan.reports.html import page_context
from cyberplan.reports.layout import laid_out, write_docx_sections
from cyberplan.reports.service import render

from .content import Report

ILLUSTRATIVE = gettext_noop(
    "Illustrative: the demonstration's programmes and figures are invented to show the platform."
)


def render_report(report: Report, fmt: str) -> bytes:
    return render(report, fmt, html=render_html, docx=render_docx)


def render_html(report: Report, for_pdf: bool = False) -> str:
    notices = [_(ILLUSTRATIVE)] if report.illustrative else []
    return render_to_string(
        "training/report/report.html",
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
    write_docx_sections(document, report.sections, table_font_pt=9)
    return word.to_bytes(document)
