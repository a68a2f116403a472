"""Who may read and change capacity-building records: another organisation gets 404, roles get 403, TLP hides."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cyberplan.core.choices import TLP, Role
from cyberplan.training import actions
from cyberplan.training.access import coverage_for_organisation
from cyberplan.training.models import Participant, Programme
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld


@pytest.fixture
def imported(world: World, training: TrainingWorld) -> Participant:
    actions.do_import_participants(world.users[Role.ANALYST], training.programme, "list.csv", LIST_CSV.encode())
    return Participant.objects.get(key="J-001")


def test_another_organisation_gets_404_on_every_record(
    world: World, training: TrainingWorld, imported: Participant
) -> None:
    client, api = Client(), APIClient()
    client.force_login(world.outsider)
    api.force_authenticate(world.outsider)
    pages = [
        f"/training/programmes/{training.programme.pk}/",
        f"/training/courses/{training.course.pk}/",
        f"/training/sessions/{training.session.pk}/",
        f"/training/participants/{imported.pk}/",
        f"/training/imports/{training.programme.imports.get().pk}/",
    ]
    for path in pages:
        assert client.get(path).status_code == 404, path
    endpoints = [
        f"/api/training-programmes/{training.programme.pk}/",
        f"/api/training-courses/{training.course.pk}/",
        f"/api/training-sessions/{training.session.pk}/",
        f"/api/training-participants/{imported.pk}/",
    ]
    for path in endpoints:
        assert api.get(path).status_code == 404, path
    assert api.get("/api/training-participants/").json()["count"] == 0
    assert api.get("/api/training-coverage/", {"organisation": world.org_a.pk}).status_code == 404
    assert client.post(f"/training/programmes/{training.programme.pk}/import/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.VIEWER, 403), (Role.EXTERNAL_PARTNER, 403), (Role.CONTRIBUTOR, 403), (Role.ANALYST, 200)],
)
def test_editing_needs_the_edit_permission(world: World, training: TrainingWorld, role: str, status: int) -> None:
    client = Client()
    client.force_login(world.users[role])
    assert client.get(f"/training/programmes/{training.programme.pk}/edit/").status_code == status
    assert client.get(f"/training/courses/{training.course.pk}/sessions/new/").status_code == status


def test_a_red_programme_is_hidden_from_the_viewer_and_its_attendance_from_coverage(
    world: World, training: TrainingWorld, imported: Participant
) -> None:
    actions.do_update_programme(world.users[Role.COORDINATOR], training.programme, tlp=TLP.RED)
    api = APIClient()
    api.force_authenticate(world.users[Role.VIEWER])
    assert api.get(f"/api/training-programmes/{training.programme.pk}/").status_code == 404
    rows = api.get("/api/training-coverage/", {"organisation": world.org_a.pk, "national": "true"}).json()
    assert all(r["trained"] == 0 for r in rows)
    api.force_authenticate(world.users[Role.COORDINATOR])
    rows = api.get(
        "/api/training-coverage/", {"organisation": world.org_a.pk, "national": "true", "audience": "judges"}
    ).json()
    assert any(r["trained"] == 1 for r in rows)


def test_an_organisation_reads_another_organisations_coverage_only_up_to_green(
    world: World, training: TrainingWorld, imported: Participant
) -> None:
    own = coverage_for_organisation(world.org_a.pk, world.org_a.pk).get("judges", None, 2026)
    assert own is not None and own.trained == 1
    other = coverage_for_organisation(world.org_b.pk, world.org_a.pk).get("judges", None, 2026)
    assert other is not None and other.trained == 1  # the programme is GREEN
    Programme.objects.filter(pk=training.programme.pk).update(tlp=TLP.AMBER)
    hidden = coverage_for_organisation(world.org_b.pk, world.org_a.pk).get("judges", None, 2026)
    assert hidden is None or hidden.trained == 0
