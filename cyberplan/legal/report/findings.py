"""The method, coverage by chapter and section (table and chart), and the coverage matrix of the report."""

from __future__ import annotations

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from cyberplan.core.models import in_reader_language
from cyberplan.reports.document import Chart, Paragraph, Section, Table

from ..choices import Coverage, ReviewState
from ..coverage import GroupCoverage
from ..models import Review
from ..results import TreatyMatrix
from .chart import coverage_spec


def day(value: datetime.date | None) -> str:
    """A date in the active language's long format ("" when there is none)."""
    return str(formats.date_format(value, "DATE_FORMAT", use_l10n=True)) if value else ""


def coverage_label(value: str) -> str:
    return str(Coverage(value).label) if value in Coverage.values else _("Not assessed")


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)} %"


def method_section(review: Review) -> Section:
    section = Section("method", _("Method"))
    section.add(
        Paragraph(
            _(
                "The review sets each provision of the Convention on Cybercrime and of its protocols against "
                "national law: the national provisions that implement it, how far they cover it, and why."
            )
        ),
        Paragraph(
            _(
                "Fully covered: national law does all the provision asks. Partly covered: national law does some "
                "of it. Not covered: national law does none of it. Not applicable: the provision asks nothing of "
                "national law (a final clause, for example)."
            )
        ),
        Paragraph(
            _(
                "Not applicable provisions are left out of the shares. A provision not assessed yet stays in "
                "them: it is not known to be covered. The fully covered share is fully covered provisions over "
                "applicable provisions; the covered share counts partly covered provisions too."
            )
        ),
    )
    if review.state != ReviewState.APPROVED:
        section.add(Paragraph(_("This review is not approved yet: its findings may still change."), "warning"))
    if review.illustrative:
        section.add(
            Paragraph(
                _("Illustrative: built from public facts to show the platform; not an official finding."), "warning"
            )
        )
    return section


def _coverage_row(row: GroupCoverage, label: str) -> list[str]:
    return [
        label,
        str(row.total),
        str(row.full),
        str(row.partial),
        str(row.none),
        str(row.not_applicable),
        str(row.unassessed),
        percent(row.full_share),
        percent(row.covered_share),
    ]


def coverage_section(treaties: list[TreatyMatrix], language: str) -> Section:
    section = Section("coverage", _("Coverage by chapter and section"))
    headers = [
        _("Part"),
        _("Provisions"),
        _("Fully"),
        _("Partly"),
        _("Not covered"),
        _("Not applicable"),
        _("Not assessed"),
        _("Fully covered share"),
        _("Covered share"),
    ]
    for tm in treaties:
        rows = [_coverage_row(g.coverage, f"{g.coverage.group} · {g.coverage.title.get(language)}") for g in tm.groups]
        rows.append(_coverage_row(tm.total, _("Total")))
        title = f"{tm.treaty.code} · {tm.treaty.title.get(language)}"
        section.add(
            Table(title, headers, rows, numeric=[False, *([True] * 8)], css="coverage-table"),
            Chart(
                f"{title}: " + _("provisions covered, by chapter and section"),
                coverage_spec([g.coverage for g in tm.groups], language),
                empty=_("No provision of this treaty applies: there is nothing to draw."),
                name=f"coverage-{tm.treaty.id}",
            ),
        )
    return section


def matrix_section(treaties: list[TreatyMatrix], language: str) -> Section:
    section = Section("matrix", _("Coverage matrix"))
    section.add(
        Paragraph(
            _(
                "Every article of each treaty, with the national provisions the review cites, its coverage and "
                "the reviewer's reasoning. A cited national provision that is repealed or amended is flagged."
            ),
            "note",
        )
    )
    headers = [_("Article"), _("Title"), _("Coverage"), _("National provisions"), _("Reasoning")]
    for tm in treaties:
        rows = []
        for group in tm.groups:
            for row in group.rows:
                finding = row.finding
                cited = [str(a) for a in finding.national_articles.all()] if finding is not None else []
                cited += [
                    _("%(article)s: %(status)s. Check this mapping.")
                    % {"article": a, "status": a.effective_status_label}
                    for a in row.flagged
                ]
                rows.append(
                    [
                        f"{row.article.number}",
                        f"{row.article.group} · {row.article.title.get(language)}",
                        coverage_label(finding.coverage if finding is not None else ""),
                        "; ".join(cited) or "—",
                        (in_reader_language(finding, "reasoning") if finding is not None else "") or "—",
                    ]
                )
        section.add(
            Table(
                f"{tm.treaty.code} · {tm.treaty.title.get(language)}",
                headers,
                rows,
                empty=_("This treaty has no article in the catalogue."),
                css="matrix-table",
            )
        )
    return section
