"""``cyberplan strategy measure``: every automatic KPI computed as of a date, errors reported per KPI."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.gaps.actions import do_create_gap, do_set_gap_status
from cyberplan.strategy import actions as act
from cyberplan.strategy import kpis
from cyberplan.strategy.choices import ActionStatus, KPISource, KPIUnit, MeasurementOrigin
from cyberplan.strategy.models import KPI, KPIMeasurement
from tests.conftest import World

from .conftest import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, settings: Settings) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("strategy", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def measured(world: World, plan: Plan) -> Plan:
    coordinator = world.users[Role.COORDINATOR]
    gap = do_create_gap(coordinator, world.org_a, title_en="No incident reporting duty")
    act.do_link_gap(coordinator, plan.action1, gap)
    do_set_gap_status(coordinator, gap, "closed")
    act.do_report_progress(
        None,
        plan.action1,
        date=datetime.date(2025, 12, 1),
        status=ActionStatus.COMPLETED,
        percent_complete=100,
        narrative="Four handlers hired.",
    )
    act.do_create_kpi(None, plan.action1, name_en="Handlers hired", unit=KPIUnit.COUNT)  # manual: left alone
    act.do_create_kpi(None, plan.action1, name_en="Gaps closed", unit=KPIUnit.PERCENT, source=KPISource.GAPS_CLOSED)
    act.do_create_kpi(
        None,
        plan.action2,
        name_en="Actions completed",
        unit=KPIUnit.PERCENT,
        source=KPISource.ACTIONS_COMPLETED,
        source_detail="strategy",
    )
    act.do_create_kpi(
        None,
        plan.action2,
        name_en="Awareness stage",
        unit=KPIUnit.STAGE,
        source=KPISource.ASSESSMENT_STAGE,
        source_detail="4.1",
    )
    return plan


def test_measure_computes_every_automatic_kpi_and_reports_errors_without_stopping(measured: Plan) -> None:
    today = timezone.localdate() + datetime.timedelta(days=1)  # after the gap was closed, in any time zone
    output = run("measure", "--strategy", str(measured.strategy.pk), "--as-of", today.isoformat())
    lines = output.splitlines()
    assert lines[0].split() == ["strategy", "action", "KPI", "source", "value", "result"]
    assert len(lines) == 5  # header, three automatic KPIs, summary
    gaps_row = next(line for line in lines if "Gaps closed" in line)
    assert gaps_row.split()[-2:] == ["100", "ok"]
    actions_row = next(line for line in lines if "Actions completed" in line)
    assert actions_row.split()[-2:] == ["50", "ok"]  # one of the two actions
    stage_row = next(line for line in lines if "Awareness stage" in line)
    assert "error: There is no capacity assessment of Paraguay dated on or before" in stage_row
    assert "Handlers hired" not in output
    assert lines[-1] == f"As of {today.isoformat()}: 2 computed, 1 could not be computed."
    stored = KPIMeasurement.objects.filter(date=today).order_by("kpi__name_en")
    assert [(m.kpi.name_en, m.value, m.origin) for m in stored] == [
        ("Actions completed", Decimal(50), MeasurementOrigin.COMPUTED),
        ("Gaps closed", Decimal(100), MeasurementOrigin.COMPUTED),
    ]
    assert AuditEntry.objects.filter(content_type__model="kpimeasurement").count() == 2
    # Running again for the same date replaces the values, it does not add rows.
    run("measure", "--strategy", str(measured.strategy.pk), "--as-of", today.isoformat())
    assert KPIMeasurement.objects.filter(date=today).count() == 2


@pytest.mark.slow
def test_measure_every_strategy_by_default_and_a_trend_figure_without_events(world: World, measured: Plan) -> None:
    other = act.do_create_strategy(
        world.outsider, world.org_b, title_en="Other strategy", country="UY", start_year=2026, end_year=2030
    )
    axis = act.do_create_element(None, other, kind="axis", code="1", title_en="Detection")
    objective = act.do_create_element(None, other, kind="objective", parent=axis, code="1.1", title_en="Sensors")
    action = act.do_create_action(None, other, parent=objective, title_en="Deploy sensors")
    act.do_create_kpi(
        None,
        action,
        name_en="Brute force events",
        unit=KPIUnit.COUNT,
        source=KPISource.TREND_METRIC,
        source_detail="events class=intrusion-attempts",
    )
    output = run("measure", "--as-of", "2026-06-30")
    assert f"\n{other.pk} " in output and f"\n{measured.strategy.pk} " in output
    trend_row = next(line for line in output.splitlines() if "Brute force events" in line)
    # No event was imported for organisation B: the figure is 0, computed from an empty store.
    assert trend_row.split()[-2:] == ["0", "ok"]
    assert output.splitlines()[-1].startswith("As of 2026-06-30: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["measure", "--as-of", "30/06/2026"], "'30/06/2026' is not a date; write it as YYYY-MM-DD."),
        (["measure", "--strategy", "999999"], "There is no strategy 999999."),
    ],
)
def test_measure_refuses_bad_arguments(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_a_subcommand_is_required(world: World) -> None:
    with pytest.raises(CommandError):
        run()


def test_an_unexpected_failure_of_one_kpi_does_not_stop_the_others(
    measured: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kpis.compute

    def broken(kpi: KPI, as_of: datetime.date, actor: User | None = None) -> kpis.Computed:
        if kpi.name_en == "Gaps closed":
            raise OSError("event store unreadable")
        return real(kpi, as_of, actor)

    monkeypatch.setattr(kpis, "compute", broken)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 KPIs failed unexpectedly"):
        call_command("strategy", "measure", "--as-of", "2026-06-30", stdout=out)
    lines = out.getvalue().splitlines()
    assert "failed: OSError: event store unreadable" in next(line for line in lines if "Gaps closed" in line)
    assert next(line for line in lines if "Actions completed" in line).split()[-2:] == ["50", "ok"]
    assert lines[-1] == "As of 2026-06-30: 1 computed, 2 could not be computed."
