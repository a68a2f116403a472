"""The gap evidence form keeps only the fields of the chosen kind of evidence."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.gaps.models import Gap, GapEvidence
from tests.conftest import World


def test_gap_evidence_ignores_the_other_kinds_fields(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    # An address typed (badly) before switching to "citation" is neither checked nor stored.
    response = client.post(
        f"/gaps/{gap.pk}/",
        {"kind": "citation", "label": "Decree", "citation": "Decree 7052/2017, art. 2", "url": "javascript:x"},
    )
    assert response.status_code == 302
    evidence = GapEvidence.objects.get()
    assert (evidence.kind, evidence.citation, evidence.url) == ("citation", "Decree 7052/2017, art. 2", "")


def test_gap_evidence_form_marks_each_kinds_fields(world: World, make_gap: Callable[..., Gap]) -> None:
    gap = make_gap()
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    body = client.get(f"/gaps/{gap.pk}/").content.decode()
    assert 'data-evidence-kinds="url platform"' in body
    assert 'data-evidence-kinds="document"' in body
    assert "evidence-kind.js" in body
