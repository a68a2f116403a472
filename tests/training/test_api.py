"""The capacity-building API writes through the actions: programmes, courses, sessions, attendance, sizes."""

from __future__ import annotations

from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.training.models import Attendance, Denominator
from tests.conftest import World

from .conftest import TrainingWorld


def test_the_api_builds_a_programme_and_records_attendance(world: World, training: TrainingWorld) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    programme = api.post(
        "/api/training-programmes/",
        {"organisation": world.org_a.pk, "provider": training.provider.pk, "title": "CSIRT course", "tlp": "amber"},
        format="json",
    )
    assert programme.status_code == 201, programme.json()
    course = api.post(
        "/api/training-courses/",
        {
            "programme": programme.json()["id"],
            "title": "Incident handling",
            "topics": ["incident-handling"],
            "hours": "20",
        },
        format="json",
    )
    assert course.status_code == 201, course.json()
    assert api.post(
        "/api/training-courses/", {"programme": programme.json()["id"], "title": "X", "topics": ["cooking"], "hours": "2"},
        format="json",
    ).status_code == 400  # fmt: skip
    session = api.post(
        "/api/training-sessions/", {"course": course.json()["id"], "start_date": "2026-06-01"}, format="json"
    )
    assert session.status_code == 201 and session.json()["year"] == 2026
    listed = api.get("/api/training-sessions/", {"course": course.json()["id"]}).json()
    assert [s["id"] for s in listed["results"]] == [session.json()["id"]]
    participant = api.post(
        "/api/training-participants/",
        {"organisation": world.org_a.pk, "key": "C-1", "audience": "csirt_staff", "institution": "CERT-PY"},
        format="json",
    )
    assert participant.status_code == 201
    body = {"session": session.json()["id"], "participant_key": "C-1", "attended": True, "completed": False}
    assert api.post("/api/training-attendance/", body, format="json").status_code == 201
    again = api.post("/api/training-attendance/", {**body, "completed": True, "score": "90"}, format="json")
    assert again.status_code == 201 and again.json()["completed"] is True
    assert Attendance.objects.filter(participant__key="C-1").count() == 1
    unknown = api.post("/api/training-attendance/", {**body, "participant_key": "nobody"}, format="json")
    assert unknown.status_code == 400 and "participant_key" in unknown.json()
    assert AuditEntry.objects.filter(content_type__model="attendance").count() == 2  # created, then updated


def test_audience_sizes_through_the_api_replace_each_other(world: World) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    body = {
        "organisation": world.org_a.pk,
        "audience": "judges",
        "year": 2026,
        "institution": "Poder Judicial",
        "size": 180,
    }
    assert api.post("/api/training-audience-sizes/", body, format="json").status_code == 201
    assert api.post("/api/training-audience-sizes/", {**body, "size": 190}, format="json").status_code == 201
    assert list(Denominator.objects.values_list("size", flat=True)) == [190]
    size = Denominator.objects.get()
    assert api.delete(f"/api/training-audience-sizes/{size.pk}/").status_code == 403  # an analyst does not delete
    api.force_authenticate(world.users[Role.COORDINATOR])
    assert api.delete(f"/api/training-audience-sizes/{size.pk}/").status_code == 204
    viewer = APIClient()
    viewer.force_authenticate(world.users[Role.VIEWER])
    assert (
        viewer.post("/api/training-audience-sizes/", body, format="json").status_code == 400
    )  # no organisation to write in
