"""KPI windows and source specifications, and the shares computed from the plan itself."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cyberplan.core.choices import Role
from cyberplan.gaps.actions import do_set_gap_status
from cyberplan.strategy import actions as act
from cyberplan.strategy import kpis
from cyberplan.strategy.choices import ActionStatus, Frequency, KPISource, KPIUnit
from tests.conftest import World

from .conftest import Plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("frequency", "as_of", "first"),
    [
        (Frequency.MONTHLY, datetime.date(2026, 6, 30), datetime.date(2026, 6, 1)),
        (Frequency.QUARTERLY, datetime.date(2026, 6, 30), datetime.date(2026, 4, 1)),
        (Frequency.YEARLY, datetime.date(2026, 12, 31), datetime.date(2026, 1, 1)),
        (Frequency.HALF_YEARLY, datetime.date(2026, 3, 15), datetime.date(2025, 9, 16)),
        (Frequency.MONTHLY, datetime.date(2026, 3, 30), datetime.date(2026, 2, 28)),
    ],
)
def test_measurement_window_ends_on_the_measurement_date(
    world: World, plan: Plan, frequency: str, as_of: datetime.date, first: datetime.date
) -> None:
    kpi = act.do_create_kpi(
        world.users[Role.COORDINATOR], plan.action1, name_en="x", unit=KPIUnit.COUNT, frequency=frequency
    )
    assert kpis.window(kpi, as_of) == (first, as_of)


def test_trend_specification_is_parsed_with_its_filters() -> None:
    spec = kpis.parse_trend_spec("events class=intrusion-attempts sector=government country=py sector=finance")
    assert spec.figure == "events"
    assert spec.filters == {"class": ("intrusion-attempts",), "sector": ("government", "finance"), "country": ("PY",)}
    for bad, message in [
        ("", "Name the figure"),
        ("logs", "Unknown figure"),
        ("events colour=red", "Unknown filter"),
        ("events sector", "name=value"),
    ]:
        with pytest.raises(ValueError, match=message):
            kpis.parse_trend_spec(bad)
    assert kpis.parse_factor_spec("cyberplan-ncm-2026:1.2") == ("cyberplan-ncm-2026", "1.2")
    assert kpis.parse_factor_spec("3.1") == (None, "3.1")
    with pytest.raises(ValueError, match="factor as its number"):
        kpis.parse_factor_spec("incident response")


def test_share_of_linked_gaps_closed(world: World, plan: Plan, make_gap) -> None:  # type: ignore[no-untyped-def]
    user = world.users[Role.COORDINATOR]
    gaps = [make_gap(title_en=f"Gap {n}") for n in range(4)]
    kpi = act.do_create_kpi(
        user, plan.action1, name_en="Gaps closed", unit=KPIUnit.PERCENT, source=KPISource.GAPS_CLOSED
    )
    with pytest.raises(ValidationError, match="No gap is linked"):
        kpis.compute(kpi, datetime.date(2030, 1, 1))
    for gap in gaps[:3]:
        act.do_link_gap(user, plan.action1, gap)
    act.do_link_gap(user, plan.action2, gaps[3])
    do_set_gap_status(user, gaps[0], "closed")
    measured = act.do_compute_kpi(user, kpi, datetime.date(2030, 1, 1))
    assert measured.value == Decimal("33.33")
    assert measured.detail == {"source": "gaps_closed", "closed": 1, "linked": 3, "scope": "action"}
    # Before the gap was closed, nothing was.
    assert kpis.compute(kpi, datetime.date(2000, 1, 1)).value == 0


def test_share_of_actions_completed_in_the_axis(world: World, plan: Plan) -> None:
    user = world.users[Role.COORDINATOR]
    second = act.do_create_action(user, plan.strategy, parent=plan.line111, title_en="Buy a ticketing system")
    kpi = act.do_create_kpi(
        user, plan.action1, name_en="Axis done", unit=KPIUnit.PERCENT, source=KPISource.ACTIONS_COMPLETED
    )
    act.do_report_progress(
        user,
        second,
        date=datetime.date(2025, 5, 1),
        status=ActionStatus.COMPLETED,
        percent_complete=100,
        narrative="Done.",
    )
    result = kpis.compute(kpi, datetime.date(2025, 6, 1))
    assert result.value == 50  # two actions in axis 1, one completed; axis 2's action is not counted
    assert result.detail["scope"] == "axis 1"
    assert kpis.compute(kpi, datetime.date(2025, 4, 1)).value == 0


def test_a_manual_kpi_cannot_be_computed(world: World, plan: Plan) -> None:
    kpi = act.do_create_kpi(world.users[Role.COORDINATOR], plan.action1, name_en="Survey", unit=KPIUnit.PERCENT)
    with pytest.raises(ValidationError, match="entered by hand"):
        kpis.compute(kpi, datetime.date(2026, 1, 1))


def test_overview_of_a_past_date_uses_the_state_reported_then(world: World, plan: Plan) -> None:
    from cyberplan.strategy.monitoring.overview import overview

    user = world.users[Role.COORDINATOR]
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 6, 30),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=40,
        narrative="Half way.",
    )
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 12, 1),
        status=ActionStatus.COMPLETED,
        percent_complete=100,
        narrative="Done.",
    )
    mid = overview(plan.strategy, as_of=datetime.date(2025, 7, 31))
    assert (mid.completed, mid.axes[0].percent) == (0, 40)
    early = overview(plan.strategy, as_of=datetime.date(2025, 3, 1))
    assert early.axes[0].percent == 0
    late = overview(plan.strategy, as_of=datetime.date(2026, 1, 31))
    assert (late.completed, late.axes[0].percent) == (1, 100)
    assert not any(a.kind == "overdue" and a.action == plan.action1 for a in late.alerts)


def test_completing_an_action_marks_its_open_gaps_addressed(world: World, plan: Plan, make_gap) -> None:  # type: ignore[no-untyped-def]
    user = world.users[Role.ANALYST]
    cited, closed, other = make_gap(title_en="Cited"), make_gap(title_en="Already closed"), make_gap(title_en="Other")
    do_set_gap_status(world.users[Role.COORDINATOR], closed, "closed")
    for gap in (cited, closed):
        act.do_link_gap(world.users[Role.COORDINATOR], plan.action1, gap)
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 6, 1),
        status=ActionStatus.IN_PROGRESS,
        percent_complete=50,
        narrative="Half.",
    )
    cited.refresh_from_db()
    assert cited.status == "open"
    act.do_report_progress(
        user,
        plan.action1,
        date=datetime.date(2025, 9, 1),
        status=ActionStatus.COMPLETED,
        percent_complete=100,
        narrative="Done.",
    )
    for gap in (cited, closed, other):
        gap.refresh_from_db()
    assert (cited.status, closed.status, other.status) == ("addressed", "closed", "open")
