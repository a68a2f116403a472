"""Retention: names and contact details are erased after the owner's retention period, counted from the last
session; the participant, its attendance and every count stay. The command and the worker do it, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.jobs.models import Job
from cyberplan.training import actions
from cyberplan.training.coverage import coverage_for
from cyberplan.training.jobs import ERASE_NAMES
from cyberplan.training.models import Participant, RetentionPolicy
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld

# The list's last session ends on 2026-09-15 (J-001); the others' on 2026-05-05.
AFTER_FIRST = dt.date(2026, 5, 5) + dt.timedelta(days=31)


@pytest.fixture
def imported(world: World, training: TrainingWorld) -> None:
    actions.do_import_participants(
        world.users[Role.COORDINATOR], training.programme, "list.csv", LIST_CSV.encode(), with_names=True
    )
    actions.do_set_retention(world.users[Role.COORDINATOR], world.org_a, 30)


def _names() -> dict[str, str]:
    return dict(Participant.objects.values_list("key", "name"))


def test_the_command_erases_names_past_the_period_and_keeps_counts(world: World, imported: None) -> None:
    before = coverage_for(world.org_a.pk).get("judges", "electronic-evidence", 2026)
    out = io.StringIO()
    call_command("training", "erase-names", "--as-of", AFTER_FIRST.isoformat(), stdout=out)
    # J-002 (last session in May) loses the name; J-001 came back in September and keeps it.
    assert _names() == {"J-001": "Ana Benítez", "J-002": "", "F-010": ""}
    erased = Participant.objects.get(key="J-002")
    assert erased.names_erased_at is not None and erased.email == "" and erased.attendance.count() == 1
    assert "authority-a: names erased for 1 participant(s) (retention 30 days)" in out.getvalue()
    assert coverage_for(world.org_a.pk).get("judges", "electronic-evidence", 2026) == before
    entry = AuditEntry.objects.filter(content_type__model="participant", object_id=str(erased.pk)).latest("pk")
    assert entry.actor is None and entry.changes["name"] == ["(set)", ""]


def test_a_dry_run_erases_nothing(world: World, imported: None) -> None:
    out = io.StringIO()
    call_command("training", "erase-names", "--as-of", AFTER_FIRST.isoformat(), "--dry-run", stdout=out)
    assert "authority-a: 1 participant(s) past 30 days would lose their names" in out.getvalue()
    assert _names()["J-002"] == "Carlos Duarte"


def test_within_the_period_nothing_is_erased(world: World, imported: None) -> None:
    call_command("training", "erase-names", "--as-of", "2026-05-20", stdout=io.StringIO())
    assert _names()["J-002"] == "Carlos Duarte"


def test_the_default_period_applies_without_a_policy(world: World, training: TrainingWorld) -> None:
    actions.do_import_participants(
        world.users[Role.COORDINATOR], training.programme, "list.csv", LIST_CSV.encode(), with_names=True
    )
    results = actions.do_erase_expired_names(None, [world.org_a], dt.date(2027, 5, 6))  # 366 days: kept
    assert results[0].retention_days == 730 and results[0].erased == 0
    results = actions.do_erase_expired_names(None, [world.org_a], dt.date(2028, 9, 16))
    assert results[0].erased == 2  # J-001 and J-002 had names; F-010 came without one
    assert set(_names().values()) == {""}


def test_a_coordinator_erases_one_participant_now(world: World, imported: None) -> None:
    participant = Participant.objects.get(key="J-001")
    viewer = Client()
    viewer.force_login(world.users[Role.VIEWER])
    assert viewer.post(f"/training/participants/{participant.pk}/erase-names/").status_code == 403
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    assert client.post(f"/training/participants/{participant.pk}/erase-names/").status_code == 302
    participant.refresh_from_db()
    assert participant.name == "" and participant.names_erased_at is not None


def test_the_retention_page_is_for_the_coordinator(world: World, imported: None) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    assert client.get("/training/retention/").status_code == 403
    client.force_login(world.users[Role.COORDINATOR])
    page = client.get("/training/retention/")
    assert page.status_code == 200 and 'value="30"' in page.content.decode()
    assert client.post("/training/retention/", {"organisation": world.org_a.pk, "days": 90}).status_code == 302
    assert RetentionPolicy.objects.get(organisation=world.org_a).days == 90
    response = client.post("/training/retention/", {"organisation": world.org_a.pk, "erase": "1"})
    job = Job.objects.get(kind=ERASE_NAMES)
    assert (
        response.status_code == 302
        and job.organisation == world.org_a
        and job.parameters["organisation"] == world.org_a.pk
    )
