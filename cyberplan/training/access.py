"""Who may read and change capacity-building records: organisation, role and TLP (docs/concepts/access.md).

- read providers, programmes (within the TLP rules), their courses, sessions and attendance, participants'
  pseudonymous records, audience sizes and coverage: ``view`` in the owner organisation;
- create and edit providers, programmes, courses, sessions, attendance, participants and audience sizes,
  import participant lists: ``edit``; delete them: ``delete``;
- see, record, export and erase participants' **names and contact details**, and set the retention
  period: only the **training coordinator**, that is the coordinator and administrator roles of the owner
  organisation (``decide``). Nobody else sees them, on any page, in the API or in an export
  (docs/concepts/training-privacy.md).

A programme's courses, sessions and attendance carry the programme's owner and TLP label.

An organisation (rather than a person) reads coverage for figures made for it, such as a strategy's
automatic KPI: all of its own programmes, and another organisation's only at the labels that cross an
organisation's boundary without a named recipient (``TLP:CLEAR`` and ``TLP:GREEN``, the release rule).
Strategy reads this app only through this module (contract ``training-kpis-through-access``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, organisation_ids_where, visible_q
from cyberplan.core.choices import TLP
from cyberplan.core.models import User
from cyberplan.core.release import CROSSABLE, labels_within

from .coverage import CoverageTable, coverage_for
from .models import (
    Attendance,
    Course,
    Denominator,
    Participant,
    ParticipantImport,
    Programme,
    Provider,
    Session,
)

_M = TypeVar("_M", bound=Model)

COORDINATOR_PERMISSION = Permission.DECIDE
"""The permission that makes a member the training coordinator: held by coordinators and administrators."""


def is_training_coordinator(user: User, organisation_id: int | None) -> bool:
    """Whether ``user`` is a training coordinator of the organisation (sees and manages names)."""
    return has_permission(user, organisation_id, COORDINATOR_PERMISSION)


def coordinated_organisation_ids(user: User) -> list[int]:
    return organisation_ids_where(user, COORDINATOR_PERMISSION)


def _programme_q(user: User, prefix: str = "") -> Q:
    return visible_q(
        user,
        organisation_field=f"{prefix}organisation",
        tlp_field=f"{prefix}tlp",
        creator_field=f"{prefix}created_by",
    )


def _get(queryset: QuerySet[_M], pk: int | str) -> _M:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _require(user: User, organisation_id: int, permission: Permission) -> None:
    if not has_permission(user, organisation_id, permission):
        raise PermissionDenied


# --------------------------------------------------------------------------- providers and programmes


def providers_visible_to(user: User) -> QuerySet[Provider]:
    return Provider.objects.filter(visible_q(user, tlp_field=None)).select_related("organisation")


def access_provider_by_id(user: User, provider_id: int | str, permission: Permission = Permission.VIEW) -> Provider:
    provider = _get(providers_visible_to(user), provider_id)
    _require(user, provider.organisation_id, permission)
    return provider


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(_programme_q(user)).select_related("organisation", "provider")


def access_programme_by_id(user: User, programme_id: int | str, permission: Permission = Permission.VIEW) -> Programme:
    """The programme if ``user`` may see it and holds ``permission``: 404 if unseen, 403 if not allowed."""
    programme = _get(programmes_visible_to(user), programme_id)
    _require(user, programme.organisation_id, permission)
    return programme


def courses_visible_to(user: User) -> QuerySet[Course]:
    return Course.objects.filter(_programme_q(user, "programme__")).select_related(
        "programme", "programme__organisation", "programme__provider"
    )


def access_course_by_id(user: User, course_id: int | str, permission: Permission = Permission.VIEW) -> Course:
    course = _get(courses_visible_to(user), course_id)
    _require(user, course.programme.organisation_id, permission)
    return course


def sessions_visible_to(user: User) -> QuerySet[Session]:
    return Session.objects.filter(_programme_q(user, "course__programme__")).select_related(
        "course", "course__programme", "course__programme__organisation"
    )


def access_session_by_id(user: User, session_id: int | str, permission: Permission = Permission.VIEW) -> Session:
    session = _get(sessions_visible_to(user), session_id)
    _require(user, session.course.programme.organisation_id, permission)
    return session


def attendance_visible_to(user: User) -> QuerySet[Attendance]:
    return Attendance.objects.filter(_programme_q(user, "session__course__programme__")).select_related(
        "participant", "session", "session__course", "session__course__programme"
    )


def access_attendance_by_id(
    user: User, attendance_id: int | str, permission: Permission = Permission.VIEW
) -> Attendance:
    attendance = _get(attendance_visible_to(user), attendance_id)
    _require(user, attendance.session.course.programme.organisation_id, permission)
    return attendance


def imports_visible_to(user: User) -> QuerySet[ParticipantImport]:
    return ParticipantImport.objects.filter(_programme_q(user, "programme__")).select_related(
        "programme", "imported_by"
    )


def access_import_by_id(user: User, import_id: int | str) -> ParticipantImport:
    return _get(imports_visible_to(user), import_id)


# --------------------------------------------------------------------------- participants


def participants_visible_to(user: User) -> QuerySet[Participant]:
    """Pseudonymous participant records; whether names may be shown is ``is_training_coordinator``'s answer."""
    return Participant.objects.filter(visible_q(user, tlp_field=None)).select_related("organisation")


def access_participant_by_id(
    user: User, participant_id: int | str, permission: Permission = Permission.VIEW
) -> Participant:
    participant = _get(participants_visible_to(user), participant_id)
    _require(user, participant.organisation_id, permission)
    return participant


def shows_names(user: User, participant: Participant) -> bool:
    """Whether ``user`` may see the participant's name and contact details."""
    return is_training_coordinator(user, participant.organisation_id)


# --------------------------------------------------------------------------- audience sizes and coverage


def denominators_visible_to(user: User) -> QuerySet[Denominator]:
    return Denominator.objects.filter(visible_q(user, tlp_field=None)).select_related("organisation")


def access_denominator_by_id(
    user: User, denominator_id: int | str, permission: Permission = Permission.VIEW
) -> Denominator:
    denominator = _get(denominators_visible_to(user), denominator_id)
    _require(user, denominator.organisation_id, permission)
    return denominator


def coverage_visible_to(user: User, organisation_id: int, topics: Sequence[str] | None = None) -> CoverageTable:
    """Coverage of one owner organisation counting only the attendance of programmes ``user`` may see.

    404 when the user is no member of the organisation.
    """
    if not has_permission(user, organisation_id, Permission.VIEW):
        raise Http404
    return coverage_for(organisation_id, attendance_visible_to(user), topics)


def organisation_programme_labels(reader_id: int, owner_id: int) -> list[str]:
    """The TLP labels of ``owner_id``'s programmes that organisation ``reader_id`` reads, as an organisation."""
    if reader_id == owner_id:
        return list(TLP.values)
    return labels_within(CROSSABLE, TLP.GREEN)


def coverage_for_organisation(
    reader_id: int, owner_id: int, topics: Sequence[str] | None = None, labels: list[str] | None = None
) -> CoverageTable:
    """Coverage of ``owner_id``'s training as organisation ``reader_id`` reads it (narrowed to ``labels`` when
    given): the entry point of figures made for an organisation, such as a strategy's automatic KPI."""
    allowed = organisation_programme_labels(reader_id, owner_id)
    if labels is not None:
        allowed = [label for label in allowed if label in labels]
    attendance = Attendance.objects.filter(session__course__programme__tlp__in=allowed)
    return coverage_for(owner_id, attendance, topics)
