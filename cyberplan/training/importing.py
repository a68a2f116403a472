"""Reading a participant list (CSV or XLSX) into checked rows, before anything is written.

The list has one row per participant per session, as programmes send them (docs/how-to/training.md):

    key, name, email, phone, institution, audience, role, course, session_date, session_end, place,
    attended, completed, score

``key``, ``audience``, ``course`` and ``session_date`` are required; the rest may be left out. Each
problem names the file, the row (the spreadsheet's row number; the header is row 1) and the column, in
the active language. ``cyberplan.training.actions.do_import_participants`` writes the rows only when no
row has a problem, in one transaction; otherwise it keeps every rejected row with its reason.

Nothing here touches the database except to look the programme's courses up.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from .choices import Audience
from .models import Course, Programme, tidy

COLUMNS = (
    "key",
    "name",
    "email",
    "phone",
    "institution",
    "audience",
    "role",
    "course",
    "session_date",
    "session_end",
    "place",
    "attended",
    "completed",
    "score",
)
REQUIRED = ("key", "audience", "course", "session_date")
PERSONAL_COLUMNS = ("name", "email", "phone")
MAX_ROWS = 20000
MAX_LIST_BYTES = 10 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
"""What an XLSX may unpack to: a spreadsheet is a zip archive, and a small one could unpack to gigabytes."""

TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x", "si", "sí", "s", "verdadero"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "falso", ""})


class ListFileError(Exception):
    """The file cannot be read at all (too large, not CSV or XLSX, not UTF-8, no header)."""


@dataclass
class RowProblem:
    row: int  # 0: the file as a whole
    column: str
    message: str
    cells: dict[str, str] = field(default_factory=dict)

    def text(self, file_name: str) -> str:
        if not self.row:
            return _("%(file)s: %(message)s") % {"file": file_name, "message": self.message}
        if not self.column:
            return _("%(file)s, row %(row)d: %(message)s") % {
                "file": file_name,
                "row": self.row,
                "message": self.message,
            }
        return _("%(file)s, row %(row)d, column %(column)s: %(message)s") % {
            "file": file_name,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        """As kept with a rejected import: names and contact details are left out of the row's cells (the
        import is read by everyone who reads the programme; the coordinator still has the file)."""
        cells = {k: ("(…)" if k in PERSONAL_COLUMNS and v else v) for k, v in self.cells.items()}
        return {"row": self.row, "column": self.column, "message": self.message, "cells": cells}


@dataclass
class ListRow:
    """One checked row: the participant's pseudonymous record, the session, and the attendance."""

    row: int
    key: str
    audience: str
    course: Course
    session_date: datetime.date
    session_end: datetime.date | None = None
    place: str = ""
    institution: str = ""
    position: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    attended: bool = True
    completed: bool = False
    score: Decimal | None = None


@dataclass
class ReadList:
    rows: list[ListRow]
    problems: list[RowProblem]
    read: int  # rows read (blank rows left out)
    has_personal_data: bool


def max_bytes() -> int:
    return min(int(settings.CYBERPLAN_MAX_UPLOAD_BYTES), MAX_LIST_BYTES)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ListFileError(
            _("%(file)s is not UTF-8 text (byte %(position)d); save it as CSV UTF-8.")
            % {"file": file_name, "position": error.start}
        ) from None
    if "\x00" in text:
        raise ListFileError(_("%(file)s contains binary data, not text.") % {"file": file_name})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    try:
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            out.append((start, [c.strip() for c in cells]))
            if len(out) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ListFileError(
            _("%(file)s, row %(row)d cannot be read: %(error)s") % {"file": file_name, "row": start, "error": error}
        ) from None
    return out


def _read_xlsx(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    import openpyxl  # only where a spreadsheet is read

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ListFileError(_("%(file)s is not an XLSX spreadsheet.") % {"file": file_name}) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ListFileError(
            _("%(file)s unpacks to %(size)s; the limit is %(limit)s.")
            % {"file": file_name, "size": filesizeformat(unpacked), "limit": filesizeformat(MAX_XLSX_UNPACKED_BYTES)}
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ListFileError(
            _("%(file)s cannot be read as a spreadsheet: %(error)s") % {"file": file_name, "error": str(error)[:200]}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        out: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            out.append((number, [_cell(v) for v in values]))
            if len(out) > MAX_ROWS + 1:
                break
        return out
    finally:
        workbook.close()


def read_table(data: bytes, file_name: str) -> list[tuple[int, list[str]]]:
    """The rows of the file as (row number, cells), header first."""
    if len(data) > max_bytes():
        raise ListFileError(
            _("%(file)s is %(size)s; the limit for a participant list is %(limit)s.")
            % {"file": file_name, "size": filesizeformat(len(data)), "limit": filesizeformat(max_bytes())}
        )
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(data, file_name)
    if suffix == ".xlsx":
        return _read_xlsx(data, file_name)
    raise ListFileError(_("Give a .csv or .xlsx file, not %(file)s.") % {"file": file_name or "?"})


# How Spanish-speaking programmes name the audiences in their lists, apart from the translated labels.
SPANISH_AUDIENCES = {
    "jueces": Audience.JUDGES,
    "juez": Audience.JUDGES,
    "jueza": Audience.JUDGES,
    "magistrados": Audience.JUDGES,
    "fiscales": Audience.PROSECUTORS,
    "fiscal": Audience.PROSECUTORS,
    "policía": Audience.POLICE,
    "policia": Audience.POLICE,
    "personal de csirt": Audience.CSIRT_STAFF,
    "csirt": Audience.CSIRT_STAFF,
    "funcionarios públicos": Audience.PUBLIC_OFFICIALS,
    "funcionarios publicos": Audience.PUBLIC_OFFICIALS,
    "funcionarios": Audience.PUBLIC_OFFICIALS,
    "personal de infraestructuras críticas": Audience.CRITICAL_INFRASTRUCTURE,
    "personal de infraestructuras criticas": Audience.CRITICAL_INFRASTRUCTURE,
    "infraestructuras críticas": Audience.CRITICAL_INFRASTRUCTURE,
    "otro": Audience.OTHER,
    "otros": Audience.OTHER,
}


def _audience_words() -> dict[str, str]:
    """Every way a list may name an audience: its key, its label in English and in Spanish, common words."""
    words: dict[str, str] = {k: str(v) for k, v in SPANISH_AUDIENCES.items()}
    for value in Audience.values:
        words[value.casefold()] = value
        words[value.replace("_", " ").casefold()] = value
    for language in ("en", "es"):
        with translation.override(language):
            for value, label in Audience.choices:
                words[str(label).casefold()] = value
    return words


def _flag(value: str, default: bool) -> bool | None:
    if not value:
        return default
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _date(value: str) -> datetime.date | None:
    text = value.strip()[:10]
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _header_problems(header_row: int, columns: list[str]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    for index, name in enumerate(columns):
        if name and name not in COLUMNS:
            problems.append(
                RowProblem(
                    header_row,
                    name[:40],
                    _("Unknown column; the columns are %(columns)s.") % {"columns": ", ".join(COLUMNS)},
                )
            )
        elif name and name in columns[:index]:
            problems.append(RowProblem(header_row, name, _("The column appears twice.")))
    for required in REQUIRED:
        if required not in columns:
            problems.append(RowProblem(header_row, required, _("The column is missing.")))
    return problems


class _RowChecker:
    """Checks the rows of one list in order, remembering what earlier rows said (the same key, the same session)."""

    def __init__(self, programme: Programme) -> None:
        self.courses = {tidy(c.title).casefold(): c for c in programme.courses.all()}
        self.audiences = _audience_words()
        self.sessions: dict[tuple[str, int, datetime.date], int] = {}
        self.people: dict[str, tuple[int, str, str]] = {}  # key -> (first row, audience, institution)
        self.problems: list[RowProblem] = []
        self.number = 0
        self.values: dict[str, str] = {}

    def _problem(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(self.number, column, message, self.values))

    def _date(self, column: str) -> datetime.date | None:
        if not self.values.get(column):
            return None
        value = _date(self.values[column])
        if value is None:
            self._problem(
                column, _("%(value)r is not a date (write YYYY-MM-DD).") % {"value": self.values[column][:20]}
            )
        return value

    def _score(self) -> Decimal | None:
        raw = self.values.get("score", "")
        if not raw:
            return None
        try:
            score = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            self._problem("score", _("%(value)r is not a number.") % {"value": raw[:20]})
            return None
        if not score.is_finite() or not (0 <= score <= 100):
            self._problem("score", _("The score must be between 0 and 100."))
            return None
        return score

    def _lookups(self) -> tuple[str, Course | None]:
        values = self.values
        audience = self.audiences.get(tidy(values.get("audience", "")).casefold(), "") if values.get("audience") else ""
        if values.get("audience") and not audience:
            self._problem(
                "audience",
                _("Unknown audience %(value)r; use one of %(values)s.")
                % {"value": values["audience"][:40], "values": ", ".join(Audience.values)},
            )
        course = self.courses.get(tidy(values.get("course", "")).casefold()) if values.get("course") else None
        if values.get("course") and course is None:
            self._problem(
                "course",
                _("The programme has no course %(value)r; add the course first.") % {"value": values["course"][:80]},
            )
        return audience, course

    def _texts(self) -> None:
        email = self.values.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self._problem("email", _("%(value)r is not an email address.") % {"value": email[:80]})
        for column, limit in (("name", 200), ("phone", 40), ("institution", 200), ("role", 200), ("place", 200)):
            if len(self.values.get(column, "")) > limit:
                self._problem(column, _("Longer than %(count)d characters.") % {"count": limit})

    def _against_earlier_rows(
        self, key: str, audience: str, institution: str, course: Course | None, start: datetime.date | None
    ) -> None:
        if key and audience:
            first = self.people.get(key)
            if first is None:
                self.people[key] = (self.number, audience, institution)
            elif (first[1], first[2].casefold()) != (audience, institution.casefold()):
                self._problem(
                    "key", _("Row %(row)d gives the same key another audience or institution.") % {"row": first[0]}
                )
        if key and course is not None and start is not None:
            earlier = self.sessions.get((key, course.pk, start))
            if earlier is not None:
                self._problem(
                    "key", _("The same participant and session are already on row %(row)d.") % {"row": earlier}
                )
            else:
                self.sessions[(key, course.pk, start)] = self.number

    def check(self, number: int, values: dict[str, str], extra: bool) -> ListRow | None:
        """The checked row, or None when it has a problem (added to ``problems``)."""
        self.number, self.values = number, values
        before = len(self.problems)
        if extra:
            self._problem("", _("The row has more cells than the header has columns."))
        for required in REQUIRED:
            if not values.get(required):
                self._problem(required, _("This column is required."))
        key = tidy(values.get("key", ""))
        if len(key) > 80:
            self._problem("key", _("The key is longer than 80 characters."))
        audience, course = self._lookups()
        start, end = self._date("session_date"), self._date("session_end")
        if start and end and end < start:
            self._problem("session_end", _("The session cannot end before it starts."))
        attended = _flag(values.get("attended", ""), True)
        completed = _flag(values.get("completed", ""), False)
        for column, flag in (("attended", attended), ("completed", completed)):
            if flag is None:
                self._problem(column, _("Write yes or no, not %(value)r.") % {"value": values[column][:20]})
        if completed and attended is False:
            self._problem("completed", _("A participant who did not attend cannot have completed."))
        score = self._score()
        self._texts()
        institution = tidy(values.get("institution", ""))
        self._against_earlier_rows(key, audience, institution, course, start)
        if len(self.problems) > before or course is None or start is None or attended is None or completed is None:
            return None
        return ListRow(
            row=number,
            key=key,
            audience=audience,
            course=course,
            session_date=start,
            session_end=end,
            place=tidy(values.get("place", "")),
            institution=institution,
            position=tidy(values.get("role", "")),
            name=tidy(values.get("name", "")),
            email=values.get("email", "").strip(),
            phone=tidy(values.get("phone", "")),
            attended=attended,
            completed=completed,
            score=score,
        )


def read_participant_list(data: bytes, file_name: str, programme: Programme) -> ReadList:
    """Check every row of the list against the programme's courses; raises ``ListFileError`` when the file
    cannot be read at all."""
    table = [(n, cells) for n, cells in read_table(data, file_name) if any(cells)]
    if not table:
        raise ListFileError(_("%(file)s is empty; its first row names the columns.") % {"file": file_name})
    header_row, header = table[0]
    columns = [c.strip().casefold().replace(" ", "_") for c in header]
    problems = _header_problems(header_row, columns)
    if problems:
        return ReadList([], problems, 0, False)
    body = table[1:]
    if len(body) > MAX_ROWS:
        return ReadList(
            [], [RowProblem(0, "", _("The list has more than %(count)d rows.") % {"count": MAX_ROWS})], 0, False
        )
    checker = _RowChecker(programme)
    rows: list[ListRow] = []
    personal = False
    for number, cells in body:
        values = {name: cells[i] if i < len(cells) else "" for i, name in enumerate(columns) if name}
        row = checker.check(number, values, any(c for c in cells[len(columns) :]))
        if row is not None:
            rows.append(row)
            personal = personal or any(values.get(c) for c in PERSONAL_COLUMNS)
    return ReadList(rows, checker.problems, len(body), personal)


def template_csv() -> str:
    """An empty participant list with its header and two example rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "J-0001",
            "",
            "",
            "",
            "Poder Judicial",
            "judges",
            "Criminal judge",
            "Electronic evidence in court",
            "2026-05-04",
            "2026-05-05",
            "Asunción",
            "yes",
            "yes",
            "86",
        ]
    )
    writer.writerow(
        [
            "F-0107",
            "",
            "",
            "",
            "Ministerio Público",
            "prosecutors",
            "Prosecutor",
            "Electronic evidence in court",
            "2026-05-04",
            "2026-05-05",
            "Asunción",
            "yes",
            "no",
            "",
        ]
    )
    return out.getvalue()
