"""A rise on the trends dashboard recorded in the gap register through the trends action."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.choices import EvidenceKind, GapSource, Severity
from cyberplan.gaps.models import Gap
from cyberplan.trends.actions import RiseEvidence, RiseText, do_record_rise_as_gap
from tests.conftest import World

TEXTS = {
    "en": RiseText("Rising threat: ddos", "60 events against 10."),
    "es": RiseText("Amenaza en aumento: ddos", "60 eventos frente a 10."),
}
PAGE = RiseEvidence("Threat trends dashboard: change from the previous period, 2026-10", "/trends/?period=2026-10", "")


def record(world: World, role: str = Role.ANALYST, **changes: object) -> tuple[Gap, bool]:
    values: dict[str, object] = {
        "source_key": "trend:type=ddos",
        "texts": TEXTS,
        "severity": Severity.HIGH,
        "tlp": TLP.AMBER,
        "evidence": PAGE,
    }
    values.update(changes)
    return do_record_rise_as_gap(world.users[role], world.org_a, **values)  # type: ignore[arg-type]


def test_a_rise_is_recorded_once_with_its_evidence_and_audited(world: World) -> None:
    gap, created = record(world)
    assert created
    assert (gap.source, gap.source_key, gap.severity, gap.tlp) == (
        GapSource.THREAT_TREND,
        "trend:type=ddos",
        Severity.HIGH,
        TLP.AMBER,
    )
    assert (gap.title_en, gap.title_es) == ("Rising threat: ddos", "Amenaza en aumento: ddos")
    evidence = gap.evidence.get()
    assert (evidence.kind, evidence.url) == (EvidenceKind.PLATFORM, "/trends/?period=2026-10")
    assert AuditEntry.objects.filter(object_id=str(gap.pk), action="create").exists()
    assert AuditEntry.objects.filter(object_id=str(evidence.pk), action="create").exists()

    newer = {"en": RiseText("Rising threat: ddos", "90 events against 10."), "es": TEXTS["es"]}
    again, created_again = record(world, Role.COORDINATOR, texts=newer, severity=Severity.LOW, tlp=TLP.CLEAR)
    assert (again.pk, created_again) == (gap.pk, False)
    again.refresh_from_db()
    # The texts follow the figures; the severity and TLP chosen when it was recorded stay.
    assert (again.description_en, again.severity, again.tlp) == ("90 events against 10.", Severity.HIGH, TLP.AMBER)
    assert again.evidence.count() == 1


def test_a_gap_the_user_may_not_see_is_neither_recorded_again_nor_shown(world: World) -> None:
    hidden, _ = record(world, Role.COORDINATOR, tlp=TLP.RED)
    with pytest.raises(PermissionDenied):
        record(world, Role.ANALYST)
    assert Gap.objects.get().pk == hidden.pk
    assert hidden.evidence.count() == 1


def test_nothing_is_kept_when_the_evidence_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        record(world, evidence=RiseEvidence("Threat trends dashboard", "https://elsewhere.example/", ""))
    assert not Gap.objects.exists()
    assert not AuditEntry.objects.filter(content_type__model="gap").exists()
