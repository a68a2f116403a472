"""Change since the previous review, the gaps, treaty status, reservations and the 24/7 point of contact."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.core.models import User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.choices import GapSource, GapStatus, Severity
from cyberplan.gaps.marking import within_marking
from cyberplan.gaps.models import Gap
from cyberplan.reports.document import Paragraph, Section, Table

from ..access import reviews_visible_to
from ..catalogue import Catalogue
from ..choices import ReviewState
from ..coverage import compare
from ..models import Review, TreatyStatus
from .findings import coverage_label
from .findings import day as _day


def previous_review(review: Review, reader: User | None = None) -> Review | None:
    """The approved review of the same country and organisation just before ``review``, within its marking."""
    reviews = reviews_visible_to(reader) if reader is not None else Review.objects.all()
    earlier = (
        reviews.filter(organisation_id=review.organisation_id, country=review.country, state=ReviewState.APPROVED)
        .filter(Q(date__lt=review.date) | Q(date=review.date, pk__lt=review.pk))
        .order_by("-date", "-id")
    )
    return next((r for r in earlier if within_marking(r.tlp, review.tlp)), None)


def changes_section(review: Review, catalogue: Catalogue, language: str, reader: User | None) -> Section:
    section = Section("changes", _("Change since the previous review"))
    before = previous_review(review, reader)
    if before is None:
        section.add(
            Paragraph(
                _("There is no earlier approved review of this country by this organisation to compare with."),
                "nodata",
            )
        )
        return section
    section.add(
        Paragraph(
            _("Compared with the review “%(title)s” of %(date)s.") % {"title": before.title, "date": _day(before.date)}
        )
    )
    changes = [c for c in compare(catalogue, before.findings(), review.findings()) if c.changed]
    words = {"better": _("Better"), "worse": _("Worse"), "other": _("Changed")}
    counts = {key: sum(1 for c in changes if c.direction == key) for key in words}
    section.add(
        Paragraph(
            _("%(better)d provisions better covered, %(worse)d worse, %(other)d otherwise changed.")
            % {"better": counts["better"], "worse": counts["worse"], "other": counts["other"]}
        )
    )
    rows = []
    for change in changes:
        article = catalogue.article(change.provision)
        treaty = catalogue.treaty(article.treaty)
        rows.append(
            [
                f"{treaty.code} {article.number} · {article.title.get(language)}",
                coverage_label(change.before),
                coverage_label(change.after),
                words[change.direction],
            ]
        )
    section.add(
        Table(
            _("Provisions whose coverage changed"),
            [_("Provision"), _("Before"), _("Now"), _("Change")],
            rows,
            empty=_("No provision changed coverage since the previous review."),
        )
    )
    return section


def _label(choices: type[GapStatus] | type[Severity], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def gaps_section(review: Review, reader: User | None) -> Section:
    section = Section("gaps", _("Gaps"))
    gaps = reader_gaps = Gap.objects.filter(
        organisation_id=review.organisation_id, source=GapSource.LEGAL, source_key__startswith=f"{review.country}:"
    )
    if reader is not None:
        reader_gaps = gaps_visible_to(reader).filter(pk__in=gaps.values("pk"))
    shown = [g for g in reader_gaps.order_by("identifier") if within_marking(g.tlp, review.tlp)]
    left_out = reader_gaps.count() - len(shown)
    section.add(
        Paragraph(
            _(
                "An approved review turns each provision not or only partly covered into a gap of the gap "
                "register (one gap per country and provision)."
            ),
            "note",
        )
    )
    if left_out:
        section.add(
            Paragraph(
                ngettext(
                    "%(count)d gap marked above this report's TLP is left out.",
                    "%(count)d gaps marked above this report's TLP are left out.",
                    left_out,
                )
                % {"count": left_out},
                "note",
            )
        )
    section.add(
        Table(
            _("Gaps from this country's alignment reviews"),
            [_("Identifier"), _("Title"), _("Status"), _("Severity")],
            [[g.identifier, g.title, _label(GapStatus, g.status), _label(Severity, g.severity)] for g in shown],
            empty=_("The gap register holds no gap from this country's alignment reviews."),
        )
    )
    return section


def treaty_status_section(review: Review, catalogue: Catalogue, language: str) -> Section:
    section = Section("status", _("Treaty status"))
    statuses = {s.treaty: s for s in TreatyStatus.objects.filter(country=review.country)}
    rows, links = [], []
    for treaty in catalogue.treaties:
        status = statuses.get(treaty.id)
        if status is None:
            rows.append([f"{treaty.code} · {treaty.title.get(language)}", "—", "—", "—", _("Not recorded"), "—"])
            links.append("")
            continue
        ratified = _day(status.ratified)
        if ratified and status.accession:
            ratified = _("%(date)s (accession)") % {"date": ratified}
        rows.append(
            [
                f"{treaty.code} · {treaty.title.get(language)}",
                _day(status.signed) or "—",
                ratified or "—",
                _day(status.in_force) or "—",
                str(status.get_basis_display()) + (f". {status.note}" if status.note else ""),
                status.source_url or "—",
            ]
        )
        links.append(status.source_url if status.source_url.startswith(("https://", "http://")) else "")
    section.add(
        Table(
            _("Signature, ratification or accession, and entry into force for %(country)s")
            % {"country": review.country.name},
            [_("Treaty"), _("Signed"), _("Ratified or acceded"), _("Entry into force"), _("Basis"), _("Source")],
            rows,
            links=links,
            link_column=5,
        )
    )
    return section


def reservations_section(review: Review, catalogue: Catalogue, language: str) -> Section:
    section = Section("reservations", _("Reservations and declarations"))
    rows = []
    for finding in review.provisions.exclude(reservation="").order_by("id"):
        article = catalogue.by_key.get(finding.provision)
        name = (
            f"{catalogue.treaty(article.treaty).code} {article.number} · {article.title.get(language)}"
            if article is not None
            else finding.provision
        )
        rows.append([name, finding.reservation])
    section.add(
        Table(
            _("Reservations and declarations made"),
            [_("Provision"), _("Reservation or declaration")],
            rows,
            empty=_("The review records no reservation or declaration made by the country."),
        )
    )
    return section


def contact_section(review: Review) -> Section:
    section = Section("contact", _("24/7 point of contact (article 35)"))
    if not review.contact_247:
        section.add(Paragraph(_("The review records no 24/7 point of contact."), "nodata"))
        return section
    section.add(Paragraph(review.contact_247))
    if review.contact_247_since:
        section.add(Paragraph(_("Designated on %(date)s.") % {"date": _day(review.contact_247_since)}))
    return section
