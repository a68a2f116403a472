"""Coverage counts each person once, by year and cumulatively, against the denominator of that year."""

from __future__ import annotations

import datetime as dt

from cyberplan.training.choices import Audience
from cyberplan.training.coverage import AttendanceFact, DenominatorFact, compute_coverage, coverage_for
from cyberplan.training.models import Attendance, Denominator, Participant, Session
from tests.conftest import World

from .conftest import TrainingWorld

EVIDENCE = frozenset({"electronic-evidence"})
JUDGES = Audience.JUDGES


def fact(person: int, year: int, *, completed: bool = True, attended: bool = True, topics: frozenset[str] = EVIDENCE,
         institution: str = "Poder Judicial", audience: str = JUDGES) -> AttendanceFact:  # fmt: skip
    return AttendanceFact(person, audience, institution, topics, year, attended, completed)


def test_a_person_in_three_sessions_of_a_topic_counts_once() -> None:
    facts = [fact(1, 2026), fact(1, 2026), fact(1, 2026), fact(2, 2026)]
    table = compute_coverage(facts, [DenominatorFact(JUDGES, "Poder Judicial", 2026, 180)])
    row = table.get(JUDGES, "electronic-evidence", 2026)
    assert row is not None
    assert (row.trained, row.denominator) == (2, 180)
    assert row.share == 2 / 180


def test_cumulative_coverage_counts_a_person_once_across_years() -> None:
    facts = [fact(1, 2025), fact(1, 2026), fact(2, 2026), fact(3, 2025)]
    sizes = [DenominatorFact(JUDGES, "Poder Judicial", 2025, 100), DenominatorFact(JUDGES, "Poder Judicial", 2026, 120)]
    table = compute_coverage(facts, sizes)
    row_2025 = table.get(JUDGES, "electronic-evidence", 2025)
    row_2026 = table.get(JUDGES, "electronic-evidence", 2026)
    assert row_2025 is not None and row_2026 is not None
    assert (row_2025.trained, row_2025.cumulative_trained, row_2025.denominator) == (2, 2, 100)
    # 2026: persons 1 and 2 trained that year; 1, 2 and 3 up to then; against 2026's 120 judges.
    assert (row_2026.trained, row_2026.cumulative_trained, row_2026.denominator) == (2, 3, 120)
    assert row_2026.cumulative_share == 3 / 120


def test_the_denominator_is_the_one_of_that_year() -> None:
    facts = [fact(1, 2026)]
    table = compute_coverage(facts, [DenominatorFact(JUDGES, "Poder Judicial", 2025, 100)])
    row_2026 = table.get(JUDGES, "electronic-evidence", 2026)
    assert row_2026 is not None
    assert row_2026.denominator is None and row_2026.share is None  # no size for 2026: no share, not 0 %
    row_2025 = table.get(JUDGES, "electronic-evidence", 2025)
    assert row_2025 is not None and (row_2025.trained, row_2025.share) == (0, 0.0)


def test_no_denominator_means_no_share_not_zero() -> None:
    table = compute_coverage([fact(1, 2026)], [])
    row = table.get(JUDGES, None, 2026)
    assert row is not None
    assert row.trained == 1
    assert row.has_denominator is False and row.share is None and row.cumulative_share is None
    assert row.institutions_without_size == 1


def test_attended_but_not_completed_is_shown_separately() -> None:
    facts = [fact(1, 2026, completed=False), fact(2, 2026), fact(2, 2026, completed=False), fact(3, 2026, attended=False, completed=False)]  # fmt: skip
    row = compute_coverage(facts, []).get(JUDGES, "electronic-evidence", 2026)
    assert row is not None
    assert (row.trained, row.attended_only) == (1, 1)  # person 2 completed once; person 3 never came


def test_topic_rows_only_count_courses_of_that_topic_and_any_topic_counts_all() -> None:
    facts = [fact(1, 2026), fact(2, 2026, topics=frozenset({"awareness"}))]
    table = compute_coverage(facts, [])
    assert table.topics == ("awareness", "electronic-evidence")
    assert table.get(JUDGES, "electronic-evidence", 2026).trained == 1  # type: ignore[union-attr]
    assert table.get(JUDGES, "awareness", 2026).trained == 1  # type: ignore[union-attr]
    assert table.get(JUDGES, None, 2026).trained == 2  # type: ignore[union-attr]


def test_institution_rows_and_the_national_total() -> None:
    facts = [fact(1, 2026), fact(2, 2026, institution="  poder   judicial "), fact(3, 2026, institution="Tribunal X")]
    sizes = [
        DenominatorFact(JUDGES, "Poder Judicial", 2026, 180),
        DenominatorFact(JUDGES, "Corte Electoral", 2026, 20),
    ]
    table = compute_coverage(facts, sizes)
    judiciary = table.get(JUDGES, None, 2026, "Poder Judicial")
    assert judiciary is not None and (judiciary.trained, judiciary.denominator) == (2, 180)
    electoral = table.get(JUDGES, None, 2026, "corte electoral")
    assert electoral is not None and (electoral.trained, electoral.share) == (0, 0.0)
    national = table.get(JUDGES, None, 2026)
    assert national is not None
    assert (national.trained, national.denominator, national.institutions_without_size) == (3, 200, 1)
    names = [r.institution for r in table.institutions(JUDGES, None, 2026)]
    assert names == ["Corte Electoral", "Poder Judicial", "Tribunal X"]


def test_audiences_are_counted_apart() -> None:
    facts = [fact(1, 2026), fact(2, 2026, audience=Audience.PROSECUTORS)]
    table = compute_coverage(facts, [DenominatorFact(Audience.PROSECUTORS, "Ministerio Público", 2026, 50)])
    assert table.audiences == (Audience.JUDGES, Audience.PROSECUTORS)
    prosecutors = table.get(Audience.PROSECUTORS, None, 2026)
    assert prosecutors is not None and (prosecutors.trained, prosecutors.denominator) == (1, 50)


def test_coverage_from_the_database_counts_one_participant_once(world: World, training: TrainingWorld) -> None:
    second = Session.objects.create(
        course=training.course, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 9, 2)
    )
    judge = Participant.objects.create(
        organisation=world.org_a, key="J-001", institution="Poder Judicial", audience=JUDGES
    )
    other = Participant.objects.create(
        organisation=world.org_a, key="J-002", institution="Poder Judicial", audience=JUDGES
    )
    Attendance.objects.create(session=training.session, participant=judge, completed=True)
    Attendance.objects.create(session=second, participant=judge, completed=True)
    Attendance.objects.create(session=second, participant=other, completed=False)
    Denominator.objects.create(
        organisation=world.org_a, audience=JUDGES, year=2026, institution="Poder Judicial", size=180
    )

    row = coverage_for(world.org_a.pk).get(JUDGES, "electronic-evidence", 2026)
    assert row is not None
    assert (row.trained, row.attended_only, row.denominator) == (1, 1, 180)
    # another organisation's coverage sees nothing of it
    assert coverage_for(world.org_b.pk).rows == ()


def test_a_topic_asked_for_has_rows_before_anyone_is_trained_in_it() -> None:
    table = compute_coverage([], [DenominatorFact(JUDGES, "Poder Judicial", 2026, 180)], ["electronic-evidence"])
    row = table.get(JUDGES, "electronic-evidence", 2026)
    assert row is not None and (row.trained, row.share) == (0, 0.0)
