"""Writes of the legal alignment app. Every write is audited in the same transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.assessment.actions import AssessmentLockedError, do_add_answer_evidence
from cyberplan.assessment.choices import EvidenceKind
from cyberplan.assessment.models import Assessment
from cyberplan.core import audit
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.actions import do_upsert_gap_from_source
from cyberplan.gaps.choices import GapSource, Severity

from . import evidence, parsing
from .catalogue import Catalogue, shipped_catalogue
from .choices import REVIEW_TRANSITIONS, Coverage, ReviewState
from .models import Instrument, InstrumentArticle, Review, ReviewProvision, TreatyStatus

INSTRUMENT_FIELDS = ("title", "date", "official_url", "status", "status_date")
ARTICLE_FIELDS = ("heading", "text", "status", "position")
REVIEW_FIELDS = frozenset({"title", "date", "tlp", "contact_247", "contact_247_since", "notes"})


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    articles_created: int = 0
    articles_updated: int = 0
    preamble_lines: int = 0


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _save_changed(actor: User | None, instance: Any, values: dict[str, Any], organisation: Organisation) -> bool:
    """Set ``values`` on an existing record; save and audit only what changed. True if anything did."""
    before = audit.snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    changes = audit.diff(before, audit.snapshot(instance))
    if not changes:
        return False
    instance.full_clean()
    if hasattr(instance, "version"):
        instance.version += 1
        changes["version"] = [before["version"], instance.version]
    instance.save()
    audit.record(actor=_actor(actor), action="update", instance=instance, changes=changes, organisation=organisation)
    return True


def _write_instrument(
    actor: User | None, organisation: Organisation, country: str, record: parsing.InstrumentRecord, result: ImportResult
) -> Instrument:
    values = {name: getattr(record, name) for name in INSTRUMENT_FIELDS}
    instrument = Instrument.objects.filter(
        organisation=organisation, country=country, kind=record.kind, number=record.number
    ).first()
    created = instrument is None
    if instrument is None:
        instrument = Instrument(
            organisation=organisation,
            country=country,
            kind=record.kind,
            number=record.number,
            created_by=_actor(actor),
            **values,
        )
        instrument.full_clean()
        instrument.save()
        audit.record_create(actor, instrument, organisation=organisation)
        changed = True
    else:
        changed = _save_changed(actor, instrument, values, organisation)
    start = instrument.articles.count()
    for index, article in enumerate(record.articles):
        existing = instrument.articles.filter(number=article.number).first()
        article_values = {"heading": article.heading[:300], "text": article.text, "status": article.status}
        if existing is None:
            row = InstrumentArticle(
                instrument=instrument, number=article.number, position=start + index, **article_values
            )
            row.full_clean()
            row.save()
            audit.record_create(actor, row, organisation=organisation)
            result.articles_created += 1
            changed = True
        elif _save_changed(actor, existing, article_values, organisation):
            result.articles_updated += 1
            changed = True
    if created:
        result.created += 1
    elif changed:
        result.updated += 1
    else:
        result.unchanged += 1
    return instrument


def _link_amendments(
    actor: User | None, organisation: Organisation, country: str, records: list[parsing.InstrumentRecord]
) -> None:
    for record in records:
        if record.amended_by is None:
            continue
        instrument = Instrument.objects.get(
            organisation=organisation, country=country, kind=record.kind, number=record.number
        )
        amending = Instrument.objects.get(
            organisation=organisation, country=country, kind=record.amended_by[0], number=record.amended_by[1]
        )
        _save_changed(actor, instrument, {"amended_by": amending}, organisation)


def known_instruments(organisation: Organisation, country: str) -> set[tuple[str, str]]:
    return set(Instrument.objects.filter(organisation=organisation, country=country).values_list("kind", "number"))


@transaction.atomic
def do_import_instruments_csv(
    actor: User | None, organisation: Organisation, country: str, raw: bytes, today: datetime.date | None = None
) -> ImportResult:
    """Import instruments and articles from a CSV; every problem named by line and nothing written if any."""
    text = parsing.decode(raw)
    records = parsing.parse_csv(text, known_instruments(organisation, country), today or timezone.localdate())
    result = ImportResult()
    for record in records:
        _write_instrument(actor, organisation, country, record, result)
    _link_amendments(actor, organisation, country, records)
    return result


@transaction.atomic
def do_import_instrument_text(
    actor: User | None,
    organisation: Organisation,
    country: str,
    fields: dict[str, str],
    raw: bytes,
    today: datetime.date | None = None,
) -> ImportResult:
    """Import one instrument from its text, split into articles at their headings ("Artículo 1.-", "Art. 4°")."""
    problems: list[parsing.LineProblem] = []
    record = parsing.instrument_from_fields(fields, 0, today or timezone.localdate(), problems)
    articles: list[parsing.ArticleRecord] = []
    preamble = 0
    try:
        articles, preamble = parsing.split_articles(parsing.decode(raw))
    except parsing.LegalImportError as exc:
        problems.extend(exc.problems)
    if record is not None and record.amended_by and record.amended_by not in known_instruments(organisation, country):
        problems.append(parsing.LineProblem(0, _("The amending instrument is not recorded.")))
    if problems or record is None:
        raise parsing.LegalImportError(problems)
    record.articles = articles
    result = ImportResult(preamble_lines=preamble)
    _write_instrument(actor, organisation, country, record, result)
    _link_amendments(actor, organisation, country, [record])
    return result


# --------------------------------------------------------------------------- reviews


@transaction.atomic
def do_create_review(
    actor: User | None,
    organisation: Organisation,
    *,
    title: str,
    country: str,
    date: datetime.date,
    tlp: str,
    copy_from: Review | None = None,
    illustrative: bool = False,
    catalogue: Catalogue | None = None,
) -> Review:
    """A new draft review with one finding per provision of the catalogue; ``copy_from`` carries an earlier
    review's findings forward (coverage, reasoning, national provisions), so a review starts from the last one."""
    catalogue = catalogue or shipped_catalogue()
    if copy_from is not None and (copy_from.organisation_id, copy_from.country) != (organisation.pk, country):
        raise ValidationError({"copy_from": _("Start only from a review of the same organisation and country.")})
    review = Review(
        organisation=organisation,
        title=title,
        country=country,
        date=date,
        tlp=tlp,
        catalogue_version=catalogue.key,
        illustrative=illustrative,
        created_by=_actor(actor),
    )
    if copy_from is not None:
        review.contact_247 = copy_from.contact_247
        review.contact_247_since = copy_from.contact_247_since
    review.full_clean()
    review.save()
    entry = audit.record_create(actor, review, organisation=organisation)
    if copy_from is not None:
        entry.changes["copied_from"] = [None, copy_from.pk]
        entry.save(update_fields=["changes"])
    earlier = {p.provision: p for p in copy_from.provisions.prefetch_related("national_articles")} if copy_from else {}
    findings = []
    for article in catalogue.articles():
        previous = earlier.get(article.key)
        findings.append(
            ReviewProvision(
                review=review,
                provision=article.key,
                coverage=previous.coverage if previous else "",
                reasoning=previous.reasoning if previous else "",
                reservation=previous.reservation if previous else "",
                illustrative=previous.illustrative if previous else illustrative,
                reviewer=previous.reviewer if previous else None,
                reviewed_on=previous.reviewed_on if previous else None,
            )
        )
    ReviewProvision.objects.bulk_create(findings)
    links = ReviewProvision.national_articles.through
    created = {f.provision: f.pk for f in review.provisions.only("pk", "provision")}
    links.objects.bulk_create(
        links(reviewprovision_id=created[key], instrumentarticle_id=article.pk)
        for key, previous in earlier.items()
        if key in created
        for article in previous.national_articles.all()
    )
    return review


def _refuse_frozen(review: Review) -> None:
    if review.frozen:
        raise ValidationError(_("The review is approved: it is a frozen record. Start a new review to change it."))


@transaction.atomic
def do_update_review(actor: User | None, review: Review, **values: Any) -> Review:
    unknown = set(values) - REVIEW_FIELDS
    if unknown:
        raise ValueError(f"not editable review fields: {sorted(unknown)}")
    current = Review.objects.select_for_update().get(pk=review.pk)
    _refuse_frozen(current)
    _save_changed(actor, current, values, current.organisation)
    return current


@transaction.atomic
def do_update_finding(
    actor: User | None,
    finding: ReviewProvision,
    *,
    coverage: str,
    reasoning: str,
    national_articles: list[InstrumentArticle],
    reservation: str = "",
) -> ReviewProvision:
    """Record the coverage of one provision, its reasoning and the national provisions that implement it."""
    review = Review.objects.select_for_update().get(pk=finding.review_id)
    _refuse_frozen(review)
    if coverage and coverage not in Coverage.values:
        raise ValidationError({"coverage": _("Unknown coverage.")})
    foreign = [a for a in national_articles if a.instrument.organisation_id != review.organisation_id]
    if foreign or any(a.instrument.country != review.country for a in national_articles):
        raise ValidationError(
            {"national_articles": _("Cite only provisions of the review's country and organisation.")}
        )
    current = ReviewProvision.objects.get(pk=finding.pk)
    before = audit.snapshot(current)
    before_articles = sorted(current.national_articles.values_list("pk", flat=True))
    current.coverage = coverage
    current.reasoning = reasoning
    current.reservation = reservation
    current.illustrative = False
    after_articles = sorted(a.pk for a in national_articles)
    changes = audit.diff(before, audit.snapshot(current))
    if before_articles != after_articles:
        changes["national_articles"] = [before_articles, after_articles]
    if not changes:
        return current
    current.reviewer = _actor(actor)
    current.reviewed_on = timezone.localdate()
    current.full_clean()
    current.save()
    current.national_articles.set(national_articles)
    changes.update(audit.diff(before, audit.snapshot(current)))
    audit.record(
        actor=_actor(actor), action="update", instance=current, changes=changes, organisation=review.organisation
    )
    return current


@transaction.atomic
def do_set_review_state(actor: User | None, review: Review, state: str) -> Review:
    """Move a review along draft -> in review -> approved (or back to draft); approval freezes it."""
    current = Review.objects.select_for_update().get(pk=review.pk)
    if state not in REVIEW_TRANSITIONS.get(current.state, frozenset()):
        raise ValidationError(
            _("A review cannot go from %(from)s to %(to)s.") % {"from": current.get_state_display(), "to": state}
        )
    if state == ReviewState.APPROVED:
        open_count = current.provisions.filter(provision__startswith="ets-185:", coverage="").count()
        if open_count:
            raise ValidationError(
                _("%(count)d provisions of the Convention have no coverage yet; assess them before approving.")
                % {"count": open_count}
            )
    before = audit.snapshot(current)
    current.state = state
    if state == ReviewState.APPROVED:
        current.approved_at = timezone.now()
        current.approved_by = _actor(actor)
    current.version += 1
    current.save()
    audit.record(
        actor=_actor(actor),
        action="update",
        instance=current,
        changes=audit.diff(before, audit.snapshot(current)),
        organisation=current.organisation,
    )
    return current


@dataclass
class GapPush:
    created: int = 0
    updated: int = 0


def do_push_review_gaps(actor: User | None, review: Review, catalogue: Catalogue | None = None) -> GapPush:
    """Every provision the approved review finds not or only partly covered becomes a gap of source legal.

    One gap per country and provision (``PY:ets-185:2``): a later review updates the same gap, and running
    this again changes nothing.
    """
    if not review.frozen:
        raise ValidationError(_("Only an approved review feeds the gap register."))
    catalogue = catalogue or shipped_catalogue()
    result = GapPush()
    findings = review.provisions.filter(coverage__in=[Coverage.NONE, Coverage.PARTIAL]).order_by("id")
    for finding in findings:
        article = catalogue.article(finding.provision)
        treaty = catalogue.treaty(article.treaty)
        partial = finding.coverage == Coverage.PARTIAL
        _gap, created = do_upsert_gap_from_source(
            actor,
            review.organisation,
            source=GapSource.LEGAL,
            source_key=f"{review.country}:{finding.provision}"[:120],
            title_en=(
                f"{treaty.code} art. {article.number} ({article.title.en}): "
                f"{'partly covered' if partial else 'not covered'} by national law"
            )[:250],
            title_es=(
                f"{treaty.code} art. {article.number} ({article.title.es}): "
                f"{'cubierto en parte' if partial else 'sin cobertura'} en la legislación nacional"
            )[:250],
            description_en=f"{article.summary.en}\n\nReview: {review.title} ({review.date.isoformat()}).\n{finding.reasoning}".strip(),
            description_es=f"{article.summary.es}\n\nRevisión: {review.title} ({review.date.isoformat()}).\n{finding.reasoning}".strip(),
            severity=Severity.MEDIUM if partial else Severity.HIGH,
            tlp=review.tlp,
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result


@dataclass(frozen=True)
class AttachedEvidence:
    indicator: str
    label: str
    created: bool  # False: the same coverage of the same review was already attached


@transaction.atomic
def do_attach_coverage_evidence(
    actor: User | None, review: Review, assessment: Assessment, part_key: str, indicator_ids: list[str]
) -> list[AttachedEvidence]:
    """Attach the coverage of one chapter, section or treaty of an approved review to legal-framework indicators.

    Each becomes a "link to platform data" evidence of the indicator's answer, pointing at the review, with the
    coverage figure in its label, through the assessment's own evidence action (which audits it). Attaching the
    same part of the same review again to an indicator adds nothing. The caller checks that ``actor`` may edit
    the assessment (``evidence.assessments_for_evidence``).
    """
    if not review.frozen:
        raise ValidationError(_("Only an approved review's coverage can be attached as evidence."))
    if (assessment.organisation_id, str(assessment.country)) != (review.organisation_id, str(review.country)):
        raise ValidationError({"assessment": _("Choose an assessment of the review's own organisation and country.")})
    parts = {p.key: p for p in evidence.coverage_parts(review)}
    part = parts.get(part_key)
    if part is None:
        raise ValidationError({"part": _("Choose a chapter, a section or a treaty of the catalogue.")})
    allowed = {i.id for i in evidence.legal_indicators(assessment)}
    unknown = [i for i in indicator_ids if i not in allowed]
    if unknown or not indicator_ids:
        raise ValidationError(
            {
                "indicators": _("Choose legal-framework indicators of the assessment (not %(ids)s).")
                % {"ids": ", ".join(i[:20] for i in unknown) or "—"}
            }
        )
    url = evidence.evidence_url(review, part)
    label = evidence.evidence_label(review, part)
    out = []
    for indicator_id in indicator_ids:
        answer = assessment.answers.get(indicator_id=indicator_id)
        if answer.evidence.filter(kind=EvidenceKind.PLATFORM, url=url).exists():
            out.append(AttachedEvidence(indicator_id, label, created=False))
            continue
        try:
            do_add_answer_evidence(actor, answer, kind=EvidenceKind.PLATFORM, label=label, url=url)
        except AssessmentLockedError:
            raise ValidationError({"assessment": _("The assessment is locked; unlock it first.")}) from None
        out.append(AttachedEvidence(indicator_id, label, created=True))
    return out


@transaction.atomic
def do_set_treaty_status(actor: User | None, country: str, treaty: str, **values: Any) -> TreatyStatus:
    """Record where a country stands with a treaty (a public fact: no organisation owns it)."""
    shipped_catalogue().treaty(treaty)
    status = TreatyStatus.objects.filter(country=country, treaty=treaty).first()
    if status is None:
        status = TreatyStatus(country=country, treaty=treaty, **values)
        status.full_clean()
        status.save()
        audit.record_create(actor, status)
        return status
    before = audit.snapshot(status)
    for name, value in values.items():
        setattr(status, name, value)
    changes = audit.diff(before, audit.snapshot(status))
    if changes:
        status.full_clean()
        status.save()
        audit.record(actor=_actor(actor), action="update", instance=status, changes=changes)
    return status
