"""Writes of the regional programme, member side. Every write is audited in the same transaction.

A draft is built from the instance's figures (:mod:`.figures`, :mod:`.records`), controlled
(:mod:`.disclosure`), checked (:mod:`.package`) and stored as the exact file that is previewed. Approval
freezes it; approving a newer version of the same period supersedes the earlier one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period, PeriodError, parse_period
from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.sharing.stix_out import Owner, parse_timestamp

from . import records
from .choices import PackageState
from .figures import Request, threat_parts
from .models import StatisticsPackage
from .package import (
    PACKAGE_LABELS,
    Header,
    PackageError,
    bundle_of,
    bundle_text,
    check_bundle,
    figures_digest,
    text_hash,
)

AUDITED = ("period", "version", "state", "tlp", "threshold", "share_assessment", "content_hash", "figures_digest")


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def package_period(text: str) -> Period:
    """A year or a quarter (a package covers nothing else), or a ValidationError naming the field."""
    try:
        period = parse_period(text)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None
    if period.kind not in ("year", "quarter"):
        raise ValidationError({"period": _("A package covers a year (2026) or a quarter (2026-Q2).")})
    return period


def gather(request: Request) -> dict[str, Any]:
    """Every part the instance has figures for, controlled."""
    parts = threat_parts(request)
    for name, build in (
        ("assessment", records.assessment_part),
        ("strategy", records.strategy_part),
        ("legal", records.legal_part),
        ("training", records.training_part),
    ):
        part = build(request)
        if part is not None:
            parts[name] = part
    return parts


def _member(organisation: Organisation) -> Owner:
    return Owner(key=organisation.slug, name=organisation.name, since=organisation.created_at)


def check_request(period_text: str, tlp: str, threshold: int) -> Period:
    """The period of a request, or a ValidationError naming the field (the period, the label, the threshold)."""
    if tlp not in PACKAGE_LABELS:
        raise ValidationError(
            {
                "tlp": _(
                    "A package goes to another organisation: it may be marked TLP:CLEAR, TLP:GREEN or TLP:AMBER, never TLP:AMBER+STRICT or TLP:RED."
                )
            }
        )
    if not 1 <= threshold <= 1000:
        raise ValidationError({"threshold": _("The threshold must be between 1 and 1000.")})
    return package_period(period_text)


def do_build_draft(
    actor: User | None,
    organisation: Organisation,
    period_text: str,
    *,
    tlp: str = "green",
    threshold: int = 10,
    share_assessment: bool = False,
) -> StatisticsPackage:
    """Build the next version of the period's package as a draft (earlier drafts of the period are replaced)."""
    period = check_request(period_text, tlp, threshold)
    request = Request(organisation, period, period_text.strip(), tlp, threshold, share_assessment)
    parts = gather(request)  # outside the transaction: it reads the event store, which may take a while
    return _store_draft(actor, request, parts)


@transaction.atomic
def _store_draft(actor: User | None, request: Request, parts: dict[str, Any]) -> StatisticsPackage:
    organisation = request.organisation
    approved = (
        StatisticsPackage.objects.select_for_update()
        .filter(organisation=organisation, period=request.period_text, state=PackageState.APPROVED)
        .first()
    )
    now = timezone.now().replace(microsecond=timezone.now().microsecond // 1000 * 1000)
    created, version = now, 1
    if approved is not None:
        created = parse_timestamp(approved.package()["created"])
        version = approved.version + 1
        now = max(now, parse_timestamp(approved.stix_modified) + dt.timedelta(milliseconds=1))
    header = Header(
        _member(organisation),
        request.country,
        request.period_text,
        request.period.start,
        request.as_of,
        request.tlp,
        request.threshold,
        version,
        created,
        now,
    )
    digest = figures_digest(header, parts)
    if approved is not None and approved.figures_digest == digest:
        raise ValidationError(
            _("The figures have not changed since approved version %(version)d; download that one.")
            % {"version": approved.version}
        )
    bundle = bundle_of(header, parts)
    try:
        check_bundle(bundle)
    except PackageError as exc:
        raise ValidationError(_("The package fails its own checks: %(problems)s") % {"problems": exc}) from None
    for old in StatisticsPackage.objects.filter(
        organisation=organisation, period=request.period_text, state=PackageState.DRAFT
    ):
        audit.record_delete(_actor(actor), old, audit.snapshot(old, AUDITED), organisation)
        old.delete()
    text = bundle_text(bundle)
    package = StatisticsPackage.objects.create(
        organisation=organisation,
        period=request.period_text,
        version=version,
        tlp=request.tlp,
        threshold=request.threshold,
        share_assessment=request.share_assessment,
        content=text,
        content_hash=text_hash(text),
        figures_digest=digest,
        stix_modified=bundle["objects"][-1]["modified"],
        created_by=_actor(actor),
    )
    after = audit.snapshot(package, AUDITED)
    audit.record(
        actor=_actor(actor),
        action=AuditAction.CREATE,
        instance=package,
        changes={k: [None, v] for k, v in after.items()},
        organisation=organisation,
    )
    return package


@transaction.atomic
def do_approve(actor: User | None, package: StatisticsPackage) -> StatisticsPackage:
    """Approve a draft: it becomes the period's package, frozen; the one approved before is superseded.

    The audit entry carries the package's hash, so what was approved can be proven afterwards.
    """
    current = StatisticsPackage.objects.select_for_update().get(pk=package.pk)
    if current.state != PackageState.DRAFT:
        raise ValidationError(
            _("Only a draft can be approved; this package is %(state)s.") % {"state": current.get_state_display()}
        )
    if text_hash(current.content) != current.content_hash:
        raise ValidationError(_("The stored package does not match its hash; build it again."))
    earlier = StatisticsPackage.objects.select_for_update().filter(
        organisation_id=current.organisation_id, period=current.period, state=PackageState.APPROVED
    )
    for old in earlier:
        if old.version >= current.version:
            raise ValidationError(
                _("Version %(version)d was approved meanwhile; build the package again.") % {"version": old.version}
            )
        old.state = PackageState.SUPERSEDED
        old.save()
        audit.record(
            actor=_actor(actor),
            action=AuditAction.UPDATE,
            instance=old,
            changes={"state": [PackageState.APPROVED, PackageState.SUPERSEDED]},
            organisation=old.organisation,
        )
    current.state = PackageState.APPROVED
    current.approved_by = _actor(actor)
    current.approved_at = timezone.now()
    current.save()
    audit.record(
        actor=_actor(actor),
        action=AuditAction.UPDATE,
        instance=current,
        changes={"state": [PackageState.DRAFT, PackageState.APPROVED], "content_hash": [None, current.content_hash]},
        organisation=current.organisation,
    )
    return current
