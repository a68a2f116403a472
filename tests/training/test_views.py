"""The pages of the section: programmes, courses and sessions, audience sizes, coverage, imports."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.training import actions
from cyberplan.training.models import Course, Denominator, ParticipantImport, Programme, Session
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld


def _client(world: World, role: str = Role.ANALYST) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_an_analyst_builds_a_programme_course_and_session(world: World, training: TrainingWorld) -> None:
    client = _client(world)
    response = client.post(
        "/training/programmes/new/",
        {
            "organisation": world.org_a.pk,
            "provider": training.provider.pk,
            "title": "CSIRT <b>course</b>",
            "tlp": "green",
            "start_date": "2026-03-01",
        },
    )
    programme = Programme.objects.get(title="CSIRT <b>course</b>")
    assert response.status_code == 302
    page = client.get(f"/training/programmes/{programme.pk}/").content.decode()
    assert "CSIRT &lt;b&gt;course&lt;/b&gt;" in page
    response = client.post(
        f"/training/programmes/{programme.pk}/courses/new/",
        {
            "title": "Incident handling",
            "topics": ["incident-handling"],
            "level": "intermediate",
            "hours": "24",
            "language": "es",
            "delivery": "blended",
        },
    )
    course = Course.objects.get(title="Incident handling")
    assert response.status_code == 302 and course.topics == ["incident-handling"]
    assert "Incident handling" in client.get(f"/training/courses/{course.pk}/").content.decode()
    bad = client.post(
        f"/training/courses/{course.pk}/sessions/new/", {"start_date": "2026-05-02", "end_date": "2026-05-01"}
    )
    assert bad.status_code == 400 and "cannot come before" in bad.content.decode()
    assert client.post(f"/training/courses/{course.pk}/sessions/new/", {"start_date": "2026-05-02"}).status_code == 302
    assert AuditEntry.objects.filter(content_type__model="session", action="create").count() == 2


def test_a_stale_programme_edit_is_a_conflict(world: World, training: TrainingWorld) -> None:
    client = _client(world)
    values = {"provider": training.provider.pk, "title": "Renamed", "tlp": "green", "version": 1}
    actions.do_update_programme(world.users[Role.COORDINATOR], training.programme, title="Changed meanwhile")
    assert client.post(f"/training/programmes/{training.programme.pk}/edit/", values).status_code == 409


def test_attendance_is_recorded_on_the_session_page(world: World, training: TrainingWorld) -> None:
    actions.do_create_participant(world.users[Role.ANALYST], world.org_a, key="J-9", audience="judges")
    client = _client(world)
    path = f"/training/sessions/{training.session.pk}/"
    assert client.post(path, {"participant": "nobody", "attended": "on"}).status_code == 400
    assert (
        client.post(path, {"participant": "J-9", "attended": "on", "completed": "on", "score": "80"}).status_code == 302
    )
    assert "J-9" in client.get(path).content.decode()


def test_audience_sizes_are_recorded_and_replaced(world: World) -> None:
    client = _client(world)
    values = {
        "organisation": world.org_a.pk,
        "audience": "judges",
        "year": 2026,
        "institution": "Poder Judicial",
        "size": 180,
    }
    assert client.post("/training/audience-sizes/", values).status_code == 302
    assert client.post("/training/audience-sizes/", {**values, "size": 185}).status_code == 302
    assert list(Denominator.objects.values_list("size", flat=True)) == [185]
    assert client.post("/training/audience-sizes/", {**values, "size": 0}).status_code == 400


def test_the_coverage_page_shows_shares_and_says_when_there_is_no_size(world: World, training: TrainingWorld) -> None:
    actions.do_import_participants(world.users[Role.ANALYST], training.programme, "l.csv", LIST_CSV.encode())
    actions.do_set_denominator(world.users[Role.ANALYST], world.org_a, audience="judges", year=2026, institution="Poder Judicial", size=180)  # fmt: skip
    client = _client(world, Role.VIEWER)
    page = client.get("/training/coverage/", {"topic": "electronic-evidence"}).content.decode()
    assert "Electronic evidence" in page
    assert "0.6 %" in page  # 1 judge of 180
    assert "No audience size: no share" in page  # the prosecutors have no size
    assert "<svg" in page


def test_an_upload_on_the_programme_page_shows_its_result(world: World, training: TrainingWorld) -> None:
    client = _client(world)
    upload = SimpleUploadedFile("list.csv", LIST_CSV.encode(), content_type="text/csv")
    response = client.post(f"/training/programmes/{training.programme.pk}/import/", {"file": upload})
    record = ParticipantImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/training/imports/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "5 rows read" not in page and "4 rows read; the list was imported." in page
    assert Session.objects.filter(start_date=dt.date(2026, 9, 14)).exists()
    bad = SimpleUploadedFile("bad.csv", b"key,audience,course,session_date\nJ-1,aliens,x,2026-01-01\n")
    response = client.post(f"/training/programmes/{training.programme.pk}/import/", {"file": bad})
    rejected = ParticipantImport.objects.get(status="rejected")
    page = client.get(response["Location"]).content.decode()
    assert "bad.csv, row 2, column audience" in page
    rejects = b"".join(client.get(f"/training/imports/{rejected.pk}/rejected.csv").streaming_content).decode()
    assert rejects.splitlines()[0].startswith("row,column,reason,key")
    assert rejects.splitlines()[1].startswith("2,audience,")


def test_the_api_imports_a_list_and_answers_400_for_a_bad_one(world: World, training: TrainingWorld) -> None:
    api = APIClient()
    api.force_authenticate(world.users[Role.ANALYST])
    path = f"/api/training-programmes/{training.programme.pk}/import/"
    good = api.post(path, {"file": SimpleUploadedFile("l.csv", LIST_CSV.encode())}, format="multipart")
    assert good.status_code == 200 and good.json()["counts"]["attendance_created"] == 4
    bad = api.post(
        path, {"file": SimpleUploadedFile("b.csv", b"key,audience,course,session_date\nJ,x,y,z\n")}, format="multipart"
    )
    assert bad.status_code == 400 and bad.json()["status"] == "rejected" and len(bad.json()["problems"]) == 3
    coverage = api.get("/api/training-coverage/", {"organisation": world.org_a.pk, "topic": "electronic-evidence", "audience": "judges", "national": "1"}).json()  # fmt: skip
    assert coverage == [
        {
            "audience": "judges",
            "topic": "electronic-evidence",
            "year": 2026,
            "institution": "",
            "trained": 1,
            "attended_only": 1,
            "cumulative_trained": 1,
            "denominator": None,
            "share": None,
            "cumulative_share": None,
            "institutions_without_size": 1,
        }
    ]


def test_a_session_is_edited_on_its_own_page(world: World, training: TrainingWorld) -> None:
    client = _client(world)
    path = f"/training/sessions/{training.session.pk}/edit/"
    assert 'value="2026-05-04"' in client.get(path).content.decode()
    bad = client.post(path, {"start_date": "2026-05-04", "end_date": "2026-05-01"})
    assert bad.status_code == 400 and "cannot come before" in bad.content.decode()
    response = client.post(path, {"start_date": "2026-05-04", "end_date": "2026-05-06", "place": "Asunción"})
    assert response.status_code == 302 and response["Location"] == f"/training/sessions/{training.session.pk}/"
    training.session.refresh_from_db()
    assert (training.session.end_date, training.session.place) == (dt.date(2026, 5, 6), "Asunción")
    assert AuditEntry.objects.filter(content_type__model="session", action="update").count() == 1
    assert _client(world, Role.CONTRIBUTOR).get(path).status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(path).status_code == 404


def test_deleting_a_programme_asks_first_and_names_what_goes_with_it(world: World, training: TrainingWorld) -> None:
    participant = actions.do_create_participant(world.users[Role.ANALYST], world.org_a, key="J-9", audience="judges")
    actions.do_record_attendance(world.users[Role.ANALYST], training.session, participant, completed=True)
    path = f"/training/programmes/{training.programme.pk}/delete/"
    # An analyst edits but may not delete: no button, and the page refuses.
    analyst = _client(world)
    assert f'href="{path}"' not in analyst.get(f"/training/programmes/{training.programme.pk}/").content.decode()
    assert analyst.get(path).status_code == 403 and analyst.post(path).status_code == 403

    coordinator = _client(world, Role.COORDINATOR)
    assert f'href="{path}"' in coordinator.get(f"/training/programmes/{training.programme.pk}/").content.decode()
    page = coordinator.get(path).content.decode()
    assert "Evidence for judges" in page and "1 course with its sessions" in page and "1 attendance record" in page
    assert Programme.objects.filter(pk=training.programme.pk).exists()  # asking deletes nothing

    response = coordinator.post(path)
    assert response.status_code == 302 and response["Location"] == "/training/"
    assert not Programme.objects.filter(pk=training.programme.pk).exists()
    assert not Session.objects.filter(pk=training.session.pk).exists()
    deleted = set(AuditEntry.objects.filter(action="delete").values_list("content_type__model", flat=True))
    assert {"programme", "course", "session", "attendance"} <= deleted


def test_a_course_a_session_and_a_participant_are_deleted_from_their_pages(
    world: World, training: TrainingWorld
) -> None:
    participant = actions.do_create_participant(world.users[Role.ANALYST], world.org_a, key="J-9", audience="judges")
    actions.do_record_attendance(world.users[Role.ANALYST], training.session, participant)
    coordinator = _client(world, Role.COORDINATOR)

    page = coordinator.get(f"/training/participants/{participant.pk}/delete/").content.decode()
    assert "J-9" in page and "1 attendance record" in page
    assert coordinator.post(f"/training/participants/{participant.pk}/delete/")["Location"] == "/training/participants/"
    assert not training.session.attendance.exists()

    response = coordinator.post(f"/training/sessions/{training.session.pk}/delete/")
    assert response["Location"] == f"/training/courses/{training.course.pk}/"
    assert not Session.objects.filter(pk=training.session.pk).exists()

    response = coordinator.post(f"/training/courses/{training.course.pk}/delete/")
    assert response["Location"] == f"/training/programmes/{training.programme.pk}/"
    assert not Course.objects.filter(pk=training.course.pk).exists()
    assert Programme.objects.filter(pk=training.programme.pk).exists()
