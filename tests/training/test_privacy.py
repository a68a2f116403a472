"""Privacy by default: only the training coordinator (coordinator or administrator of the owner) sees names and
contact details, on pages, in the API and in exports; an export with names is asked for explicitly and audited;
the audit trail never holds a name."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, Membership
from cyberplan.training import actions
from cyberplan.training.models import NamedExport, Participant
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld

NAME, EMAIL = "Ana Benítez", "ana@example.org"
NOT_COORDINATORS = [Role.ANALYST, Role.CONTRIBUTOR, Role.VIEWER, Role.EXTERNAL_PARTNER]
COORDINATORS = [Role.COORDINATOR, Role.ADMINISTRATOR]


@pytest.fixture
def imported(world: World, training: TrainingWorld) -> Participant:
    outcome = actions.do_import_participants(
        world.users[Role.COORDINATOR], training.programme, "list.csv", LIST_CSV.encode(), with_names=True
    )
    assert outcome.ok
    return Participant.objects.get(key="J-001")


def _pages(client: Client, participant: Participant, training: TrainingWorld) -> str:
    paths = [
        "/training/participants/",
        f"/training/participants/{participant.pk}/",
        f"/training/sessions/{training.session.pk}/",
    ]
    bodies = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
    return "".join(bodies)


@pytest.mark.parametrize("role", NOT_COORDINATORS)
def test_other_roles_never_see_names(world: World, training: TrainingWorld, imported: Participant, role: str) -> None:
    client, api = Client(), APIClient()
    client.force_login(world.users[role])
    api.force_authenticate(world.users[role])
    html = _pages(client, imported, training)
    assert "J-001" in html and NAME not in html and EMAIL not in html
    listing = api.get("/api/training-participants/").json()
    detail = api.get(f"/api/training-participants/{imported.pk}/").json()
    assert detail["key"] == "J-001"
    assert "name" not in detail and "email" not in detail and "phone" not in detail
    assert NAME not in str(listing) and EMAIL not in str(listing)
    export = b"".join(client.get("/training/participants/export/").streaming_content).decode()
    assert "J-001" in export and NAME not in export and EMAIL not in export
    assert client.get("/training/participants/export/names/").status_code == 403


@pytest.mark.parametrize("role", COORDINATORS)
def test_the_training_coordinator_sees_names(
    world: World, training: TrainingWorld, imported: Participant, role: str
) -> None:
    client, api = Client(), APIClient()
    client.force_login(world.users[role])
    api.force_authenticate(world.users[role])
    assert NAME in _pages(client, imported, training)
    detail = api.get(f"/api/training-participants/{imported.pk}/").json()
    assert (detail["name"], detail["email"]) == (NAME, EMAIL)


def test_a_coordinator_of_another_organisation_sees_no_names(
    world: World, training: TrainingWorld, imported: Participant
) -> None:
    Membership.objects.create(user=world.outsider, organisation=world.org_a, role=Role.VIEWER)
    Membership.objects.filter(user=world.outsider, organisation=world.org_b).update(role=Role.COORDINATOR)
    api = APIClient()
    api.force_authenticate(world.outsider)
    detail = api.get(f"/api/training-participants/{imported.pk}/").json()
    assert "name" not in detail


def test_the_default_export_has_no_name_columns(world: World, imported: Participant) -> None:
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    export = b"".join(client.get("/training/participants/export/").streaming_content).decode()
    header = export.splitlines()[0]
    assert header == "organisation,key,institution,audience,role,sessions,completed"
    assert NAME not in export
    assert "J-001" in export and ",judges,Criminal judge,2,2" in export


def test_an_export_with_names_is_asked_for_and_audited(world: World, imported: Participant) -> None:
    coordinator = world.users[Role.COORDINATOR]
    client = Client()
    client.force_login(coordinator)
    refused = client.post("/training/participants/export/names/", {"organisation": world.org_a.pk, "purpose": " "})
    assert refused.status_code == 400 and not NamedExport.objects.exists()
    response = client.post(
        "/training/participants/export/names/", {"organisation": world.org_a.pk, "purpose": "Certificates"}
    )
    assert response.status_code == 200
    export = b"".join(response.streaming_content).decode()
    assert export.splitlines()[0].endswith(",name,email,phone") and NAME in export and EMAIL in export
    record = NamedExport.objects.get()
    assert (record.purpose, record.participants, record.exported_by) == ("Certificates", 3, coordinator)
    entry = AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="namedexport").get()
    assert entry.actor == coordinator and entry.organisation == world.org_a and entry.action == "create"


def test_the_named_export_form_offers_only_coordinated_organisations(world: World, imported: Participant) -> None:
    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    response = client.post(
        "/training/participants/export/names/", {"organisation": world.org_b.pk, "purpose": "Certificates"}
    )
    assert response.status_code == 400 and not NamedExport.objects.exists()


def test_the_audit_trail_holds_no_name(world: World, imported: Participant) -> None:
    actions.do_update_participant(world.users[Role.COORDINATOR], imported, with_names=True, name="Ana B. Benítez")
    entries = AuditEntry.objects.filter(content_type__model="participant")
    assert entries.count() >= 3  # created, then updated
    text = str(list(entries.values_list("changes", flat=True)))
    assert "Benítez" not in text and EMAIL not in text
    assert "(set)" in text


def test_only_the_coordinator_may_write_names(world: World, training: TrainingWorld) -> None:
    with pytest.raises(PermissionError):
        actions.do_create_participant(world.users[Role.ANALYST], world.org_a, key="X-1", audience="judges", name="Ana")
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    response = api.post(
        "/api/training-participants/",
        {"organisation": world.org_a.pk, "key": "X-1", "audience": "judges", "name": "Ana"},
        format="json",
    )
    assert response.status_code == 403 and not Participant.objects.exists()
    pseudonymous = api.post(
        "/api/training-participants/",
        {"organisation": world.org_a.pk, "key": "X-1", "audience": "judges"},
        format="json",
    )
    assert pseudonymous.status_code == 201


def test_the_analyst_form_has_no_name_fields(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    html = client.get("/training/participants/new/").content.decode()
    assert 'name="key"' in html and 'name="name"' not in html and 'name="email"' not in html
