"""Importing participant lists: every row checked, nothing written when one is wrong, rejected rows kept with
their reason, the same person matched on the key, and the same list twice changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.training import actions, importing
from cyberplan.training.coverage import coverage_for
from cyberplan.training.models import Attendance, ImportStatus, Participant, ParticipantImport, Session
from tests.conftest import World

from .conftest import LIST_CSV, TrainingWorld


def test_a_list_is_imported_with_each_person_once(world: World, training: TrainingWorld) -> None:
    outcome = actions.do_import_participants(
        world.users[Role.COORDINATOR], training.programme, "workshop.csv", LIST_CSV.encode(), with_names=True
    )
    assert outcome.ok, outcome.problems
    assert outcome.counts.participants_created == 3
    assert outcome.counts.sessions_created == 1  # 2026-05-04 exists already; 2026-09-14 is new
    assert outcome.counts.attendance_created == 4
    judge = Participant.objects.get(organisation=world.org_a, key="J-001")
    assert judge.attendance.count() == 2 and judge.name == "Ana Benítez"
    assert Session.objects.get(course=training.course, start_date=dt.date(2026, 9, 14)).end_date == dt.date(2026, 9, 15)
    row = coverage_for(world.org_a.pk).get("judges", "electronic-evidence", 2026)
    assert row is not None and (row.trained, row.attended_only) == (1, 1)


def test_importing_the_same_list_again_changes_nothing(world: World, training: TrainingWorld) -> None:
    coordinator = world.users[Role.COORDINATOR]
    actions.do_import_participants(coordinator, training.programme, "a.csv", LIST_CSV.encode(), with_names=True)
    entries = AuditEntry.objects.count()
    again = actions.do_import_participants(coordinator, training.programme, "a.csv", LIST_CSV.encode(), with_names=True)
    assert again.ok
    assert again.counts.as_dict() == {
        "participants_created": 0,
        "participants_updated": 0,
        "sessions_created": 0,
        "attendance_created": 0,
        "attendance_updated": 0,
        "unchanged": 4,
    }
    assert AuditEntry.objects.count() == entries + 1  # only the import record itself
    assert Attendance.objects.count() == 4 and Participant.objects.count() == 3


def test_a_changed_row_updates_the_attendance_it_names(world: World, training: TrainingWorld) -> None:
    analyst = world.users[Role.ANALYST]
    actions.do_import_participants(analyst, training.programme, "a.csv", LIST_CSV.encode())
    changed = LIST_CSV.replace("J-002,Carlos Duarte,,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,no,",
                               "J-002,,,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,yes,70")  # fmt: skip
    outcome = actions.do_import_participants(analyst, training.programme, "b.csv", changed.encode())
    assert (outcome.counts.attendance_updated, outcome.counts.unchanged) == (1, 3)
    assert Attendance.objects.get(participant__key="J-002").completed is True


def test_every_bad_row_is_named_and_nothing_is_written(world: World, training: TrainingWorld) -> None:
    bad = (
        "key,audience,course,session_date,attended,completed,score,email\n"
        "J-001,judges,Electronic evidence in court,2026-05-04,yes,yes,88,\n"
        ",judges,Electronic evidence in court,2026-05-04,yes,no,,\n"
        "J-003,astronauts,Electronic evidence in court,2026-05-04,yes,no,,\n"
        "J-004,judges,Cooking,2026-05-04,yes,no,,\n"
        "J-005,judges,Electronic evidence in court,4 May,yes,no,,\n"
        "J-006,judges,Electronic evidence in court,2026-05-04,no,yes,,\n"
        "J-007,judges,Electronic evidence in court,2026-05-04,perhaps,no,140,not-an-address\n"
        "J-001,judges,Electronic evidence in court,2026-05-04,yes,yes,88,\n"
    )
    outcome = actions.do_import_participants(world.users[Role.ANALYST], training.programme, "bad.csv", bad.encode())
    assert not outcome.ok
    texts = [p.text("bad.csv") for p in outcome.problems]
    assert "bad.csv, row 3, column key: This column is required." in texts
    assert any(t.startswith("bad.csv, row 4, column audience: Unknown audience 'astronauts'") for t in texts)
    assert any(t.startswith("bad.csv, row 5, column course: The programme has no course 'Cooking'") for t in texts)
    assert "bad.csv, row 6, column session_date: '4 May' is not a date (write YYYY-MM-DD)." in texts
    assert "bad.csv, row 7, column completed: A participant who did not attend cannot have completed." in texts
    assert "bad.csv, row 8, column attended: Write yes or no, not 'perhaps'." in texts
    assert "bad.csv, row 8, column score: The score must be between 0 and 100." in texts
    assert "bad.csv, row 8, column email: 'not-an-address' is not an email address." in texts
    assert "bad.csv, row 9, column key: The same participant and session are already on row 2." in texts
    # Nothing written, the import kept as rejected with each row's reason and cells.
    assert Participant.objects.count() == 0 and Attendance.objects.count() == 0
    record = ParticipantImport.objects.get()
    assert record.status == ImportStatus.REJECTED and record.rows == 8
    assert {"row": 4, "column": "audience"}.items() <= record.problems[1].items()
    assert record.problems[1]["cells"]["audience"] == "astronauts"


def test_a_header_with_unknown_or_missing_columns_is_refused(world: World, training: TrainingWorld) -> None:
    outcome = actions.do_import_participants(
        world.users[Role.ANALYST], training.programme, "h.csv", b"key,profession,course\nJ-1,judge,x\n"
    )
    texts = [p.text("h.csv") for p in outcome.problems]
    assert any(t.startswith("h.csv, row 1, column profession: Unknown column") for t in texts)
    assert "h.csv, row 1, column audience: The column is missing." in texts
    assert "h.csv, row 1, column session_date: The column is missing." in texts


def test_the_same_key_with_another_audience_is_a_conflict(world: World, training: TrainingWorld) -> None:
    listing = (
        "key,audience,course,session_date\n"
        "J-001,judges,Electronic evidence in court,2026-05-04\n"
        "J-001,prosecutors,Electronic evidence in court,2026-09-14\n"
    )
    outcome = actions.do_import_participants(world.users[Role.ANALYST], training.programme, "c.csv", listing.encode())
    assert [p.text("c.csv") for p in outcome.problems] == [
        "c.csv, row 3, column key: Row 2 gives the same key another audience or institution."
    ]


def test_names_are_not_recorded_for_an_importer_who_is_not_the_coordinator(
    world: World, training: TrainingWorld
) -> None:
    outcome = actions.do_import_participants(world.users[Role.ANALYST], training.programme, "a.csv", LIST_CSV.encode())
    assert outcome.ok and outcome.record.names_ignored
    assert not Participant.objects.exclude(name="").exists()
    assert not Participant.objects.exclude(email="").exists()


def test_rejected_rows_keep_no_names(world: World, training: TrainingWorld) -> None:
    listing = (
        "key,name,audience,course,session_date\nJ-1,Ana Benítez,astronauts,Electronic evidence in court,2026-05-04\n"
    )
    outcome = actions.do_import_participants(
        world.users[Role.COORDINATOR], training.programme, "n.csv", listing.encode(), with_names=True
    )
    assert outcome.record.problems[0]["cells"]["name"] == "(…)"
    assert "Benítez" not in str(outcome.record.problems)


def test_an_xlsx_list_is_read_like_a_csv(world: World, training: TrainingWorld) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Key", "Audience", "Course", "Session date", "Completed", "Score"])
    sheet.append(["J-001", "Jueces", "Electronic evidence in court", dt.datetime(2026, 5, 4), "sí", 88])  # noqa: DTZ001 - a spreadsheet date
    sheet.append(["J-002", "Judges", "electronic  evidence in court", "2026-05-04", "no", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = actions.do_import_participants(
        world.users[Role.ANALYST], training.programme, "list.xlsx", buffer.getvalue()
    )
    assert outcome.ok, [p.text("list.xlsx") for p in outcome.problems]
    first = Attendance.objects.get(participant__key="J-001")
    assert first.completed and first.score == 88 and first.session == training.session
    assert Participant.objects.get(key="J-002").audience == "judges"


def test_an_xlsx_row_problem_names_the_spreadsheet_row(world: World, training: TrainingWorld) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["key", "audience", "course", "session_date"])
    sheet.append(["J-001", "judges", "Electronic evidence in court", "soon"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = actions.do_import_participants(world.users[Role.ANALYST], training.programme, "l.xlsx", buffer.getvalue())
    assert [p.text("l.xlsx") for p in outcome.problems] == [
        "l.xlsx, row 2, column session_date: 'soon' is not a date (write YYYY-MM-DD)."
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("list.txt", b"key\n", "Give a .csv or .xlsx file, not list.txt."),
        ("list.csv", b"\xff\xfekey", "list.csv is not UTF-8 text"),
        ("list.xlsx", b"not a zip", "list.xlsx is not an XLSX spreadsheet."),
        ("list.csv", b"", "list.csv is empty; its first row names the columns."),
    ],
)
def test_a_file_that_cannot_be_read_says_why(
    world: World, training: TrainingWorld, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(importing.ListFileError, match=message.replace(".", r"\.")):
        actions.do_import_participants(world.users[Role.ANALYST], training.programme, name, data)
    assert not ParticipantImport.objects.exists()


def test_a_list_over_the_size_limit_is_refused(world: World, training: TrainingWorld, settings: object) -> None:
    setattr(settings, "CYBERPLAN_MAX_UPLOAD_BYTES", 100)  # noqa: B010 - pytest-django's settings fixture
    with pytest.raises(importing.ListFileError, match="the limit for a participant list is 100"):
        actions.do_import_participants(world.users[Role.ANALYST], training.programme, "big.csv", LIST_CSV.encode())
