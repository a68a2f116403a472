"""What the legal alignment report says, built from a review in the active language.

``build_report`` keeps the order of the sections; each family of sections is written beside it:
``findings`` (method, coverage by chapter and section, the coverage matrix) and ``context``
(change since the previous review, gaps, treaty status, reservations and declarations, the 24/7
point of contact). Text typed by users (titles, reasoning, reservations, instrument titles) stays
data: each renderer escapes it (Django's templates for HTML and PDF, python-docx for DOCX).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.core.models import User, in_reader_language
from cyberplan.reports.document import Section, clean
from cyberplan.reports.marking import marking, sharing_note

from ..catalogue import shipped_catalogue
from ..models import Review
from ..results import matrix
from . import context, findings
from .findings import day


@dataclass
class Report:
    language: str
    title: str
    review_title: str
    organisation: str
    country: str
    date: str
    state: str
    catalogue: str
    tlp: str
    marking: str
    tlp_note: str
    illustrative: bool
    generated: str
    sections: list[Section]


def build_report(review: Review, reader: User | None = None) -> Report:
    """The report of ``review`` in the active language; with ``reader``, only what that person may read is cited."""
    language = (get_language() or "en")[:2]
    catalogue = shipped_catalogue()
    treaties = matrix(review, catalogue)
    sections = [
        findings.method_section(review),
        findings.coverage_section(treaties, language),
        findings.matrix_section(treaties, language),
        context.changes_section(review, catalogue, language, reader),
        context.gaps_section(review, reader),
        context.treaty_status_section(review, catalogue, language),
        context.reservations_section(review, catalogue, language),
        context.contact_section(review),
    ]
    return Report(
        language=language,
        title=_("Legal alignment report"),
        review_title=clean(in_reader_language(review, "title")),
        organisation=clean(review.organisation.name),
        country=str(review.country.name),
        date=day(review.date),
        state=str(review.get_state_display()),
        catalogue=review.catalogue_version,
        tlp=review.tlp,
        marking=marking(review.tlp),
        tlp_note=sharing_note(review.tlp),
        illustrative=review.illustrative,
        generated=day(timezone.localdate()),
        sections=sections,
    )
