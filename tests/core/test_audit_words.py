"""The audit page in words: field labels, choice labels, dates and channels in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import translation

from cyberplan.core.audit import record
from cyberplan.core.choices import AuditAction
from cyberplan.core.models import AuditEntry
from cyberplan.gaps.models import Gap
from tests.conftest import World


def _entry(world: World, gap: Gap) -> AuditEntry:
    return record(
        actor=world.users["coordinator"],
        action=AuditAction.UPDATE,
        instance=gap,
        organisation=world.org_a,
        changes={
            "severity": ["low", "high"],
            "closed_at": [None, "2026-11-30T15:04:00+00:00"],
            "created_by": [None, world.users["coordinator"].pk],
            "version": [1, 2000],
            "retired_field": ["x", "y"],
        },
    )


def _page(world: World, entry: AuditEntry, language: str) -> str:
    client = Client()
    client.force_login(world.users["coordinator"])
    client.cookies["cyberplan_language"] = language
    with translation.override(language):
        response = client.get(reverse("core:audit_detail", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_audit_entry_reads_in_words(world: World, make_gap: Callable[..., Gap]) -> None:
    entry = _entry(world, make_gap())
    english = _page(world, entry, "en")
    # labels, not field names; choice labels, not codes; a local date naming its zone; grouped numbers
    assert '<th scope="row">Severity</th><td>Low</td><td>High</td>' in english
    assert "2026-11-30T15:04" not in english and "2026-11-30 12:04 -03" in english
    assert f"User #{world.users['coordinator'].pk}" in english
    assert "<td>2,000</td>" in english
    assert "retired_field" in english  # a field no longer in the model keeps its stored name
    assert "<dd>system</dd>" in english  # the channel in words (a test writes outside any channel)


def test_the_audit_entry_reads_in_spanish(world: World, make_gap: Callable[..., Gap]) -> None:
    entry = _entry(world, make_gap())
    spanish = _page(world, entry, "es")
    assert '<th scope="row">Severidad</th><td>Baja</td><td>Alta</td>' in spanish
    assert "30/11/2026 12:04 -03" in spanish
    assert "<td>2.000</td>" in spanish
