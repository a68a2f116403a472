"""Reads of the gap register, filtered by organisation, role and TLP."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cyberplan.core.access import Permission, has_permission, visible_q
from cyberplan.core.models import Organisation, User

from .choices import GapStatus
from .models import Gap, GapEvidence


def gaps_visible_to(user: User) -> QuerySet[Gap]:
    return Gap.objects.filter(visible_q(user)).select_related("organisation", "created_by")


def gap_from_source(user: User, organisation: Organisation, source: str, source_key: str) -> Gap | None:
    """The gap a source recorded under ``source_key`` (None if there is none yet).

    A gap that exists but that ``user`` may not see raises ``PermissionDenied``: the source may not
    record it a second time, and the user learns nothing of what it says.
    """
    gap = Gap.objects.filter(organisation=organisation, source=source, source_key=source_key).first()
    if gap is not None and not gaps_visible_to(user).filter(pk=gap.pk).exists():
        raise PermissionDenied
    return gap


def access_gap_by_id(user: User, gap_id: int, permission: Permission = Permission.VIEW) -> Gap:
    """The gap if ``user`` may see it and holds ``permission`` for it.

    A gap the user may not see raises ``Http404``; one they see but may not change, ``PermissionDenied``.
    A contributor may edit the gaps they created.
    """
    try:
        gap = gaps_visible_to(user).get(pk=gap_id)
    except (Gap.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can_on_gap(user, gap, permission):
        raise PermissionDenied
    return gap


def can_on_gap(user: User, gap: Gap, permission: Permission) -> bool:
    if has_permission(user, gap.organisation_id, permission):
        return True
    if permission == Permission.EDIT and gap.created_by_id == user.pk:
        return has_permission(user, gap.organisation_id, Permission.CONTRIBUTE)
    return False


def access_evidence_by_id(user: User, gap: Gap, evidence_id: int) -> GapEvidence:
    try:
        return gap.evidence.get(pk=evidence_id)
    except (GapEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def gaps_with_ids(gap_ids: Iterable[int]) -> QuerySet[Gap]:
    """The gaps with these ids, for other apps that keep links to gaps (a strategy's actions)."""
    return Gap.objects.filter(pk__in=list(gap_ids))


def count_closed_before(gaps: QuerySet[Gap], end: datetime.datetime) -> int:
    """How many of ``gaps`` are closed, and were closed before ``end``."""
    return gaps.filter(status=GapStatus.CLOSED, closed_at__lt=end).count()
