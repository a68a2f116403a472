"""Writes of the capacity-building app. Every write is audited in the same transaction.

Actions never check permissions: the caller has done that through ``access.py``. One exception in kind,
not in rule: whether names may be written is the caller's answer too (``access.is_training_coordinator``),
passed in as ``with_names``.

The audit trail never holds a participant's name or contact details: those fields are recorded as
``"(set)"`` or ``""``, so that erasing names erases them everywhere (docs/concepts/training-privacy.md).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cyberplan.core import audit
from cyberplan.core.models import Organisation, User

from . import importing
from .models import (
    PERSONAL_FIELDS,
    Attendance,
    Course,
    Denominator,
    ImportStatus,
    NamedExport,
    Participant,
    ParticipantImport,
    Programme,
    Provider,
    RetentionPolicy,
    Session,
    retention_days,
    tidy,
)

PROVIDER_FIELDS = frozenset({"name", "kind", "website"})
PROGRAMME_FIELDS = frozenset({"provider", "title", "description", "start_date", "end_date", "tlp"})
COURSE_FIELDS = frozenset({"title", "topics", "level", "hours", "language", "delivery", "description"})
SESSION_FIELDS = frozenset({"start_date", "end_date", "place", "trainers"})
PARTICIPANT_FIELDS = frozenset({"key", "institution", "institution_organisation", "audience", "position"})
DENOMINATOR_FIELDS = frozenset({"size", "source_note", "institution_organisation"})
ATTENDANCE_FIELDS = frozenset({"attended", "completed", "score"})


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _check_fields(values: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not {what} fields: {sorted(unknown)}")


def _snapshot(instance: Any) -> dict[str, Any]:
    """The audit snapshot, with a participant's personal fields reduced to whether they are set."""
    values = audit.snapshot(instance)
    if isinstance(instance, Participant):
        for name in PERSONAL_FIELDS:
            values[name] = "(set)" if values.get(name) else ""
    return values


def _create(actor: User | None, instance: Any, organisation: Organisation) -> None:
    instance.full_clean()
    instance.save()
    after = _snapshot(instance)
    audit.record(
        actor=_actor(actor),
        action="create",
        instance=instance,
        changes={k: [None, v] for k, v in after.items()},
        organisation=organisation,
    )


def _update(actor: User | None, instance: Any, values: dict[str, Any], organisation: Organisation) -> bool:
    """Set ``values``; validate, save and audit only if anything changed. True if it did."""
    before = _snapshot(instance)
    raw_before = {name: getattr(instance, name) for name in values}
    for name, value in values.items():
        setattr(instance, name, value)
    if all(getattr(instance, name) == raw_before[name] for name in values):
        return False
    instance.full_clean()
    changes = audit.diff(before, _snapshot(instance))
    if hasattr(instance, "version"):
        instance.version += 1
        changes["version"] = [before["version"], instance.version]
    instance.save()
    audit.record(actor=_actor(actor), action="update", instance=instance, changes=changes, organisation=organisation)
    return True


def _delete(actor: User | None, instance: Any, organisation: Organisation) -> None:
    audit.record_delete(_actor(actor), instance, _snapshot(instance), organisation=organisation)
    instance.delete()


# --------------------------------------------------------------------------- providers and programmes


@transaction.atomic
def do_create_provider(actor: User | None, organisation: Organisation, **values: Any) -> Provider:
    _check_fields(values, PROVIDER_FIELDS, "provider")
    provider = Provider(organisation=organisation, created_by=_actor(actor), **values)
    _create(actor, provider, organisation)
    return provider


@transaction.atomic
def do_update_provider(actor: User | None, provider: Provider, **values: Any) -> Provider:
    _check_fields(values, PROVIDER_FIELDS, "provider")
    current = Provider.objects.select_for_update().get(pk=provider.pk)
    _update(actor, current, values, current.organisation)
    return current


@transaction.atomic
def do_delete_provider(actor: User | None, provider: Provider) -> None:
    if provider.programmes.exists():
        raise ValidationError(_("The provider has programmes; delete or move them first."))
    _delete(actor, provider, provider.organisation)


class ConcurrentEditError(Exception):
    """The record changed since the form was shown: ``current`` holds what is stored now."""

    def __init__(self, current: Programme) -> None:
        super().__init__("the programme was changed by someone else")
        self.current = current


@transaction.atomic
def do_create_programme(
    actor: User | None, organisation: Organisation, *, illustrative: bool = False, **values: Any
) -> Programme:
    _check_fields(values, PROGRAMME_FIELDS, "programme")
    programme = Programme(organisation=organisation, created_by=_actor(actor), illustrative=illustrative, **values)
    _create(actor, programme, organisation)
    return programme


@transaction.atomic
def do_update_programme(
    actor: User | None, programme: Programme, expected_version: int | None = None, **values: Any
) -> Programme:
    _check_fields(values, PROGRAMME_FIELDS, "programme")
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEditError(current)
    _update(actor, current, values, current.organisation)
    return current


@transaction.atomic
def do_delete_programme(actor: User | None, programme: Programme) -> None:
    """Delete a programme with its courses, sessions and attendance, each deletion audited."""
    organisation = programme.organisation
    for course in programme.courses.all():
        _delete_course(actor, course, organisation)
    for run in programme.imports.all():
        _delete(actor, run, organisation)
    _delete(actor, programme, organisation)


# --------------------------------------------------------------------------- courses and sessions


@transaction.atomic
def do_create_course(actor: User | None, programme: Programme, **values: Any) -> Course:
    _check_fields(values, COURSE_FIELDS, "course")
    course = Course(programme=programme, **values)
    _create(actor, course, programme.organisation)
    return course


@transaction.atomic
def do_update_course(actor: User | None, course: Course, **values: Any) -> Course:
    _check_fields(values, COURSE_FIELDS, "course")
    current = Course.objects.select_for_update().select_related("programme__organisation").get(pk=course.pk)
    _update(actor, current, values, current.programme.organisation)
    return current


def _delete_course(actor: User | None, course: Course, organisation: Organisation) -> None:
    for session in course.sessions.all():
        _delete_session(actor, session, organisation)
    _delete(actor, course, organisation)


@transaction.atomic
def do_delete_course(actor: User | None, course: Course) -> None:
    _delete_course(actor, course, course.programme.organisation)


@transaction.atomic
def do_create_session(actor: User | None, course: Course, **values: Any) -> Session:
    _check_fields(values, SESSION_FIELDS, "session")
    session = Session(course=course, **values)
    _create(actor, session, course.programme.organisation)
    return session


@transaction.atomic
def do_update_session(actor: User | None, session: Session, **values: Any) -> Session:
    _check_fields(values, SESSION_FIELDS, "session")
    current = Session.objects.select_for_update().select_related("course__programme__organisation").get(pk=session.pk)
    _update(actor, current, values, current.course.programme.organisation)
    return current


def _delete_session(actor: User | None, session: Session, organisation: Organisation) -> None:
    for attendance in session.attendance.all():
        _delete(actor, attendance, organisation)
    _delete(actor, session, organisation)


@transaction.atomic
def do_delete_session(actor: User | None, session: Session) -> None:
    _delete_session(actor, session, session.course.programme.organisation)


# --------------------------------------------------------------------------- participants and attendance


def _personal_values(values: dict[str, Any], with_names: bool) -> dict[str, Any]:
    personal = {k: values.pop(k) for k in list(values) if k in PERSONAL_FIELDS}
    if personal and not with_names:
        raise PermissionError("only the training coordinator records names and contact details")
    return personal


@transaction.atomic
def do_create_participant(
    actor: User | None, organisation: Organisation, *, with_names: bool = False, **values: Any
) -> Participant:
    """A pseudonymous participant; ``name``, ``email`` and ``phone`` only when ``with_names``."""
    personal = _personal_values(values, with_names)
    _check_fields(values, PARTICIPANT_FIELDS, "participant")
    values["key"] = tidy(str(values.get("key", "")))
    values["institution"] = _institution_text(values.get("institution", ""), values.get("institution_organisation"))
    participant = Participant(organisation=organisation, **values, **personal)
    if Participant.objects.filter(organisation=organisation, key=participant.key).exists():
        raise ValidationError({"key": _("Your organisation already has a participant with this key.")})
    _create(actor, participant, organisation)
    return participant


@transaction.atomic
def do_update_participant(
    actor: User | None, participant: Participant, *, with_names: bool = False, **values: Any
) -> Participant:
    personal = _personal_values(values, with_names)
    _check_fields(values, PARTICIPANT_FIELDS, "participant")
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if "key" in values:
        values["key"] = tidy(str(values["key"]))
        if (
            Participant.objects.filter(organisation_id=current.organisation_id, key=values["key"])
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError({"key": _("Your organisation already has a participant with this key.")})
    if "institution" in values or "institution_organisation" in values:
        values["institution"] = _institution_text(
            values.get("institution", current.institution),
            values.get("institution_organisation", current.institution_organisation),
        )
    if any(personal.values()):
        personal["names_erased_at"] = None
    _update(actor, current, {**values, **personal}, current.organisation)
    return current


def _institution_text(text: str, organisation: Organisation | None) -> str:
    """The institution's name: as written, or the linked organisation's name when none is written."""
    written = tidy(text or "")
    return written or (organisation.name if organisation is not None else "")


@transaction.atomic
def do_delete_participant(actor: User | None, participant: Participant) -> None:
    for attendance in participant.attendance.all():
        _delete(actor, attendance, participant.organisation)
    _delete(actor, participant, participant.organisation)


@transaction.atomic
def do_record_attendance(
    actor: User | None,
    session: Session,
    participant: Participant,
    *,
    attended: bool = True,
    completed: bool = False,
    score: Any = None,
) -> tuple[Attendance, bool]:
    """Record (or change) a participant's attendance of a session. Returns it and whether anything changed."""
    organisation = session.course.programme.organisation
    existing = Attendance.objects.select_for_update().filter(session=session, participant=participant).first()
    values = {"attended": attended, "completed": completed, "score": score}
    if existing is None:
        attendance = Attendance(session=session, participant=participant, **values)
        _create(actor, attendance, organisation)
        return attendance, True
    return existing, _update(actor, existing, values, organisation)


@transaction.atomic
def do_delete_attendance(actor: User | None, attendance: Attendance) -> None:
    _delete(actor, attendance, attendance.session.course.programme.organisation)


# --------------------------------------------------------------------------- audience sizes


@transaction.atomic
def do_set_denominator(
    actor: User | None,
    organisation: Organisation,
    *,
    audience: str,
    year: int,
    institution: str,
    size: int,
    source_note: str = "",
    institution_organisation: Organisation | None = None,
) -> tuple[Denominator, bool]:
    """Record the size of an audience in an institution and year, or change it. Returns it and whether it is new."""
    name = _institution_text(institution, institution_organisation)
    existing = (
        Denominator.objects.select_for_update()
        .filter(organisation=organisation, audience=audience, year=year, institution__iexact=name)
        .first()
    )
    if existing is None:
        denominator = Denominator(
            organisation=organisation,
            audience=audience,
            year=year,
            institution=name,
            institution_organisation=institution_organisation,
            size=size,
            source_note=source_note,
            created_by=_actor(actor),
        )
        _create(actor, denominator, organisation)
        return denominator, True
    _update(
        actor,
        existing,
        {"size": size, "source_note": source_note, "institution_organisation": institution_organisation},
        organisation,
    )
    return existing, False


@transaction.atomic
def do_update_denominator(actor: User | None, denominator: Denominator, **values: Any) -> Denominator:
    _check_fields(values, DENOMINATOR_FIELDS, "audience size")
    current = Denominator.objects.select_for_update().get(pk=denominator.pk)
    _update(actor, current, values, current.organisation)
    return current


@transaction.atomic
def do_delete_denominator(actor: User | None, denominator: Denominator) -> None:
    _delete(actor, denominator, denominator.organisation)


# --------------------------------------------------------------------------- import


@dataclass
class ImportCounts:
    participants_created: int = 0
    participants_updated: int = 0
    sessions_created: int = 0
    attendance_created: int = 0
    attendance_updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ImportOutcome:
    record: ParticipantImport
    counts: ImportCounts = field(default_factory=ImportCounts)
    problems: list[importing.RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record.status == ImportStatus.APPLIED


def _write_row(
    actor: User | None,
    organisation: Organisation,
    row: importing.ListRow,
    participants: dict[str, Participant],
    sessions: dict[tuple[int, datetime.date], Session],
    counts: ImportCounts,
    with_names: bool,
) -> None:
    """Write one checked row: the participant (matched on the key), the session (on course and date), the
    attendance; each only if it is new or changed."""
    changed = False
    participant = participants.get(row.key)
    values: dict[str, Any] = {"audience": row.audience}
    if row.institution:
        values["institution"] = row.institution
    if row.position:
        values["position"] = row.position
    if with_names:
        values.update({k: getattr(row, k) for k in PERSONAL_FIELDS if getattr(row, k)})
    if participant is None:
        participant = Participant(organisation=organisation, key=row.key, **values)
        _create(actor, participant, organisation)
        participants[row.key] = participant
        counts.participants_created += 1
        changed = True
    else:
        if with_names and any(values.get(k) for k in PERSONAL_FIELDS) and participant.names_erased_at:
            values["names_erased_at"] = None
        if _update(actor, participant, values, organisation):
            counts.participants_updated += 1
            changed = True
    session_key = (row.course.pk, row.session_date)
    session = sessions.get(session_key)
    if session is None:
        session = Session.objects.filter(course=row.course, start_date=row.session_date).first()
        if session is None:
            session = Session(course=row.course, start_date=row.session_date, end_date=row.session_end, place=row.place)
            _create(actor, session, organisation)
            counts.sessions_created += 1
            changed = True
        sessions[session_key] = session
    existing = Attendance.objects.filter(session=session, participant=participant).first()
    attendance_values = {"attended": row.attended, "completed": row.completed, "score": row.score}
    if existing is None:
        _create(actor, Attendance(session=session, participant=participant, **attendance_values), organisation)
        counts.attendance_created += 1
        changed = True
    elif _update(actor, existing, attendance_values, organisation):
        counts.attendance_updated += 1
        changed = True
    if not changed:
        counts.unchanged += 1


def do_import_participants(
    actor: User | None, programme: Programme, file_name: str, data: bytes, *, with_names: bool = False
) -> ImportOutcome:
    """Import a participant list into ``programme``: every row checked first; if any row has a problem nothing
    is written and the import is recorded as rejected with every problem (row, column, reason, the row's cells);
    otherwise all rows are written in one transaction. The same person is matched on the key across rows,
    sessions and imports; importing the same list again changes nothing.

    Names and contact details in the list are written only ``with_names`` (the importer is a training
    coordinator); otherwise they are ignored and the import says so. Raises ``importing.ListFileError`` when
    the file cannot be read at all.
    """
    digest = hashlib.sha256(data).hexdigest()
    read = importing.read_participant_list(data, file_name, programme)
    organisation = programme.organisation
    name = file_name[:200]
    if read.problems:
        with transaction.atomic():
            record = ParticipantImport(
                programme=programme,
                file_name=name,
                file_sha256=digest,
                status=ImportStatus.REJECTED,
                rows=read.read,
                problems=[p.as_dict() for p in read.problems],
                imported_by=_actor(actor),
            )
            _create(actor, record, organisation)
        return ImportOutcome(record, problems=read.problems)
    counts = ImportCounts()
    with transaction.atomic():
        participants: dict[str, Participant] = {
            p.key: p for p in Participant.objects.filter(organisation=organisation, key__in={r.key for r in read.rows})
        }
        sessions: dict[tuple[int, datetime.date], Session] = {}
        for row in read.rows:
            _write_row(actor, organisation, row, participants, sessions, counts, with_names)
        record = ParticipantImport(
            programme=programme,
            file_name=name,
            file_sha256=digest,
            status=ImportStatus.APPLIED,
            rows=read.read,
            counts=counts.as_dict(),
            names_ignored=read.has_personal_data and not with_names,
            imported_by=_actor(actor),
        )
        _create(actor, record, organisation)
    return ImportOutcome(record, counts)


# --------------------------------------------------------------------------- names: export and retention


@transaction.atomic
def do_record_named_export(actor: User | None, organisation: Organisation, purpose: str, count: int) -> NamedExport:
    """Write down (and audit) that the training coordinator exported participants with their names."""
    purpose = tidy(purpose)
    if not purpose:
        raise ValidationError({"purpose": _("Say why the names are exported.")})
    export = NamedExport(organisation=organisation, purpose=purpose, participants=count, exported_by=_actor(actor))
    _create(actor, export, organisation)
    return export


@transaction.atomic
def do_set_retention(actor: User | None, organisation: Organisation, days: int) -> RetentionPolicy:
    policy = RetentionPolicy.objects.select_for_update().filter(organisation=organisation).first()
    if policy is None:
        policy = RetentionPolicy(organisation=organisation, days=days)
        _create(actor, policy, organisation)
        return policy
    _update(actor, policy, {"days": days}, organisation)
    return policy


def _erase(actor: User | None, participant: Participant, now: datetime.datetime) -> None:
    _update(
        actor,
        participant,
        {"name": "", "email": "", "phone": "", "names_erased_at": now},
        participant.organisation,
    )


@transaction.atomic
def do_erase_participant_names(actor: User | None, participant: Participant) -> Participant:
    """Erase one participant's name and contact details now (the coordinator asked); counts are kept."""
    current = Participant.objects.select_for_update().select_related("organisation").get(pk=participant.pk)
    if current.has_personal_data:
        _erase(actor, current, timezone.now())
    return current


def expired_participants(organisation_id: int, today: datetime.date) -> list[Participant]:
    """Participants of the organisation with names or contact details whose retention period has passed:
    counted from the last day of their latest session, or from when the record was made if they have none."""
    days = retention_days(organisation_id)
    cutoff = today - datetime.timedelta(days=days)
    candidates = (
        Participant.objects.filter(organisation_id=organisation_id)
        .filter(~Q(name="") | ~Q(email="") | ~Q(phone=""))
        .annotate(last_start=Max("attendance__session__start_date"), last_end=Max("attendance__session__end_date"))
        .select_related("organisation")
    )
    out: list[Participant] = []
    for participant in candidates:
        days_known = [d for d in (participant.last_start, participant.last_end) if d is not None]
        last = max(days_known) if days_known else participant.created_at.date()
        if last < cutoff:
            out.append(participant)
    return out


@dataclass
class ErasureResult:
    organisation: Organisation
    retention_days: int
    erased: int


def do_erase_expired_names(
    actor: User | None, organisations: list[Organisation] | None = None, today: datetime.date | None = None
) -> list[ErasureResult]:
    """Erase names and contact details past each organisation's retention period (all organisations by
    default); the participant, its attendance and so every count stay. Each erasure is audited."""
    today = today or timezone.localdate()
    now = timezone.now()
    if organisations is None:
        owner_ids = Participant.objects.values_list("organisation_id", flat=True).distinct()
        organisations = list(Organisation.objects.filter(pk__in=owner_ids).order_by("pk"))
    results = []
    for organisation in organisations:
        with transaction.atomic():
            expired = expired_participants(organisation.pk, today)
            for participant in expired:
                _erase(actor, participant, now)
        results.append(ErasureResult(organisation, retention_days(organisation.pk), len(expired)))
    return results
