"""Writes to assessments. Every write is validated and audited in one transaction.

Actions do not check the caller's rights (the views, API and commands do, through access.py).
They do refuse writes to a locked assessment (``AssessmentLockedError``) and stale answer
versions (``ConcurrentEditError``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.access import Permission, has_permission
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.core.uploads import safe_filename, validate_evidence_file
from cyberplan.gaps.actions import do_add_gap_evidence, do_upsert_gap_from_source
from cyberplan.gaps.choices import EvidenceKind as GapEvidenceKind
from cyberplan.gaps.choices import GapSource, GapStatus, Severity
from cyberplan.gaps.models import Gap

from . import framework as fw
from .choices import AnswerValue, EvidenceKind, StakeholderGroup
from .models import Answer, AnswerEvidence, Assessment, AssessmentFactor, FactorComment, Framework
from .results import score_assessment

ASSESSMENT_FIELDS = frozenset({"title", "country", "date", "method", "stakeholder_groups", "tlp"})


class AssessmentLockedError(Exception):
    """The assessment is locked: final, no more edits until an administrator unlocks it."""

    def __init__(self, assessment: Assessment) -> None:
        super().__init__(f"assessment {assessment.pk} is locked")
        self.assessment = assessment


class ConcurrentEditError(Exception):
    """The answer changed since the editor read it; saving would overwrite someone else's answer."""

    def __init__(self, current: Answer) -> None:
        super().__init__("stale version")
        self.current = current


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _check_unlocked(assessment: Assessment) -> None:
    locked = Assessment.objects.filter(pk=assessment.pk).values_list("locked", flat=True).first()
    if locked:
        raise AssessmentLockedError(assessment)


def _check_groups(groups: Any) -> list[str]:
    if not isinstance(groups, list | tuple) or any(g not in StakeholderGroup.values for g in groups):
        raise ValidationError(
            {
                "stakeholder_groups": _("Choose stakeholder groups from: %(groups)s.")
                % {"groups": ", ".join(StakeholderGroup.values)}
            }
        )
    return sorted(set(groups), key=list(StakeholderGroup.values).index)


# --------------------------------------------------------------------------- assessments


@transaction.atomic
def do_create_assessment(
    actor: User | None,
    organisation: Organisation,
    framework: Framework,
    *,
    title: str,
    country: str,
    date: dt.date,
    method: str,
    stakeholder_groups: Sequence[str] = (),
    tlp: str | None = None,
    copy_targets: bool = True,
) -> Assessment:
    """Create an assessment with one blank answer per indicator of ``framework``.

    With ``copy_targets``, the target profile of the organisation's latest earlier assessment of
    the same country on the same framework id is carried over.
    """
    values: dict[str, Any] = {
        "title": title,
        "country": country,
        "date": date,
        "method": method,
        "stakeholder_groups": _check_groups(list(stakeholder_groups)),
    }
    if tlp:
        values["tlp"] = tlp
    assessment = Assessment(organisation=organisation, framework=framework, created_by=_actor(actor), **values)
    assessment.full_clean()
    assessment.save()
    structure = framework.structure()
    targets: dict[str, int | None] = {}
    if copy_targets:
        previous = (
            Assessment.objects.filter(
                organisation=organisation,
                country=country,
                framework__framework_id=framework.framework_id,
                date__lte=date,
            )
            .exclude(pk=assessment.pk)
            .order_by("-date", "-id")
            .first()
        )
        if previous is not None:
            targets = dict(previous.factors.values_list("factor_id", "target_stage"))
    AssessmentFactor.objects.bulk_create(
        AssessmentFactor(assessment=assessment, factor_id=f.id, target_stage=targets.get(f.id))
        for f in structure.factors()
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, factor_id=i.factor_id, indicator_id=i.id) for i in structure.indicators()
    )
    audit.record_create(actor, assessment, organisation=organisation)
    return assessment


@transaction.atomic
def do_update_assessment(
    actor: User | None, assessment: Assessment, expected_version: int | None, **values: Any
) -> Assessment:
    unknown = set(values) - ASSESSMENT_FIELDS
    if unknown:
        raise ValueError(f"not editable assessment fields: {sorted(unknown)}")
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if current.locked:
        raise AssessmentLockedError(current)
    if expected_version is not None and current.version != expected_version:
        raise ValidationError(
            _("Someone else changed this assessment while you were editing it; reload it and edit again.")
        )
    if "stakeholder_groups" in values:
        values["stakeholder_groups"] = _check_groups(values["stakeholder_groups"])
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    audit.save_versioned_update(actor, current, before, current.organisation)
    return current


@transaction.atomic
def do_lock_assessment(actor: User | None, assessment: Assessment) -> Assessment:
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if current.locked:
        return current
    before = audit.snapshot(current)
    current.locked = True
    current.locked_at = timezone.now()
    current.locked_by = _actor(actor)
    current.version += 1
    current.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=current,
        changes=audit.diff(before, audit.snapshot(current)),
        organisation=current.organisation,
    )
    return current


@transaction.atomic
def do_unlock_assessment(actor: User | None, assessment: Assessment, reason: str) -> Assessment:
    """Unlock a final assessment; the reason is kept in the audit entry."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the assessment is unlocked.")})
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not current.locked:
        return current
    before = audit.snapshot(current)
    current.locked = False
    current.locked_at = None
    current.locked_by = None
    current.version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current))
    changes["unlock_reason"] = [None, reason[:1000]]
    audit.record(
        actor=actor, action=AuditAction.UPDATE, instance=current, changes=changes, organisation=current.organisation
    )
    return current


# --------------------------------------------------------------------------- factors


def _factor_for_update(factor: AssessmentFactor) -> AssessmentFactor:
    current = AssessmentFactor.objects.select_for_update().select_related("assessment").get(pk=factor.pk)
    _check_unlocked(current.assessment)
    return current


def _save_factor(actor: User | None, current: AssessmentFactor, before: dict[str, Any]) -> AssessmentFactor:
    changes = audit.diff(before, audit.snapshot(current))
    if changes:
        current.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=current,
            changes=changes,
            organisation=current.assessment.organisation,
        )
    return current


@transaction.atomic
def do_assign_factor(actor: User | None, factor: AssessmentFactor, assignee: User | None) -> AssessmentFactor:
    """Assign a factor to a member of the assessment's organisation who may contribute (or to nobody)."""
    current = _factor_for_update(factor)
    if assignee is not None and not has_permission(assignee, current.assessment.organisation_id, Permission.CONTRIBUTE):
        raise ValidationError(
            {"assignee": _("%(user)s may not contribute in this organisation.") % {"user": assignee.get_username()}}
        )
    before = audit.snapshot(current)
    current.assignee = assignee
    return _save_factor(actor, current, before)


@transaction.atomic
def do_set_target_stage(actor: User | None, factor: AssessmentFactor, stage: int | None) -> AssessmentFactor:
    current = _factor_for_update(factor)
    stages = len(current.assessment.framework.structure().stages)
    if stage is not None and not 1 <= stage <= stages:
        raise ValidationError({"target_stage": _("Choose a stage from 1 to %(n)s.") % {"n": stages}})
    before = audit.snapshot(current)
    current.target_stage = stage
    return _save_factor(actor, current, before)


@transaction.atomic
def do_approve_factor(actor: User | None, factor: AssessmentFactor) -> AssessmentFactor:
    current = _factor_for_update(factor)
    before = audit.snapshot(current)
    current.approved_by = _actor(actor)
    current.approved_at = timezone.now()
    return _save_factor(actor, current, before)


def _clear_approval(actor: User | None, assessment: Assessment, factor_id: str) -> None:
    factor = AssessmentFactor.objects.select_for_update().get(assessment=assessment, factor_id=factor_id)
    if factor.approved_at is None:
        return
    before = audit.snapshot(factor)
    factor.approved_at = None
    factor.approved_by = None
    factor.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=factor,
        changes=audit.diff(before, audit.snapshot(factor)),
        organisation=assessment.organisation,
    )


@transaction.atomic
def do_add_factor_comment(actor: User | None, factor: AssessmentFactor, text: str) -> FactorComment:
    current = _factor_for_update(factor)
    comment = FactorComment(
        assessment=current.assessment, factor_id=current.factor_id, text=text.strip(), author=_actor(actor)
    )
    comment.full_clean()
    comment.save()
    audit.record_create(actor, comment, organisation=current.assessment.organisation)
    return comment


# --------------------------------------------------------------------------- answers and evidence


@transaction.atomic
def do_answer_indicator(
    actor: User | None, answer: Answer, expected_version: int | None, *, value: str, note: str | None = None
) -> Answer:
    """Record an answer. A stale ``expected_version`` raises ``ConcurrentEditError`` with the current answer.

    A change clears the factor's approval: the reviewer approved what they saw.
    """
    current = Answer.objects.select_for_update().select_related("assessment__organisation").get(pk=answer.pk)
    _check_unlocked(current.assessment)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    if value not in AnswerValue.values:
        raise ValidationError({"value": _("Choose met, partly, not met or unknown.")})
    before = audit.snapshot(current)
    current.value = value
    if note is not None:
        current.note = note

    def mark_answerer() -> None:
        current.answered_by = _actor(actor)

    if audit.save_versioned_update(actor, current, before, current.assessment.organisation, mark_answerer):
        _clear_approval(actor, current.assessment, current.factor_id)
    return current


def check_evidence(kind: str, url: str, citation: str, has_document: bool) -> None:
    """The fields each kind of evidence needs; raises ``ValidationError`` naming the field."""
    errors: dict[str, str] = {}
    if kind not in EvidenceKind.values:
        errors["kind"] = _("Choose a kind of evidence.")
    if kind == EvidenceKind.URL and not url:
        errors["url"] = _("Give the web address of the evidence.")
    elif url and not (url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))):
        errors["url"] = _("Give an address starting with https://, http:// or /.")
    if kind == EvidenceKind.PLATFORM and not (url.startswith("/") and not url.startswith("//")):
        errors["url"] = _("Give the path of the platform page, starting with /.")
    if kind == EvidenceKind.CITATION and not citation:
        errors["citation"] = _("Give the citation, for example a law and its article.")
    if kind == EvidenceKind.DOCUMENT and not has_document:
        errors["document"] = _("Choose the document to upload.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_add_answer_evidence(
    actor: User | None,
    answer: Answer,
    *,
    kind: str,
    label: str,
    url: str = "",
    citation: str = "",
    document: UploadedFile[bytes] | None = None,
    note: str = "",
) -> AnswerEvidence:
    """Attach evidence to an answer; uploaded documents go through the shared upload checks."""
    current = Answer.objects.select_for_update().select_related("assessment__organisation").get(pk=answer.pk)
    _check_unlocked(current.assessment)
    check_evidence(kind, url, citation, document is not None)
    evidence = AnswerEvidence(
        answer=current, kind=kind, label=label, url=url, citation=citation, note=note, added_by=_actor(actor)
    )
    if document is not None:
        try:
            validate_evidence_file(document)
        except ValidationError as exc:
            raise ValidationError({"document": exc.messages}) from exc
        evidence.document.save(safe_filename(document.name or "evidence"), document, save=False)
    evidence.full_clean()
    evidence.save()
    audit.record_create(actor, evidence, organisation=current.assessment.organisation)
    _clear_approval(actor, current.assessment, current.factor_id)
    return evidence


@transaction.atomic
def do_delete_answer_evidence(actor: User | None, evidence: AnswerEvidence) -> None:
    answer = Answer.objects.select_related("assessment__organisation").get(pk=evidence.answer_id)
    _check_unlocked(answer.assessment)
    audit.record_delete(actor, evidence, audit.snapshot(evidence), organisation=answer.assessment.organisation)
    if evidence.document:
        evidence.document.delete(save=False)
    evidence.delete()
    _clear_approval(actor, answer.assessment, answer.factor_id)


# --------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class GapChange:
    factor_id: str
    gap: Gap
    change: str  # "created", "updated", "closed", "unchanged"


def gap_source_key(assessment: Assessment, factor_id: str) -> str:
    """One gap per owner organisation, assessed country and factor, across successive assessments."""
    return f"{assessment.framework.framework_id}:{assessment.country}:{factor_id}"


def latest_assessment_of_country(assessment: Assessment) -> Assessment | None:
    return (
        Assessment.objects.filter(
            organisation_id=assessment.organisation_id,
            country=assessment.country,
            framework__framework_id=assessment.framework.framework_id,
        )
        .order_by("-date", "-id")
        .first()
    )


@transaction.atomic
def do_sync_assessment_gaps(actor: User | None, assessment: Assessment) -> list[GapChange]:
    """Bring the gap register in line with the assessment's target profile.

    Each factor below its target, or not assessed against it, gets an open gap (source
    ``assessment``) listing the indicators still missing or to assess, with a link to the factor's page as platform evidence. A factor that reached
    its target closes the gap an earlier assessment opened. Only the latest assessment of the
    country may do this, so an old assessment never reopens what a newer one closed.
    """
    latest = latest_assessment_of_country(assessment)
    if latest is not None and latest.pk != assessment.pk:
        raise ValidationError(
            _("A later assessment of this country exists (%(title)s); update the gap register from that one.")
            % {"title": str(latest)}
        )
    structure, results = score_assessment(assessment)
    answers = dict(assessment.answers.values_list("indicator_id", "value"))
    changes: list[GapChange] = []
    for factor_row in assessment.factors.order_by("id"):
        target = factor_row.target_stage
        key = gap_source_key(assessment, factor_row.factor_id)
        existing = Gap.objects.filter(
            organisation=assessment.organisation, source=GapSource.ASSESSMENT, source_key=key
        ).first()
        factor = structure.factor(factor_row.factor_id)
        stage = results[factor.id].stage
        if target is None:
            continue
        if stage is not None and stage >= target:
            if existing is not None and existing.status != GapStatus.CLOSED:
                gap, _created = do_upsert_gap_from_source(
                    actor,
                    assessment.organisation,
                    source=GapSource.ASSESSMENT,
                    source_key=key,
                    status=GapStatus.CLOSED,
                )
                _link_gap(actor, gap, assessment, factor.id)
                changes.append(GapChange(factor.id, gap, "closed"))
            continue
        values = _gap_values(assessment, structure, factor, stage, target, answers)
        gap, created = do_upsert_gap_from_source(
            actor, assessment.organisation, source=GapSource.ASSESSMENT, source_key=key, **values
        )
        _link_gap(actor, gap, assessment, factor.id)
        changes.append(GapChange(factor.id, gap, "created" if created else "updated"))
    return changes


def _gap_values(
    assessment: Assessment,
    structure: fw.Framework,
    factor: fw.Factor,
    stage: int | None,
    target: int,
    answers: dict[str, str],
) -> dict[str, Any]:
    """The text of the gap of a factor below its target, or not assessed against it.

    A factor not assessed is not said to be below its target: its gap says that the stage is not
    known and lists the indicators to assess up to the target.
    """
    missing = [i for s in range(1, target + 1) for i in factor.indicators_at(s) if answers.get(i.id) != AnswerValue.MET]
    wanted = structure.stage(target).name
    done = f"Assessment {assessment.title} of {assessment.date.isoformat()}"
    hecho = f"Evaluación {assessment.title} del {assessment.date.isoformat()}"
    if stage is None:
        title_en = f"Factor {factor.id} {factor.name.en}: not assessed against its target stage ({wanted.en})"
        title_es = f"Factor {factor.id} {factor.name.es}: sin evaluar frente a su etapa objetivo ({wanted.es})"
        lead_en = f"{done}: no indicator answered met, partly met or not met, target {wanted.en}. Indicators to assess"
        lead_es = f"{hecho}: ningún indicador respondido como cumplido, parcialmente o no cumplido, objetivo {wanted.es}. Indicadores por evaluar"
        severity = Severity.MEDIUM
    else:
        reached = structure.stage(stage).name
        title_en = f"Factor {factor.id} {factor.name.en}: below its target stage ({wanted.en})"
        title_es = f"Factor {factor.id} {factor.name.es}: por debajo de su etapa objetivo ({wanted.es})"
        lead_en = f"{done}: stage reached {reached.en}, target {wanted.en}. Indicators still missing"
        lead_es = f"{hecho}: etapa alcanzada {reached.es}, objetivo {wanted.es}. Indicadores que faltan"
        severity = Severity.HIGH if target - stage >= 2 else Severity.MEDIUM
    return {
        "title_en": title_en[:250],
        "title_es": title_es[:250],
        "description_en": f"{lead_en}:\n" + "\n".join(f"- {i.id} {i.text.en}" for i in missing),
        "description_es": f"{lead_es}:\n" + "\n".join(f"- {i.id} {i.text.es}" for i in missing),
        "severity": severity,
        "tlp": assessment.tlp,
        "status": GapStatus.OPEN,
    }


def factor_path(assessment: Assessment, factor_id: str) -> str:
    return f"/assessment/{assessment.pk}/factors/{factor_id}/"


def _link_gap(actor: User | None, gap: Gap, assessment: Assessment, factor_id: str) -> None:
    path = factor_path(assessment, factor_id)
    if actor is None or not actor.pk:
        # GapEvidence.added_by may be null but not blank, so gaps' own action refuses evidence
        # without a person; a run without an actor (command line, tests) records no link.
        return
    if gap.evidence.filter(kind=GapEvidenceKind.PLATFORM, url=path).exists():
        return
    do_add_gap_evidence(
        actor,
        gap,
        kind=GapEvidenceKind.PLATFORM,
        label=f"{assessment.title} ({assessment.date.isoformat()}), factor {factor_id}"[:250],
        url=path,
    )


# --------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportedEvidence:
    kind: str
    label: str
    url: str = ""
    citation: str = ""
    note: str = ""


@dataclass(frozen=True)
class ImportedAnswer:
    indicator_id: str
    value: str
    note: str
    evidence: tuple[ImportedEvidence, ...]


@dataclass(frozen=True)
class ImportedFactor:
    factor_id: str
    target_stage: int | None
    comments: tuple[str, ...]


@transaction.atomic
def do_import_assessment(
    actor: User | None,
    organisation: Organisation,
    framework: Framework,
    *,
    details: dict[str, Any],
    factors: Iterable[ImportedFactor],
    answers: Iterable[ImportedAnswer],
) -> Assessment:
    """Create an assessment from checked exchange data (see exchange.py); audited like any other write."""
    assessment = do_create_assessment(actor, organisation, framework, copy_targets=False, **details)
    rows = {f.factor_id: f for f in assessment.factors.all()}
    for item in factors:
        row = rows[item.factor_id]
        if item.target_stage is not None:
            do_set_target_stage(actor, row, item.target_stage)
        for text in item.comments:
            do_add_factor_comment(actor, row, text)
    by_indicator = {a.indicator_id: a for a in assessment.answers.all()}
    for given in answers:
        answer = by_indicator[given.indicator_id]
        if given.value:
            answer = do_answer_indicator(actor, answer, None, value=given.value, note=given.note)
        for ev in given.evidence:
            do_add_answer_evidence(
                actor, answer, kind=ev.kind, label=ev.label, url=ev.url, citation=ev.citation, note=ev.note
            )
    return assessment
