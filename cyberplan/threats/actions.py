"""Writes of the threat evidence capability; every write is audited."""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.choices import TLP, AuditAction
from cyberplan.core.models import Organisation, Sector, User
from cyberplan.core.release import is_crossable_ceiling
from cyberplan.core.uploads import safe_filename
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.pipeline.importers.base import ImportOptions, Source, SourceError, UnknownFormatError, without_paths
from cyberplan.pipeline.ingest import IngestLimits, copy_upload, ingest
from cyberplan.pipeline.schema import FIELD_TYPES

from .access import imports_visible_to
from .batch import announce_stored
from .choices import THREAT_IMPORT, Conversion, HolderType, ImportFormat, ImportStatus
from .models import ColumnMapping, ConstituencyEntry, Import, StoreGrant
from .signals import store_granted
from .store import constituency_table, event_store


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@transaction.atomic
def do_register_import(
    actor: User | None,
    organisation: Organisation,
    path: Path,
    *,
    file_name: str = "",
    format: str = ImportFormat.AUTO,
    report_type: str = "",
    mapping: ColumnMapping | None = None,
    tlp: str = TLP.AMBER,
) -> Import:
    if format == ImportFormat.CSV and mapping is None:
        raise ValidationError({"mapping": _("A CSV import needs a saved column mapping.")})
    record = Import.objects.create(
        organisation=organisation,
        created_by=actor if actor and actor.pk else None,
        file_name=(file_name or path.name)[:255],
        file_size=path.stat().st_size,
        file_sha256=file_digest(path),
        format=format,
        report_type=report_type,
        mapping=mapping,
        tlp=tlp,
    )
    audit.record_create(actor, record, organisation=organisation)
    return record


def upload_dir(import_id: object) -> Path:
    """Where the original file of an import is kept (evidence, and what the worker reads)."""
    path = Path(settings.MEDIA_ROOT) / "imports" / str(import_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def do_receive_import(
    actor: User,
    organisation: Organisation,
    upload: BinaryIO,
    upload_name: str,
    **options: Any,
) -> Import:
    """Keep an uploaded feed file, register its import and hand it to the worker.

    The upload is copied under the size limit first; on any refusal (``SourceError`` for the size,
    ``ValidationError`` for the options) nothing is kept.
    """
    name = safe_filename(upload_name or "upload")
    incoming = Path(settings.MEDIA_ROOT) / "imports" / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    temporary = incoming / f"{actor.pk}-{uuid.uuid4().hex}-{name}"
    try:
        copy_upload(upload, temporary, settings.CYBERPLAN_MAX_IMPORT_UPLOAD_BYTES)
        record = do_register_import(actor, organisation, temporary, file_name=name, **options)
    except (SourceError, ValidationError):
        temporary.unlink(missing_ok=True)
        raise
    final = upload_dir(record.pk) / name
    temporary.replace(final)
    record.job = do_start_job(actor, organisation, THREAT_IMPORT, {"import_id": str(record.pk), "path": str(final)})
    record.save(update_fields=["job"])
    return record


def previous_import(record: Import) -> Import | None:
    """An earlier successful import of the same file, read the same way."""
    return (
        Import.objects.filter(
            organisation=record.organisation,
            file_sha256=record.file_sha256,
            format=record.format,
            report_type=record.report_type,
            mapping=record.mapping,
            status=ImportStatus.SUCCEEDED,
        )
        .exclude(pk=record.pk)
        .order_by("created_at")
        .first()
    )


def content_key(record: Import) -> str:
    """What an import reads, as one value: the file's digest and how it is read (format, report type,
    column mapping). Two imports with the same key in one organisation would store the same events."""
    parts = (record.file_sha256, record.format, record.report_type, str(record.mapping_id or ""))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _claim(record: Import) -> Import | None:
    """Mark the import running and make it the holder of its content; None when that worked, else the
    import that holds the same content (running, or succeeded). Atomic: a unique constraint on the
    organisation and the content key of running and successful imports lets only one writer in."""
    key = content_key(record)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                Import.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING, content_key=key)
        except IntegrityError:
            holder = (
                Import.objects.filter(
                    organisation=record.organisation,
                    content_key=key,
                    status__in=[ImportStatus.RUNNING, ImportStatus.SUCCEEDED],
                )
                .exclude(pk=record.pk)
                .first()
            )
            if holder is not None:
                return holder
            continue  # the holder failed in the meantime: the way is open again
        record.content_key = key
        return None
    raise IntegrityError(f"import {record.pk}: could not claim its content")


def _skip(record: Import, earlier: Import, before: dict[str, Any]) -> Import:
    record.status = ImportStatus.SKIPPED
    # The earlier import is named (id and date) only to an uploader who may read it, as on its page;
    # an operator's command-line import (no uploader) names it always.
    named = record.created_by is None or imports_visible_to(record.created_by).filter(pk=earlier.pk).exists()
    if not named:
        if earlier.status == ImportStatus.RUNNING:
            record.message = _(
                "This file is already being imported; nothing was done. If that import fails, import the file again."
            )
        else:
            record.message = _("This file was already imported; nothing was done.")
    elif earlier.status == ImportStatus.RUNNING:
        message = _(
            "This file is already being imported (import %(id)s, started on %(date)s); nothing was done. "
            "If that import fails, import the file again."
        )
    else:
        message = _("This file was already imported on %(date)s (import %(id)s); nothing was done.")
    if named:
        record.message = message % {
            "date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
            "id": earlier.pk,
        }
    record.content_key = ""
    record.finished_at = timezone.now()
    record.save()
    _audit_update(record, before)
    return record


def more_imports_waiting(record: Import) -> bool:
    """Whether other imports into the same store wait in the worker's queue or run beside ``record``'s job."""
    others = Job.objects.filter(
        organisation_id=record.organisation_id,
        kind=THREAT_IMPORT,
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        stop_requested=False,
    )
    if record.job_id is not None:
        others = others.exclude(pk=record.job_id)
    return others.exists()


def do_run_import(
    record: Import, path: Path, *, force: bool = False, progress: Any = None, queued: bool = False
) -> Import:
    """Run the pipeline for a registered import and record its outcome.

    A stored import is announced (:data:`.signals.import_stored`) at once, or at the end of the
    batch it runs in (:func:`.batch.import_batch`). ``queued``: the import runs as a job of the
    worker; the announcement then says whether more imports of the same store wait behind it.

    A file already imported the same way is skipped unless ``force``; running it again would store
    nothing new anyway (events are deduplicated), but the quarantine would list its rejects twice.
    The check holds for imports started at the same moment: the first to claim the file's content
    (see :func:`_claim`) runs, the others are skipped.
    """
    before = audit.snapshot(record)
    earlier = None if force else previous_import(record)
    if earlier is not None:
        return _skip(record, earlier, before)
    if force:
        Import.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING, content_key="")
        record.content_key = ""
    else:
        holder = _claim(record)
        if holder is not None:
            return _skip(record, holder, before)
    options = ImportOptions(
        report_type=record.report_type or None,
        mapping=record.mapping.as_pipeline_mapping() if record.mapping else None,
        tlp=record.tlp,
        max_objects=settings.CYBERPLAN_MAX_IMPORT_OBJECTS,
        extra={"mapping_name": record.mapping.name if record.mapping else ""},
    )
    limits = IngestLimits(max_bytes=settings.CYBERPLAN_MAX_IMPORT_BYTES, memory_limit=settings.CYBERPLAN_DUCKDB_MEMORY)
    try:
        summary = ingest(
            Source(path=path, name=record.file_name),
            event_store(record.organisation),
            str(record.pk),
            format=record.format,
            options=options,
            constituency=constituency_table(record.organisation),
            limits=limits,
            progress=progress,
            mmdb=settings.CYBERPLAN_MMDB_PATH,
        )
    except (SourceError, UnknownFormatError) as exc:
        record.status = ImportStatus.FAILED
        record.message = without_paths(str(exc))
        record.content_key = ""  # a failed import holds nothing: the file may be imported again
    except Exception:
        # An unexpected error: the import stays as it was recorded, but no longer holds its content.
        Import.objects.filter(pk=record.pk).update(content_key="")
        raise
    else:
        record.status = ImportStatus.SUCCEEDED
        record.read, record.stored = summary.read, summary.stored
        record.duplicates, record.quarantined = summary.duplicates, summary.quarantined
        record.message = ""
    record.finished_at = timezone.now()
    record.save()
    _audit_update(record, before)
    if record.status == ImportStatus.SUCCEEDED:
        announce_stored(record, more_follow=queued and more_imports_waiting(record), queued=queued)
    return record


def _audit_update(record: Import, before: dict[str, Any]) -> None:
    audit.record(
        actor=record.created_by,
        action=AuditAction.UPDATE,
        instance=record,
        changes=audit.diff(before, audit.snapshot(record)),
        organisation=record.organisation,
    )


def do_stop_import(record: Import, reason: str) -> Import:
    """Mark an import that was interrupted (cancelled, over its time limit, its process gone) as refused.

    Nothing it wrote is visible: the event store shows an import only once it commits, and the next
    write to the store removes what an uncommitted import left. Only a running or waiting import
    changes; one that ended already is left as it is.
    """
    with transaction.atomic():
        # Only the import row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of a join (created_by).
        record = (
            Import.objects.select_for_update(of=("self",))
            .select_related("organisation", "created_by")
            .get(pk=record.pk)
        )
        if record.status not in {ImportStatus.RUNNING, ImportStatus.PENDING}:
            return record
        before = audit.snapshot(record)
        record.status = ImportStatus.FAILED
        record.message = reason
        record.finished_at = timezone.now()
        record.save(update_fields=["status", "message", "finished_at"])
        _audit_update(record, before)
    return record


# -- column mappings ------------------------------------------------------------------------------


def validate_mapping(columns: dict[str, Any], constants: dict[str, Any]) -> None:
    errors: list[str] = []
    targets: list[str] = []
    for column, rule in columns.items():
        if not isinstance(rule, dict) or rule.get("field") not in FIELD_TYPES:
            errors.append(_("Column %(column)s maps to an unknown field.") % {"column": column})
            continue
        if rule.get("convert", "text") not in Conversion.values:
            errors.append(_("Column %(column)s has an unknown conversion.") % {"column": column})
        targets.append(rule["field"])
    for field_name in constants:
        if field_name not in FIELD_TYPES:
            errors.append(_("The constant %(field)s is not an event field.") % {"field": field_name})
    if "time.source" not in targets:
        errors.append(_("One column must give the time of the event (time.source)."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_save_mapping(
    actor: User | None,
    organisation: Organisation,
    *,
    name: str,
    columns: dict[str, Any],
    constants: dict[str, Any] | None = None,
    description: str = "",
    delimiter: str = ",",
) -> ColumnMapping:
    constants = constants or {}
    validate_mapping(columns, constants)
    mapping = ColumnMapping.objects.filter(organisation=organisation, name=name).first()
    if mapping is None:
        mapping = ColumnMapping(organisation=organisation, name=name, created_by=actor if actor and actor.pk else None)
        before = None
    else:
        before = audit.snapshot(mapping)
    mapping.description, mapping.delimiter = description, delimiter
    mapping.columns, mapping.constants = columns, constants
    mapping.full_clean()
    mapping.save()
    if before is None:
        audit.record_create(actor, mapping, organisation=organisation)
    else:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=mapping,
            changes=audit.diff(before, audit.snapshot(mapping)),
            organisation=organisation,
        )
    return mapping


# -- constituency ---------------------------------------------------------------------------------

CONSTITUENCY_COLUMNS = ("network", "asn", "as_name", "holder", "holder_type", "sector", "country", "note")


@dataclass(frozen=True)
class ConstituencyImportResult:
    created: int
    updated: int
    errors: list[tuple[int, str, str]]  # (line, column, reason)


@transaction.atomic
def do_save_constituency_entry(actor: User | None, organisation: Organisation, **values: Any) -> ConstituencyEntry:
    entry = ConstituencyEntry(organisation=organisation, **values)
    entry.full_clean(validate_unique=False)
    existing = ConstituencyEntry.objects.filter(organisation=organisation, network=entry.network).first()
    if existing is None:
        entry.save()
        audit.record_create(actor, entry, organisation=organisation)
        return entry
    before = audit.snapshot(existing)
    for name, value in values.items():
        setattr(existing, name, value)
    existing.network = entry.network
    existing.save()
    changes = audit.diff(before, audit.snapshot(existing))
    if changes:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, instance=existing, changes=changes, organisation=organisation
        )
    return existing


@transaction.atomic
def do_delete_constituency_entry(actor: User | None, entry: ConstituencyEntry) -> None:
    audit.record_delete(actor, entry, audit.snapshot(entry), organisation=entry.organisation)
    entry.delete()


def do_import_constituency_csv(
    actor: User | None, organisation: Organisation, data: bytes, file_name: str
) -> ConstituencyImportResult:
    """Load a constituency CSV (network, asn, as_name, holder, holder_type, sector, country, note).

    All or nothing: when any line is wrong, nothing is saved and every problem is listed with its
    line and column, so the file can be corrected and loaded again with the same result.
    """
    errors: list[tuple[int, str, str]] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ConstituencyImportResult(
            0, 0, [(0, "", _("%(file)s is not UTF-8 text (byte %(pos)s).") % {"file": file_name, "pos": exc.start})]
        )
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("network", "holder") if c not in header]
    if missing:
        return ConstituencyImportResult(0, 0, [(1, c, _("The header lacks this column.")) for c in missing])
    reader.fieldnames = header
    sectors = {s.code: s for s in Sector.objects.all()}
    rows: list[dict[str, Any]] = []
    for line, row in enumerate(reader, start=2):
        values: dict[str, Any] = {}
        network = (row.get("network") or "").strip()
        try:
            values["network"] = str(ipaddress.ip_network(network, strict=False))
        except ValueError:
            errors.append((line, "network", _("%(value)s is not a network in CIDR form.") % {"value": network}))
        asn = (row.get("asn") or "").strip().upper().removeprefix("AS")
        if asn and not asn.isdigit():
            errors.append((line, "asn", _("%(value)s is not an AS number.") % {"value": row.get("asn")}))
        values["asn"] = int(asn) if asn.isdigit() else None
        holder = (row.get("holder") or "").strip()
        if not holder:
            errors.append((line, "holder", _("The holder organisation is missing.")))
        values["holder"] = holder[:200]
        holder_type = (row.get("holder_type") or "").strip().lower()
        if holder_type and holder_type not in HolderType.values:
            errors.append(
                (
                    line,
                    "holder_type",
                    _("%(value)s is not a holder type: use %(types)s.")
                    % {"value": holder_type, "types": ", ".join(HolderType.values)},
                )
            )
        values["holder_type"] = holder_type if holder_type in HolderType.values else ""
        sector_code = (row.get("sector") or "").strip().lower()
        if sector_code and sector_code not in sectors:
            errors.append((line, "sector", _("%(value)s is not a known sector code.") % {"value": sector_code}))
        values["sector"] = sectors.get(sector_code)
        country = (row.get("country") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            errors.append((line, "country", _("%(value)s is not a two-letter country code.") % {"value": country}))
        values["country"] = country
        values["as_name"] = (row.get("as_name") or "").strip()[:200]
        values["note"] = (row.get("note") or "").strip()[:250]
        rows.append(values)
    if errors:
        return ConstituencyImportResult(0, 0, errors)
    created = updated = 0
    with transaction.atomic():
        for values in rows:
            existed = ConstituencyEntry.objects.filter(organisation=organisation, network=values["network"]).exists()
            do_save_constituency_entry(actor, organisation, **values)
            created += not existed
            updated += existed
    return ConstituencyImportResult(created, updated, [])


# -- store grants -------------------------------------------------------------------------------------


@transaction.atomic
def do_grant_store_access(
    actor: User | None, owner: Organisation, recipient: Organisation, *, ceiling: str, reason: str
) -> StoreGrant:
    """Let ``recipient`` read ``owner``'s event store up to ``ceiling``; audited in both organisations.

    The caller has checked that ``actor`` administers or coordinates ``owner``. A live grant to the same
    recipient is refused: revoke it first, so each change of ceiling leaves its own trace.
    """
    errors: dict[str, str] = {}
    if owner.pk == recipient.pk:
        errors["recipient"] = _("An organisation reads its own store already; choose another organisation.")
    if not is_crossable_ceiling(ceiling):
        errors["ceiling"] = _(
            "Choose TLP:CLEAR, TLP:GREEN or TLP:AMBER: TLP:AMBER+STRICT and TLP:RED never leave the organisation."
        )
    if not reason.strip():
        errors["reason"] = _("Say why this organisation may read the store.")
    if not errors and StoreGrant.objects.filter(owner=owner, recipient=recipient, revoked_at__isnull=True).exists():
        errors["recipient"] = _("%(recipient)s already reads this store; revoke that grant first to change it.") % {
            "recipient": recipient
        }
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            grant = StoreGrant.objects.create(
                owner=owner,
                recipient=recipient,
                ceiling=ceiling,
                reason=reason.strip(),
                granted_by=actor if actor is not None and actor.pk else None,
            )
    except IntegrityError:
        raise ValidationError(
            {"recipient": _("%(recipient)s already reads this store.") % {"recipient": recipient}}
        ) from None
    audit.record_create(actor, grant, organisation=owner)
    audit.record_create(actor, grant, organisation=recipient)
    # Once committed: the recipient's readers get new pages (the store, and every store together) to warm.
    transaction.on_commit(lambda: store_granted.send(sender=StoreGrant, grant=grant))
    return grant


@transaction.atomic
def do_revoke_store_access(actor: User | None, grant: StoreGrant) -> StoreGrant:
    """End a grant at once: from now the recipient reads nothing of the store. Audited in both organisations."""
    grant = StoreGrant.objects.select_for_update().select_related("owner", "recipient").get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ValidationError(_("This grant was already revoked."))
    before = audit.snapshot(grant)
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if actor is not None and actor.pk else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    changes = audit.diff(before, audit.snapshot(grant))
    for organisation in (grant.owner, grant.recipient):
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=grant, changes=changes, organisation=organisation)
    return grant
