"""The national threat trends report: its content from the event store, and its HTML, PDF and DOCX forms.

:mod:`.content` (with its section modules) turns the metric set of :mod:`cyberplan.analytics` and a few Django records into a
plain structure of sections, sentences, tables and charts; :mod:`.render` writes that structure
as HTML, as PDF (WeasyPrint, with nothing fetched from the network) and as DOCX. Both run in the
active language, so the caller chooses it with ``translation.override``.
"""

from __future__ import annotations

from .common import Report, counted_labels
from .content import build_report
from .render import FORMATS, render_report

__all__ = ["FORMATS", "Report", "build_report", "counted_labels", "render_report"]
