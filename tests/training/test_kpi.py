"""The training coverage KPI source: the share of an audience trained in a topic, or no value without a size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cyberplan.core.choices import TLP, Role
from cyberplan.strategy import actions as act
from cyberplan.strategy import kpis
from cyberplan.strategy.choices import ElementKind, FocusArea, KPISource, KPIUnit
from cyberplan.strategy.models import KPI, Action
from cyberplan.training import actions
from tests.conftest import World
from tests.training.conftest import TrainingWorld
from tests.training.report_support import report_records


@pytest.fixture
def action(world: World) -> Action:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator,
        world.org_a,
        title_en="Strategy",
        title_es="Estrategia",
        country="PY",
        start_year=2025,
        end_year=2028,
        vision_en="Vision.",
        vision_es="Visión.",
    )
    axis = act.do_create_element(
        coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Justice", focus_area=FocusArea.CAPACITY
    )
    objective = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="Capable judges"
    )
    return act.do_create_action(
        coordinator,
        strategy,
        parent=objective,
        title_en="Train judges",
        lead=world.org_a,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2027, 12, 31),
    )


def kpi(action: Action, detail: str) -> KPI:
    return act.do_create_kpi(
        None,
        action,
        name_en="Judges trained in electronic evidence",
        unit=KPIUnit.PERCENT,
        source=KPISource.TRAINING_COVERAGE,
        source_detail=detail,
    )


def test_the_share_of_judges_trained_counts_each_person_once(
    world: World, training: TrainingWorld, action: Action
) -> None:
    report_records(world, training)
    cumulative = kpis.compute(kpi(action, "judges electronic-evidence"), dt.date(2026, 12, 31))
    # The one judge who completed (in 2025 and again in 2026) over 10 judges; the RED programme's
    # completion counts for the organisation itself (no person computing).
    assert cumulative.value == Decimal("20.00")
    assert cumulative.detail["trained"] == 2 and cumulative.detail["size"] == 10
    # A viewer does not read RED: only the GREEN programme's judge counts.
    viewer = kpis.compute(kpi(action, "judges electronic-evidence"), dt.date(2026, 12, 31), world.users[Role.VIEWER])
    assert viewer.value == Decimal("10.00")
    same_year = kpis.compute(kpi(action, "judges any year institution='Poder Judicial'"), dt.date(2026, 12, 31))
    assert same_year.value == Decimal("20.00") and same_year.detail["institution"] == "Poder Judicial"


def test_sessions_after_the_measurement_date_do_not_count(
    world: World, training: TrainingWorld, action: Action
) -> None:
    report_records(world, training)
    # On 1 May 2026 the May session (and the June RED one) had not ended: only the 2025 completion counts.
    early = kpis.compute(kpi(action, "judges electronic-evidence"), dt.date(2026, 5, 1), world.users[Role.VIEWER])
    assert early.value == Decimal("10.00")


def test_no_audience_size_gives_no_value_with_the_reason(world: World, training: TrainingWorld, action: Action) -> None:
    report_records(world, training)
    with pytest.raises(ValidationError, match="No audience size is recorded for prosecutors"):
        kpis.compute(kpi(action, "prosecutors electronic-evidence"), dt.date(2026, 12, 31))
    with pytest.raises(ValidationError, match="No audience size"):
        kpis.compute(kpi(action, "judges"), dt.date(2025, 12, 31))  # sizes recorded for 2026 only
    assert not KPI.objects.filter(measurements__isnull=False).exists()


def test_another_organisations_training_counts_green_and_clear_only(
    world: World, training: TrainingWorld, action: Action
) -> None:
    analyst = world.outsider
    provider = actions.do_create_provider(analyst, world.org_b, name="B school", kind="csirt")
    for tlp, key in ((TLP.GREEN, "B-1"), (TLP.AMBER, "B-2")):
        programme = actions.do_create_programme(analyst, world.org_b, provider=provider, title=f"B {tlp}", tlp=tlp)
        course = actions.do_create_course(
            analyst, programme, title="Handling", topics=["incident-handling"], hours=Decimal(8)
        )
        session = actions.do_create_session(analyst, course, start_date=dt.date(2026, 2, 2))
        person = actions.do_create_participant(analyst, world.org_b, key=key, audience="csirt_staff")
        actions.do_record_attendance(analyst, session, person, completed=True)
    actions.do_set_denominator(analyst, world.org_b, audience="csirt_staff", year=2026, institution="B", size=4)
    computed = kpis.compute(kpi(action, "csirt_staff incident-handling org=csirt-b"), dt.date(2026, 12, 31))
    assert computed.value == Decimal("25.00") and computed.detail["organisation"] == "csirt-b"


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        ("", "Name the audience"),
        ("electronic-evidence", "Name the audience"),
        ("judges astrology", "no audience, topic or measure"),
        ("judges prosecutors", "repeats the audience"),
        ("judges colour=red", "org=short name"),
        ("judges institution='Poder", "Close the quotes"),
    ],
)
def test_a_wrong_detail_is_refused_on_the_kpi(world: World, action: Action, detail: str, message: str) -> None:
    assert message in (kpis.check_source_detail(KPISource.TRAINING_COVERAGE, detail) or "")
    with pytest.raises(ValidationError, match=message):
        kpi(action, detail)
