"""Writes to a strategy's versions: freeze the working copy, refresh a draft, move a version along
the approval workflow, and the consultation's comments. All audited.

A published or withdrawn version never changes (``PublishedVersionError``); updates take the
version the editor loaded and raise ``ConcurrentEditError`` when someone saved in between.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User

from .. import snapshot
from ..actions import do_set_phase, locked, who
from ..choices import OPEN_VERSION_STATUSES, PHASE_ORDER, VERSION_TRANSITIONS, Phase, Resolution, VersionStatus
from ..models import Comment, Strategy, StrategyVersion


class PublishedVersionError(ValidationError):
    """A published or withdrawn version is never changed."""


def _refuse_if_frozen(version: StrategyVersion) -> None:
    if version.status == VersionStatus.PUBLISHED:
        raise PublishedVersionError(
            _("Version %(number)d is published and cannot be changed; create a new version from the working copy.")
            % {"number": version.number}
        )
    if version.status == VersionStatus.WITHDRAWN:
        raise PublishedVersionError(_("Version %(number)d was withdrawn.") % {"number": version.number})


@transaction.atomic
def do_create_version(actor: User | None, strategy: Strategy, note: str = "") -> StrategyVersion:
    """Freeze the working copy as a new draft version; only one version may be open at a time."""
    strategy = Strategy.objects.select_for_update().get(pk=strategy.pk)
    open_version = strategy.versions.filter(status__in=OPEN_VERSION_STATUSES).first()
    if open_version is not None:
        raise ValidationError(
            _("Version %(number)d is still %(status)s; publish or withdraw it before starting another.")
            % {"number": open_version.number, "status": open_version.get_status_display().lower()}
        )
    number = (strategy.versions.aggregate(models.Max("number"))["number__max"] or 0) + 1
    document = snapshot.build(strategy)
    version = StrategyVersion(
        strategy=strategy,
        number=number,
        note=note,
        snapshot=document,
        digest=snapshot.digest(document),
        created_by=who(actor),
    )
    version.full_clean()
    version.save()
    audit.record_create(actor, version, organisation=strategy.organisation)
    return version


@transaction.atomic
def do_refresh_version(actor: User | None, version: StrategyVersion, expected_version: int | None) -> StrategyVersion:
    """Take the working copy into a draft version again (only drafts change)."""
    current: StrategyVersion = locked(StrategyVersion, version.pk, expected_version)
    _refuse_if_frozen(current)
    if current.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Only a draft takes in the working copy; move version %(number)d back to draft first.")
            % {"number": current.number}
        )
    document = snapshot.build(current.strategy)
    before = audit.snapshot(current, fields=["digest", "version"])
    current.snapshot, current.digest = document, snapshot.digest(document)
    if current.digest != before["digest"]:
        current.version += 1
        current.save()
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=current,
            changes=audit.diff(before, audit.snapshot(current, fields=["digest", "version"])),
            organisation=current.strategy.organisation,
        )
    return current


@transaction.atomic
def do_move_version(
    actor: User | None,
    version: StrategyVersion,
    to_status: str,
    expected_version: int | None = None,
    *,
    legal_reference: str = "",
    closes_on: datetime.date | None = None,
) -> StrategyVersion:
    """Move a version along the workflow: draft, consultation, approved, published (or withdrawn)."""
    current: StrategyVersion = locked(StrategyVersion, version.pk, expected_version)
    _refuse_if_frozen(current)
    if to_status not in VERSION_TRANSITIONS.get(current.status, frozenset()):
        raise ValidationError(
            {
                "status": _("A version that is %(from)s cannot become %(to)s.")
                % {
                    "from": current.get_status_display().lower(),
                    "to": str(VersionStatus(to_status).label).lower()
                    if to_status in VersionStatus.values
                    else to_status,
                }
            }
        )
    now = timezone.now()
    before = audit.snapshot(current)
    if to_status == VersionStatus.CONSULTATION:
        if closes_on is not None and closes_on < timezone.localdate():
            raise ValidationError({"consultation_closes_on": _("The consultation cannot close in the past.")})
        current.consultation_opened_at, current.consultation_closes_on = now, closes_on
    if to_status == VersionStatus.APPROVED:
        pending = current.comments.filter(resolution=Resolution.PENDING).count()
        if pending:
            raise ValidationError(
                {"status": _("%(count)d consultation comments are not resolved yet.") % {"count": pending}}
            )
        current.approved_by, current.approved_at = who(actor), now
    if to_status == VersionStatus.PUBLISHED:
        current.published_by, current.published_at = who(actor), now
        current.legal_reference = legal_reference or current.legal_reference
    if to_status == VersionStatus.DRAFT:
        current.approved_by, current.approved_at = None, None
    current.status = to_status
    current.version += 1
    current.full_clean()
    current.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=current,
        changes=audit.diff(before, audit.snapshot(current)),
        organisation=current.strategy.organisation,
    )
    if to_status == VersionStatus.PUBLISHED:
        strategy = current.strategy
        if PHASE_ORDER.index(strategy.phase) < PHASE_ORDER.index(Phase.IMPLEMENTATION):
            do_set_phase(actor, strategy, Phase.IMPLEMENTATION)
    return current


def published_version(strategy: Strategy) -> StrategyVersion | None:
    """The latest published version: the one cited."""
    return strategy.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


# --------------------------------------------------------------------------- consultation


@transaction.atomic
def do_add_comment(
    actor: User | None, version: StrategyVersion, organisation: Organisation, *, section: str, text: str
) -> Comment:
    if version.status != VersionStatus.CONSULTATION:
        raise ValidationError(_("Comments are taken only while a version is in consultation."))
    if version.consultation_closes_on and timezone.localdate() > version.consultation_closes_on:
        raise ValidationError(_("The consultation closed on %(date)s.") % {"date": version.consultation_closes_on})
    labels = dict(snapshot.sections(version.snapshot))
    if section not in labels:
        raise ValidationError(
            {"section": _("This section is not part of version %(number)d.") % {"number": version.number}}
        )
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    comment = Comment(
        strategy_version=version,
        section=section,
        section_label=labels[section][:300],
        organisation=organisation,
        author=who(actor),
        text=text,
    )
    comment.full_clean()
    comment.save()
    audit.record_create(actor, comment, organisation=version.strategy.organisation)
    return comment


@transaction.atomic
def do_resolve_comment(
    actor: User | None, comment: Comment, expected_version: int | None, *, resolution: str, note: str = ""
) -> Comment:
    if resolution not in Resolution.values or resolution == Resolution.PENDING:
        raise ValidationError({"resolution": _("Choose how the comment was resolved.")})
    if resolution in (Resolution.REJECTED, Resolution.PARTLY) and not note.strip():
        raise ValidationError({"resolution_note": _("Say why the comment was not fully taken in.")})
    current: Comment = locked(Comment, comment.pk, expected_version)
    _refuse_if_frozen(current.strategy_version)
    before = audit.snapshot(current)
    current.resolution, current.resolution_note = resolution, note
    current.resolved_by, current.resolved_at = who(actor), timezone.now()
    audit.save_versioned_update(actor, current, before, current.strategy_version.strategy.organisation)
    return current
