"""Writes to the gap register. Every write is audited in the same transaction."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import Organisation, User
from cyberplan.core.uploads import safe_filename, validate_evidence_file

from .choices import SOURCE_PREFIX, EvidenceKind, GapSource, GapStatus
from .models import Gap, GapEvidence, GapSequence

EDITABLE_FIELDS = frozenset(
    {"title_en", "title_es", "description_en", "description_es", "severity", "tlp", "source", "source_key"}
)


class ConcurrentEditError(Exception):
    """The record changed since the editor loaded it; their save would overwrite someone else's."""

    def __init__(self, current: Gap) -> None:
        super().__init__("stale version")
        self.current = current


def _next_identifier(organisation: Organisation, source: str) -> str:
    """The next identifier for the source's prefix in the organisation. Call inside a transaction.

    Numbers come from a per-organisation counter, so an identifier is never handed out twice,
    even after the gap that held it was deleted.
    """
    prefix = SOURCE_PREFIX[GapSource(source)]
    GapSequence.objects.get_or_create(organisation=organisation, prefix=prefix)
    sequence = GapSequence.objects.select_for_update().get(organisation=organisation, prefix=prefix)
    if sequence.last_number == 0:
        # First use of the counter: continue after any identifier already present.
        pattern = re.compile(rf"^{prefix}-(\d+)$")
        existing = Gap.objects.filter(organisation=organisation, identifier__startswith=f"{prefix}-")
        sequence.last_number = max(
            (int(m.group(1)) for ident in existing.values_list("identifier", flat=True) if (m := pattern.match(ident))),
            default=0,
        )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{sequence.last_number:04d}"


class DuplicateSourceGapError(IntegrityError):
    """A gap with the same source and source key exists already (another writer made it first)."""


def _source_gap(organisation: Organisation, source: str, source_key: str) -> Gap | None:
    """The gap a source recorded under ``source_key`` in the organisation, if any."""
    return Gap.objects.filter(organisation=organisation, source=source, source_key=source_key).first()


def do_create_gap(actor: User | None, organisation: Organisation, **values: Any) -> Gap:
    unknown = set(values) - EDITABLE_FIELDS - {"status"}
    if unknown:
        raise ValueError(f"not gap fields: {sorted(unknown)}")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                gap = Gap(organisation=organisation, created_by=actor if actor and actor.pk else None, **values)
                gap.identifier = _next_identifier(organisation, gap.source)
                gap.full_clean(exclude=["identifier"])
                gap.save()
                audit.record_create(actor, gap, organisation=organisation)
                return gap
        except (IntegrityError, ValidationError) as exc:
            key = values.get("source_key")
            if key and _source_gap(organisation, values.get("source", GapSource.OTHER), key) is not None:
                # The same finding was recorded meanwhile (seen by the model's checks, or by the database when
                # both writers checked first): not an identifier clash, and retrying cannot help.
                raise DuplicateSourceGapError(f"a gap with source key {key!r} exists already") from None
            if isinstance(exc, ValidationError):
                raise
            # Another writer took the same identifier: take the next one.
            continue
    raise IntegrityError("could not allocate a gap identifier")


@transaction.atomic
def do_update_gap(actor: User | None, gap: Gap, expected_version: int | None, **values: Any) -> Gap:
    """Change the editable fields of a gap; ``expected_version`` guards against overwriting a concurrent edit."""
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable gap fields: {sorted(unknown)}")
    current = Gap.objects.select_for_update().get(pk=gap.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    before = audit.snapshot(current)
    for name, value in values.items():
        setattr(current, name, value)
    audit.save_versioned_update(actor, current, before, current.organisation)
    return current


@transaction.atomic
def do_set_gap_status(actor: User | None, gap: Gap, status: str, expected_version: int | None = None) -> Gap:
    if status not in GapStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    current = Gap.objects.select_for_update().get(pk=gap.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    if current.status == status:
        return current
    before = audit.snapshot(current)
    current.status = status
    current.closed_at = timezone.now() if status == GapStatus.CLOSED else None
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
def do_add_gap_evidence(
    actor: User | None,
    gap: Gap,
    *,
    kind: str,
    label: str,
    url: str = "",
    citation: str = "",
    document: UploadedFile[bytes] | None = None,
    note: str = "",
) -> GapEvidence:
    errors: dict[str, str] = {}
    if kind == EvidenceKind.URL and not url:
        errors["url"] = _("Give the web address of the evidence.")
    elif url and not (url.startswith(("https://", "http://")) or (url.startswith("/") and not url.startswith("//"))):
        errors["url"] = _("Give an address starting with https://, http:// or /.")
    if kind == EvidenceKind.PLATFORM and not url.startswith("/"):
        errors["url"] = _("Give the path of the platform page, starting with /.")
    if kind == EvidenceKind.CITATION and not citation:
        errors["citation"] = _("Give the citation, for example a decree and its article.")
    if kind == EvidenceKind.DOCUMENT and document is None:
        errors["document"] = _("Choose the document to upload.")
    if errors:
        raise ValidationError(errors)
    evidence = GapEvidence(
        gap=gap,
        kind=kind,
        label=label,
        url=url,
        citation=citation,
        note=note,
        added_by=actor if actor and actor.pk else None,
    )
    if document is not None:
        validate_evidence_file(document)
        evidence.document.save(safe_filename(document.name or "evidence"), document, save=False)
    evidence.full_clean()
    evidence.save()
    audit.record_create(actor, evidence, organisation=gap.organisation)
    return evidence


@transaction.atomic
def do_delete_gap(actor: User | None, gap: Gap) -> None:
    organisation = gap.organisation
    for evidence in gap.evidence.all():
        audit.record_delete(actor, evidence, audit.snapshot(evidence), organisation=organisation)
        if evidence.document:
            evidence.document.delete(save=False)
    audit.record_delete(actor, gap, audit.snapshot(gap), organisation=organisation)
    gap.delete()


def do_upsert_gap_from_source(
    actor: User | None, organisation: Organisation, *, source: str, source_key: str, **values: Any
) -> tuple[Gap, bool]:
    """Create the gap a source finds, or update the one it found before (same source and key).

    Used by the capabilities that produce gaps, so that running them again never duplicates a gap.
    """
    if not source_key:
        raise ValueError("a source gap needs a source_key")
    existing = _source_gap(organisation, source, source_key)
    if existing is None:
        try:
            return do_create_gap(actor, organisation, source=source, source_key=source_key, **values), True
        except DuplicateSourceGapError:
            # Two writers found the same thing at once: the other one created it; update that gap.
            existing = _source_gap(organisation, source, source_key)
            if existing is None:
                raise
    status = values.pop("status", None)
    gap = do_update_gap(actor, existing, None, **values)
    if status is not None:
        gap = do_set_gap_status(actor, gap, status)
    return gap, False
