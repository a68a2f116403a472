"""Activity figures of one owner organisation's training by year: programmes, courses, sessions, hours, and
people by audience (each person once). For the pages, the capacity-building report and assessment evidence.

Like coverage, the figures count what the attendance queryset given holds, so the caller narrows it to what
its reader may see (``access.attendance_visible_to``, or ``access.coverage_for_organisation``'s labels).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from .models import Attendance


@dataclass
class YearFigures:
    year: int
    programmes: int = 0
    courses: int = 0
    sessions: int = 0
    hours: Decimal = Decimal(0)  # course hours of each session held (a course given twice counts twice)
    participants: int = 0  # people who attended at least one session, each once
    completed: int = 0  # people who completed at least one session, each once
    by_audience: dict[str, int] = field(default_factory=dict)  # audience -> people who attended, each once


def activity_by_year(organisation_id: int, attendance: QuerySet[Attendance] | None = None) -> list[YearFigures]:
    """One row per year with attendance, oldest first (sessions without attendance are not counted)."""
    if attendance is None:
        attendance = Attendance.objects.all()
    rows = (
        attendance.filter(session__course__programme__organisation_id=organisation_id)
        .order_by()
        .values_list(
            "session_id",
            "session__start_date",
            "session__end_date",
            "session__course_id",
            "session__course__hours",
            "session__course__programme_id",
            "participant_id",
            "participant__audience",
            "attended",
            "completed",
        )
    )
    programmes: dict[int, set[int]] = defaultdict(set)
    courses: dict[int, set[int]] = defaultdict(set)
    sessions: dict[int, dict[int, Decimal]] = defaultdict(dict)
    people: dict[int, set[int]] = defaultdict(set)
    done: dict[int, set[int]] = defaultdict(set)
    audiences: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for session, start, end, course, hours, programme, person, audience, attended, completed in rows:
        year = (end or start).year
        programmes[year].add(programme)
        courses[year].add(course)
        sessions[year][session] = hours
        if attended:
            people[year].add(person)
            audiences[year][audience].add(person)
        if completed:
            done[year].add(person)
    return [
        YearFigures(
            year=year,
            programmes=len(programmes[year]),
            courses=len(courses[year]),
            sessions=len(sessions[year]),
            hours=sum(sessions[year].values(), Decimal(0)),
            participants=len(people[year]),
            completed=len(done[year]),
            by_audience={a: len(p) for a, p in sorted(audiences[year].items())},
        )
        for year in sorted(sessions)
    ]
