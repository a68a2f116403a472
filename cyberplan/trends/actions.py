"""Writes of the trends capability: a significant rise on the dashboard recorded in the gap register."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cyberplan.core.access import Permission
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.access import can_on_gap, gap_from_source
from cyberplan.gaps.actions import do_add_gap_evidence, do_upsert_gap_from_source
from cyberplan.gaps.choices import EvidenceKind, GapSource
from cyberplan.gaps.models import Gap


@dataclass(frozen=True)
class RiseText:
    """What the gap says about a rise, in one language."""

    title: str
    description: str


@dataclass(frozen=True)
class RiseEvidence:
    """The dashboard page that shows the rise, as the gap's evidence."""

    label: str
    url: str
    note: str


@transaction.atomic
def do_record_rise_as_gap(
    user: User,
    organisation: Organisation,
    *,
    source_key: str,
    texts: dict[str, RiseText],
    severity: str,
    tlp: str,
    evidence: RiseEvidence,
) -> tuple[Gap, bool]:
    """Record a significant rise in the gap register, or bring up to date the gap recorded for it before.

    ``texts`` holds the gap's title and description in English and Spanish; ``severity`` and ``tlp``
    apply to a new gap only. A gap the user may edit takes the new texts; one they may only read
    keeps its own. Either way the dashboard page is added as evidence once. ``PermissionDenied`` if
    the gap exists but the user may not see it. Returns the gap and whether it was created.
    """
    existing = gap_from_source(user, organisation, GapSource.THREAT_TREND, source_key)
    if existing is None or can_on_gap(user, existing, Permission.EDIT):
        fields: dict[str, str] = {
            "title_en": texts["en"].title,
            "title_es": texts["es"].title,
            "description_en": texts["en"].description,
            "description_es": texts["es"].description,
        }
        if existing is None:
            fields["severity"] = severity
            fields["tlp"] = tlp
        gap, created = do_upsert_gap_from_source(
            user, organisation, source=GapSource.THREAT_TREND, source_key=source_key, **fields
        )
    else:
        gap, created = existing, False
    if not gap.evidence.filter(kind=EvidenceKind.PLATFORM, url=evidence.url).exists():
        do_add_gap_evidence(
            user, gap, kind=EvidenceKind.PLATFORM, label=evidence.label[:250], url=evidence.url, note=evidence.note
        )
    return gap, created
