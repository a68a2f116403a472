"""Coverage: the share of an audience trained in a topic, by year and cumulatively, each person once.

Definitions (docs/concepts/training-coverage.md):

- **Trained** in a topic in a year: the participant *completed* a session, ending that year, of a course
  that teaches the topic. A person who completed three such sessions counts once.
- **Attended only**: attended at least one such session that year but completed none of them; shown
  beside the trained, never added to them.
- **Cumulative** to a year: trained in the topic in that year or any earlier one, each person once
  across years.
- The **denominator** is the size of the audience in the institution that year; the national row sums
  the institutions' sizes. With no denominator the share is ``None`` ("no denominator"), never 0 %.
  ``institutions_without_size`` says how many institutions had people trained but no size that year, so
  a national share that leaves some of them out is labelled as such.
- ``topic=None`` means any topic.

The arithmetic (``compute_coverage``) works on plain facts, without Django; ``coverage_for`` reads the
facts of one owner organisation from the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from .models import Attendance, Denominator, institution_key

NATIONAL = ""
"""The ``institution`` of a national row (all institutions together)."""


@dataclass(frozen=True)
class AttendanceFact:
    """One attendance, flattened: who (by participant id), which audience and institution, what, when."""

    person: int
    audience: str
    institution: str  # as written; compared through institution_key
    topics: frozenset[str]
    year: int
    attended: bool
    completed: bool


@dataclass(frozen=True)
class DenominatorFact:
    audience: str
    institution: str
    year: int
    size: int


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one audience, in one topic (or any), one year, one institution (or national)."""

    audience: str
    topic: str | None
    year: int
    institution: str  # the institution's name as first written; NATIONAL ("") for the national row
    trained: int
    attended_only: int
    cumulative_trained: int
    denominator: int | None
    institutions_without_size: int = 0

    @property
    def is_national(self) -> bool:
        return self.institution == NATIONAL

    @property
    def share(self) -> float | None:
        """Trained that year over the audience size; None when there is no denominator."""
        return self.trained / self.denominator if self.denominator else None

    @property
    def cumulative_share(self) -> float | None:
        """Trained up to that year over that year's audience size; None when there is no denominator."""
        return self.cumulative_trained / self.denominator if self.denominator else None

    @property
    def share_percent(self) -> float | None:
        share = self.share
        return None if share is None else 100 * share

    @property
    def cumulative_percent(self) -> float | None:
        share = self.cumulative_share
        return None if share is None else 100 * share

    @property
    def has_denominator(self) -> bool:
        return self.denominator is not None


@dataclass(frozen=True)
class CoverageTable:
    """Every row computed for one owner organisation, with lookups the pages and the report use."""

    rows: tuple[CoverageRow, ...]
    years: tuple[int, ...]
    audiences: tuple[str, ...]
    topics: tuple[str, ...]
    _index: dict[tuple[str, str | None, int, str], CoverageRow] = field(default_factory=dict, repr=False)

    def get(self, audience: str, topic: str | None, year: int, institution: str = NATIONAL) -> CoverageRow | None:
        return self._index.get((audience, topic, year, institution_key(institution)))

    def national(self, topic: str | None = None, year: int | None = None) -> list[CoverageRow]:
        """National rows, for one topic (or any) and one year (or every year), by audience then year."""
        return [r for r in self.rows if r.is_national and r.topic == topic and (year is None or r.year == year)]

    def institutions(self, audience: str, topic: str | None, year: int) -> list[CoverageRow]:
        return [
            r for r in self.rows if not r.is_national and r.audience == audience and r.topic == topic and r.year == year
        ]


def compute_coverage(
    facts: Iterable[AttendanceFact],
    denominators: Iterable[DenominatorFact],
    topics: Sequence[str] | None = None,
) -> CoverageTable:
    """Coverage rows for every audience, topic (each of ``topics`` and any), year and institution that has
    either people who attended or a denominator; plus the national row of each."""
    facts = list(facts)
    sizes: dict[tuple[str, int, str], int] = {}
    names: dict[str, str] = {}
    for d in denominators:
        ikey = institution_key(d.institution)
        names.setdefault(ikey, " ".join(d.institution.split()))
        sizes[(d.audience, d.year, ikey)] = sizes.get((d.audience, d.year, ikey), 0) + d.size
    for f in facts:
        names.setdefault(institution_key(f.institution), " ".join(f.institution.split()))

    topic_keys: list[str | None] = [
        None,
        *(topics if topics is not None else sorted({t for f in facts for t in f.topics})),
    ]
    years = sorted({f.year for f in facts} | {year for (_, year, _) in sizes})
    audiences = sorted({f.audience for f in facts} | {aud for (aud, _, _) in sizes})

    # (audience, topic, institution key) -> year -> persons completed / attended
    completed: dict[tuple[str, str | None, str], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    attended: dict[tuple[str, str | None, str], dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for f in facts:
        if not f.attended:
            continue
        ikey = institution_key(f.institution)
        for topic in topic_keys:
            if topic is not None and topic not in f.topics:
                continue
            for where in (ikey, NATIONAL):
                attended[(f.audience, topic, where)][f.year].add(f.person)
                if f.completed:
                    completed[(f.audience, topic, where)][f.year].add(f.person)

    rows: list[CoverageRow] = []
    index: dict[tuple[str, str | None, int, str], CoverageRow] = {}
    for audience in audiences:
        institution_keys = sorted(
            {k for (a, _, k) in attended if a == audience and k != NATIONAL}
            | {k for (a, _, k) in sizes if a == audience}
        )
        for topic in topic_keys:
            for year in years:
                national_size = 0
                without_size = 0
                for ikey in institution_keys:
                    row = _row(audience, topic, year, ikey, names.get(ikey, ikey), completed, attended, sizes)
                    if row.denominator is not None:
                        national_size += row.denominator
                    elif row.trained or row.attended_only or row.cumulative_trained:
                        without_size += 1
                    if row.denominator is not None or row.trained or row.attended_only or row.cumulative_trained:
                        rows.append(row)
                        index[(audience, topic, year, ikey)] = row
                national = _row(audience, topic, year, NATIONAL, NATIONAL, completed, attended, {})
                national = CoverageRow(
                    audience=audience,
                    topic=topic,
                    year=year,
                    institution=NATIONAL,
                    trained=national.trained,
                    attended_only=national.attended_only,
                    cumulative_trained=national.cumulative_trained,
                    denominator=national_size or None,
                    institutions_without_size=without_size,
                )
                rows.append(national)
                index[(audience, topic, year, NATIONAL)] = national
    return CoverageTable(
        rows=tuple(rows),
        years=tuple(years),
        audiences=tuple(audiences),
        topics=tuple(t for t in topic_keys if t is not None),
        _index=index,
    )


def _row(
    audience: str,
    topic: str | None,
    year: int,
    ikey: str,
    name: str,
    completed: dict[tuple[str, str | None, str], dict[int, set[int]]],
    attended: dict[tuple[str, str | None, str], dict[int, set[int]]],
    sizes: dict[tuple[str, int, str], int],
) -> CoverageRow:
    done_by_year = completed.get((audience, topic, ikey), {})
    came_by_year = attended.get((audience, topic, ikey), {})
    done = done_by_year.get(year, set())
    came = came_by_year.get(year, set())
    cumulative: set[int] = set()
    for y, persons in done_by_year.items():
        if y <= year:
            cumulative |= persons
    return CoverageRow(
        audience=audience,
        topic=topic,
        year=year,
        institution=name,
        trained=len(done),
        attended_only=len(came - done),
        cumulative_trained=len(cumulative),
        denominator=sizes.get((audience, year, ikey)),
    )


def attendance_facts(attendance: QuerySet[Attendance]) -> list[AttendanceFact]:
    """The facts of an attendance queryset (already narrowed to what the reader may see), read in one query."""
    rows = attendance.order_by().values_list(
        "participant_id",
        "participant__audience",
        "participant__institution",
        "session__course__topics",
        "session__start_date",
        "session__end_date",
        "attended",
        "completed",
    )
    return [
        AttendanceFact(
            person=person,
            audience=audience,
            institution=institution,
            topics=frozenset(topics or ()),
            year=(end or start).year,
            attended=attended,
            completed=completed,
        )
        for person, audience, institution, topics, start, end, attended, completed in rows
    ]


def denominator_facts(denominators: QuerySet[Denominator]) -> list[DenominatorFact]:
    return [
        DenominatorFact(audience=d.audience, institution=d.institution, year=d.year, size=d.size)
        for d in denominators.select_related(None).only("audience", "institution", "year", "size")
    ]


def coverage_for(
    organisation_id: int,
    attendance: QuerySet[Attendance] | None = None,
    topics: Sequence[str] | None = None,
) -> CoverageTable:
    """Coverage of one owner organisation: its denominators against ``attendance`` (by default all of the
    organisation's attendance; pass a narrowed queryset, e.g. what a user or a reader organisation may see).

    Coverage is computed per owner: participants of two owners cannot be matched (their keys are each
    owner's own), and two owners' denominators of one institution would be counted twice.
    """
    if attendance is None:
        attendance = Attendance.objects.all()
    attendance = attendance.filter(session__course__programme__organisation_id=organisation_id)
    return compute_coverage(
        attendance_facts(attendance),
        denominator_facts(Denominator.objects.filter(organisation_id=organisation_id)),
        topics,
    )
