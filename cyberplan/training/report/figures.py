"""The figures of the capacity-building report, counted from the records without any personal data.

Only counts leave this module: participants are read by their database id to count each person once,
never by key, name or contact. Sessions count in the year they end (``Session.year``), as coverage does, and a
session is held when attendance is recorded for it, as the section's activity figures (``figures.py``) say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from cyberplan.core.models import Organisation, User
from cyberplan.reports.marking import labels_at_or_below

from ..access import attendance_visible_to, programmes_visible_to
from ..catalogue import shipped_topics
from ..coverage import CoverageTable, coverage_for
from ..figures import YearFigures, activity_by_year
from ..models import Attendance, Course, Programme


def up_to_year(year: int, prefix: str = "") -> Q:
    """Sessions (or attendance through ``prefix``) that count in ``year`` or earlier: the year they end."""
    return Q(**{f"{prefix}end_date__year__lte": year}) | Q(
        **{f"{prefix}end_date__isnull": True, f"{prefix}start_date__year__lte": year}
    )


@dataclass
class ProgrammeFigures:
    programme: Programme
    courses: int = 0
    sessions: int = 0
    hours: Decimal = Decimal("0")
    attended: set[int] = field(default_factory=set)
    completed: set[int] = field(default_factory=set)


@dataclass
class Figures:
    """Everything the report counts for one owner organisation, one year and one marking."""

    organisation: Organisation
    year: int
    tlp: str
    programmes: list[ProgrammeFigures]
    years: dict[int, YearFigures]  # the section's activity figures, each year up to the report's
    completed_by_year: dict[int, dict[str, set[int]]]  # year -> audience -> people who completed
    audience_attended: dict[str, set[int]]
    audience_completed: dict[str, set[int]]
    coverage: CoverageTable
    illustrative: bool

    @property
    def this_year(self) -> YearFigures:
        return self.years.get(self.year) or YearFigures(self.year)


def report_programmes(organisation: Organisation, tlp: str, reader: User | None = None) -> QuerySet[Programme]:
    """The organisation's programmes a report marked ``tlp`` may count (and, with ``reader``, that they read)."""
    programmes = programmes_visible_to(reader) if reader is not None else Programme.objects.all()
    return programmes.filter(organisation=organisation, tlp__in=labels_at_or_below(tlp))


def count_figures(organisation: Organisation, year: int, tlp: str, reader: User | None = None) -> Figures:
    programmes = list(report_programmes(organisation, tlp, reader).select_related("provider").order_by("title", "id"))
    ids = [p.pk for p in programmes]
    by_programme = {p.pk: ProgrammeFigures(p) for p in programmes}
    courses = Course.objects.filter(programme_id__in=ids).values("programme_id").annotate(n=Count("id"))
    for programme_id, count in courses.values_list("programme_id", "n"):
        by_programme[programme_id].courses = count

    attendance: QuerySet[Attendance] = attendance_visible_to(reader) if reader is not None else Attendance.objects.all()
    attendance = attendance.filter(up_to_year(year, "session__"), session__course__programme_id__in=ids)
    # The same activity figures as the section's pages (sessions held are those with attendance recorded).
    years = {row.year: row for row in activity_by_year(organisation.pk, attendance)}
    completed_by_year: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    audience_attended: dict[str, set[int]] = defaultdict(set)
    audience_completed: dict[str, set[int]] = defaultdict(set)
    held: dict[int, dict[int, Decimal]] = defaultdict(dict)  # programme -> session -> hours, in the year
    rows = attendance.values_list(
        "participant_id",
        "participant__audience",
        "attended",
        "completed",
        "session_id",
        "session__course__hours",
        "session__start_date",
        "session__end_date",
        "session__course__programme_id",
    )
    for person, audience, attended, completed, session, hours, start, end, programme_id in rows:
        session_year = (end or start).year
        if completed:
            completed_by_year[session_year][audience].add(person)
        if session_year != year:
            continue
        held[programme_id][session] = hours
        if attended:
            by_programme[programme_id].attended.add(person)
            audience_attended[audience].add(person)
        if completed:
            by_programme[programme_id].completed.add(person)
            audience_completed[audience].add(person)
    for programme_id, sessions in held.items():
        by_programme[programme_id].sessions = len(sessions)
        by_programme[programme_id].hours = sum(sessions.values(), Decimal(0))

    table = coverage_for(organisation.pk, attendance, shipped_topics().keys())
    return Figures(
        organisation=organisation,
        year=year,
        tlp=tlp,
        programmes=list(by_programme.values()),
        years=dict(sorted(years.items())),
        completed_by_year={y: dict(a) for y, a in sorted(completed_by_year.items())},
        audience_attended=dict(audience_attended),
        audience_completed=dict(audience_completed),
        coverage=table,
        illustrative=any(p.illustrative for p in programmes),
    )
