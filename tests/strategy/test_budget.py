"""The plan's budget: budget lines by year and source, executed amounts, execution rates, exchange rates.

Through the write functions (checks and audit), the arithmetic of ``budget.budget_execution``, and
the pages a planner and a monitor meet (organisation and role checked).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry
from cyberplan.strategy import actions as act
from cyberplan.strategy import budget, budget_actions
from cyberplan.strategy.choices import ActionStatus, FundingSource
from cyberplan.strategy.models import Action, BudgetLine, ExchangeRate
from cyberplan.strategy.report.content import ReportError
from cyberplan.strategy.report.service import build, produce
from tests.conftest import World
from tests.strategy.conftest import Plan, signed_in, url
from tests.trends.report_support import docx_text

D = Decimal


def _coordinator(world: World) -> object:
    return world.users[Role.COORDINATOR]


def _pyg(plan: Plan, world: World) -> None:
    """The plan currency becomes PYG (the fixture's action 1 has a single USD budget, not a line)."""
    Action.objects.filter(pk=plan.action1.pk).update(budget=None)
    budget_actions.do_set_plan_currency(_coordinator(world), plan.strategy, "PYG")
    plan.strategy.refresh_from_db()


def _report(world: World, action: Action, day: datetime.date, amount: str, **extra: object) -> None:
    act.do_report_progress(
        _coordinator(world),
        action,
        date=day,
        status=ActionStatus.IN_PROGRESS,
        percent_complete=20,
        narrative="Spent on the first wave.",
        executed_amount=amount,
        **extra,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- budget lines


def test_line_in_the_plan_currency_sets_the_action_budget_and_is_audited(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    user = _coordinator(world)
    budget_actions.do_add_budget_line(user, plan.action2, year=2025, funding_source="national_budget", amount="1000000")
    line = budget_actions.do_add_budget_line(
        user, plan.action2, year=2026, funding_source="international", amount=500000
    )
    plan.action2.refresh_from_db()
    assert plan.action2.budget == D("1500000.00")
    assert plan.action2.currency == "PYG"
    assert plan.action2.funding_source == FundingSource.MIXED
    assert AuditEntry.objects.filter(content_type__model="budgetline", object_id=str(line.pk), action="create").exists()
    budget_actions.do_delete_budget_line(user, line)
    plan.action2.refresh_from_db()
    assert plan.action2.budget == D("1000000.00")
    assert plan.action2.funding_source == FundingSource.NATIONAL_BUDGET


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"year": 2024, "amount": "10"}, "year"),  # before the strategy's first year
        ({"year": 2029, "amount": "10"}, "year"),
        ({"year": 2026, "amount": "-5"}, "amount"),
        ({"year": 2026, "amount": "ten"}, "amount"),
        ({"year": 2026, "amount": "10", "currency": "XYZ"}, "currency"),
        ({"year": 2026, "amount": "10", "funding_source": "lottery"}, "funding_source"),
    ],
)
def test_a_bad_line_is_refused_on_its_field(plan: Plan, world: World, values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        budget_actions.do_add_budget_line(_coordinator(world), plan.action2, **values)
    assert field in caught.value.message_dict
    assert not BudgetLine.objects.exists()


def test_line_in_another_currency_is_converted_with_the_stated_rate(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    user = _coordinator(world)
    with pytest.raises(ValidationError) as caught:
        budget_actions.do_add_budget_line(user, plan.action2, year=2026, amount="100", currency="USD")
    assert "USD" in caught.value.message_dict["currency"][0]
    budget_actions.do_add_rate(user, plan.strategy, base="USD", quote="PYG", year=2025, rate="7500", source="test")
    line = budget_actions.do_add_budget_line(user, plan.action2, year=2026, amount="100", currency="usd")
    # 2026 has no rate of its own: 2025's, the latest earlier one, is used.
    assert (line.amount, line.stated_amount, line.stated_currency, line.rate) == (
        D("750000.00"),
        D("100"),
        "USD",
        D("7500"),
    )


def test_rates_are_checked(plan: Plan, world: World) -> None:
    user = _coordinator(world)
    for values, field in [
        ({"base": "USD", "quote": "USD", "year": 2025, "rate": "1", "source": "x"}, "quote"),
        ({"base": "US", "quote": "PYG", "year": 2025, "rate": "1", "source": "x"}, "base"),
        ({"base": "USD", "quote": "PYG", "year": 2025, "rate": "0", "source": "x"}, "rate"),
        ({"base": "USD", "quote": "PYG", "year": 2025, "rate": "7000", "source": " "}, "source"),
    ]:
        with pytest.raises(ValidationError) as caught:
            budget_actions.do_add_rate(user, plan.strategy, **values)  # type: ignore[arg-type]
        assert field in caught.value.message_dict, values
    budget_actions.do_add_rate(user, plan.strategy, base="USD", quote="PYG", year=2025, rate="7000", source="BCP")
    with pytest.raises(ValidationError) as caught:
        budget_actions.do_add_rate(user, plan.strategy, base="USD", quote="PYG", year=2025, rate="7100", source="x")
    assert "year" in caught.value.message_dict
    assert ExchangeRate.objects.count() == 1


def test_plan_currency_cannot_change_under_recorded_lines(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    budget_actions.do_add_budget_line(_coordinator(world), plan.action2, year=2025, amount="10")
    with pytest.raises(ValidationError) as caught:
        budget_actions.do_set_plan_currency(_coordinator(world), plan.strategy, "USD")
    assert "PYG" in caught.value.message_dict["currency"][0]


def test_budget_of_an_action_with_lines_is_not_typed_over(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    budget_actions.do_add_budget_line(_coordinator(world), plan.action2, year=2025, amount="10")
    with pytest.raises(ValidationError) as caught:
        act.do_update_action(_coordinator(world), plan.action2, None, budget=D("99"))
    assert "budget" in caught.value.message_dict


# --------------------------------------------------------------------------- executed amounts and rates


def test_executed_amounts_are_checked(plan: Plan, world: World) -> None:
    day = datetime.date(2026, 3, 1)
    for extra, field in [
        ({"executed_amount": "-1"}, "executed_amount"),
        ({"executed_amount": "5", "executed_year": 2030}, "executed_year"),
        ({"executed_amount": "", "executed_year": 2026}, "executed_amount"),
        ({"executed_amount": "5", "executed_source": "lottery"}, "executed_source"),
    ]:
        with pytest.raises(ValidationError) as caught:
            act.do_report_progress(
                _coordinator(world),
                plan.action2,
                date=day,
                status=ActionStatus.IN_PROGRESS,
                percent_complete=5,
                narrative="x",
                **extra,  # type: ignore[arg-type]
            )
        assert field in caught.value.message_dict, extra
    assert not plan.action2.updates.exists()


def test_execution_by_axis_year_and_source(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    user = _coordinator(world)
    # Axis 1 (action 1): 2025 national 1,000,000; 2026 unfunded 400,000.
    budget_actions.do_add_budget_line(user, plan.action1, year=2025, funding_source="national_budget", amount="1000000")
    budget_actions.do_add_budget_line(user, plan.action1, year=2026, funding_source="tbd", amount="400000")
    # Axis 2 (action 2): 2025 international 200,000.
    budget_actions.do_add_budget_line(user, plan.action2, year=2025, funding_source="international", amount="200000")
    # Action 1, 2025 national: 300,000 then corrected to 600,000 (the later figure replaces the earlier).
    _report(world, plan.action1, datetime.date(2025, 6, 30), "300000", executed_source="national_budget")
    _report(world, plan.action1, datetime.date(2025, 12, 31), "600000", executed_source="national_budget")
    # Action 2 spends 250,000 in 2025 (above its plan), source not stated; and 50,000 in 2026 with nothing planned.
    _report(world, plan.action2, datetime.date(2025, 12, 1), "250000")
    _report(world, plan.action2, datetime.date(2026, 1, 15), "50000", executed_year=2026)

    view = budget.budget_execution(plan.strategy, datetime.date(2026, 12, 31))
    assert view.currency == "PYG"
    assert view.years == [2025, 2026, 2027, 2028]
    axis1, axis2 = view.axes
    assert (axis1.years[2025].planned, axis1.years[2025].executed) == (D("1000000"), D("600000"))
    assert axis1.years[2025].rate == pytest.approx(60.0)
    assert axis1.years[2026].rate == 0.0  # planned, nothing spent yet
    assert axis1.total.rate == pytest.approx(600000 * 100 / 1400000)
    assert axis2.years[2025].rate == pytest.approx(125.0)
    assert axis2.years[2025].over
    assert axis2.years[2026].rate is None  # nothing planned: no rate, no division by zero
    assert axis2.years[2026].over
    assert 2028 not in axis1.years  # nothing planned nor spent
    assert view.by_year.total.planned == D("1600000")
    assert view.by_year.total.executed == D("900000")
    assert view.unfunded.total.planned == D("400000")
    sources = {row.key: row for row in view.sources}
    assert sources["national_budget"].total.executed == D("600000")
    assert sources["international"].total.executed == 0
    assert sources[""].total.executed == D("300000")  # source not stated
    assert sources["tbd"].total.planned == D("400000")
    # On a day before the correction, the earlier figure is the one in force.
    earlier = budget.budget_execution(plan.strategy, datetime.date(2025, 7, 31))
    assert earlier.axes[0].years[2025].executed == D("300000")


def test_nothing_planned_gives_no_rate(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    view = budget.budget_execution(plan.strategy, datetime.date(2026, 1, 1))
    assert view.lines == 0
    assert view.by_year.total.rate is None
    assert all(row.total.rate is None for row in view.axes)


def test_conversion_uses_the_stated_rate_and_says_a_missing_one(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    user = _coordinator(world)
    budget_actions.do_add_budget_line(user, plan.action2, year=2025, amount="7500000")
    budget_actions.do_add_budget_line(user, plan.action1, year=2026, amount="1500000")
    # Only USD -> PYG for 2026 is stated: 2025 has no rate (a later year's is never used).
    budget_actions.do_add_rate(user, plan.strategy, base="USD", quote="PYG", year=2026, rate="7500", source="Illustr.")
    view = budget.budget_execution(plan.strategy, datetime.date(2026, 12, 31), currency="USD")
    assert view.converted
    assert view.by_year.years[2026].planned == D("200.00")  # 1,500,000 / 7,500, the inverse of the stated rate
    assert view.by_year.years[2025].missing
    assert view.by_year.total.rate is None and view.by_year.total.missing
    assert view.rates_missing == [2025]
    assert view.rates_used[2026].inverse
    with translation.override("en"):
        said = " ".join(budget.conversion_sentences(view))
    assert "Illustr." in said and "2025" in said


def test_money_has_no_decimals_for_guaranies() -> None:
    with translation.override("es"):
        assert budget.money(D("1500000"), "PYG") == "1.500.000 PYG"
        assert budget.money(D("1500.5"), "USD") == "1.500,50 USD"
    with translation.override("en"):
        assert budget.money(D("1500000"), "PYG") == "1,500,000 PYG"


# --------------------------------------------------------------------------- pages


def test_planner_adds_edits_and_deletes_a_line_on_the_action_page(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    client = signed_in(_coordinator(world))  # type: ignore[arg-type]
    response = client.post(
        url("budget_line_create", plan, plan.action2.pk),
        {"year": "2026", "funding_source": "international", "amount": "2500000", "currency": "", "note": "<b>x</b>"},
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get(action=plan.action2)
    page = client.get(url("action_detail", plan, plan.action2.pk)).content.decode()
    assert f'id="budget-line-{line.pk}"' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    response = client.post(
        url("budget_line_edit", plan, line.pk and plan.action2.pk, line.pk),
        {"version": str(line.version), "year": "2027", "funding_source": "tbd", "amount": "-3", "currency": "PYG"},
    )
    assert response.status_code == 400
    assert BudgetLine.objects.get(pk=line.pk).year == 2026
    response = client.post(
        url("budget_line_edit", plan, plan.action2.pk, line.pk),
        {"version": str(line.version), "year": "2027", "funding_source": "tbd", "amount": "3", "currency": "PYG"},
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get(pk=line.pk).year == 2027
    response = client.post(url("budget_line_delete", plan, plan.action2.pk, line.pk))
    assert response.status_code == 302
    assert not BudgetLine.objects.exists()


def test_another_organisation_cannot_read_or_edit_lines(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    line = budget_actions.do_add_budget_line(_coordinator(world), plan.action2, year=2025, amount="10")
    outsider = signed_in(world.outsider)
    assert outsider.get(url("budget", plan)).status_code == 404
    assert outsider.get(url("budget_line_edit", plan, plan.action2.pk, line.pk)).status_code == 404
    response = outsider.post(
        url("budget_line_create", plan, plan.action2.pk), {"year": "2025", "funding_source": "tbd", "amount": "5"}
    )
    assert response.status_code == 404
    # A viewer of the owner reads but does not edit.
    viewer = signed_in(world.users[Role.VIEWER])
    assert viewer.get(url("budget", plan)).status_code == 200
    assert viewer.post(url("budget_line_delete", plan, plan.action2.pk, line.pk)).status_code == 403
    assert BudgetLine.objects.count() == 1


def test_rates_page_adds_a_rate_with_field_errors(plan: Plan, world: World) -> None:
    client = signed_in(_coordinator(world))  # type: ignore[arg-type]
    bad = client.post(
        url("rate_create", plan), {"base": "USD", "quote": "ZZZ", "year": "2026", "rate": "7", "source": "x"}
    )
    assert bad.status_code == 400
    assert not ExchangeRate.objects.exists()
    good = client.post(
        url("rate_create", plan), {"base": "USD", "quote": "PYG", "year": "2026", "rate": "7500", "source": "BCP"}
    )
    assert good.status_code == 302
    assert "BCP" in client.get(url("budget", plan)).content.decode()


def test_monitoring_page_shows_the_budget_table_and_takes_an_executed_amount(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    budget_actions.do_add_budget_line(_coordinator(world), plan.action1, year=2025, amount="1000000")
    client = signed_in(_coordinator(world))  # type: ignore[arg-type]
    response = client.post(
        url("monitoring_action", plan, plan.action1.pk),
        {
            "date": "2025-06-30",
            "status": ActionStatus.IN_PROGRESS,
            "percent_complete": "30",
            "narrative": "First half.",
            "executed_amount": "400000",
            "executed_year": "2025",
            "executed_source": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with translation.override("es"):
        page = client.get(url("monitoring", plan) + "?as_of=2025-12-31", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'data-budget="1"' in page
    assert "1.000.000" in page and "400.000" in page
    bad = client.post(
        url("monitoring_action", plan, plan.action1.pk),
        {
            "date": "2025-07-30",
            "status": ActionStatus.IN_PROGRESS,
            "percent_complete": "30",
            "narrative": "x",
            "executed_amount": "5",
            "executed_year": "2031",
        },
    )
    assert bad.status_code == 400
    with translation.override("en"):
        expected = gettext("%(year)s is outside the strategy's years (%(start)s to %(end)s).") % {
            "year": 2031,
            "start": 2025,
            "end": 2028,
        }
    assert expected.replace("'", "&#x27;") in bad.content.decode()


# --------------------------------------------------------------------------- M&E report


def _budgeted(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    user = _coordinator(world)
    budget_actions.do_add_budget_line(user, plan.action1, year=2025, funding_source="national_budget", amount="8000000")
    budget_actions.do_add_budget_line(user, plan.action2, year=2025, funding_source="tbd", amount="2000000")
    _report(world, plan.action1, datetime.date(2025, 9, 30), "6000000", executed_source="national_budget")


@pytest.mark.parametrize("language", ["en", "es"])
def test_report_has_a_budget_section_in_the_plan_currency(plan: Plan, world: World, language: str) -> None:
    _budgeted(plan, world)
    with translation.override(language):
        document = build(plan.strategy, "monitoring", period="2025")
        title = gettext("Budget execution")
        heading = gettext("Planned and executed by axis and year")
        expected_total = budget.money(D("10000000"), "PYG")
        expected_executed = budget.money(D("6000000"), "PYG")
        expected_rate = budget.rate_text(60.0)
    section = next(s for s in document.sections if s.id == "budget")
    assert section.title == title
    axes = next(t for t in section.tables if t.caption == heading)
    totals = {(row[0], row[1]): row[2:] for row in axes.rows}
    all_axes = next(key for key in totals if key[0] not in ("1 Incident response", "2 Awareness") and key[1] == "2025")
    assert totals[all_axes] == [expected_total, expected_executed, expected_rate]
    text = " ".join(p.text for p in section.paragraphs())
    assert "PYG" in text
    assert expected_executed in text
    # Guaraníes are written without decimals in both languages.
    assert re.fullmatch(r"10[.,]000[.,]000 PYG", expected_total)


def test_report_in_another_currency_names_the_rate_and_a_missing_one(plan: Plan, world: World) -> None:
    _budgeted(plan, world)
    with translation.override("en"):
        missing = build(plan.strategy, "monitoring", period="2025", currency="USD")
    section = next(s for s in missing.sections if s.id == "budget")
    said = " ".join(p.text for p in section.paragraphs())
    assert "No rate from PYG to USD is stated for 2025" in said
    budget_actions.do_add_rate(
        _coordinator(world), plan.strategy, base="USD", quote="PYG", year=2025, rate="8000", source="Illustrative rate"
    )
    with translation.override("es"):
        converted = build(plan.strategy, "monitoring", period="2025", currency="usd")
        expected = budget.money(D("1250"), "USD")  # 10,000,000 PYG / 8,000
    section = next(s for s in converted.sections if s.id == "budget")
    said = " ".join(p.text for p in section.paragraphs())
    assert "Illustrative rate" in said
    assert any(expected in row for table in section.tables for row in table.rows)
    with pytest.raises(ReportError):
        build(plan.strategy, "monitoring", period="2025", currency="DOLLARS")


def test_report_files_escape_user_text_in_budget_rows(plan: Plan, world: World) -> None:
    _budgeted(plan, world)
    Action.objects.filter(pk=plan.action1.pk).update(title_en="<script>alert(1)</script> handlers")
    html = produce(plan.strategy, "monitoring", "en", "html", period="2025").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    document = docx_text(produce(plan.strategy, "monitoring", "es", "docx", period="2025").content)
    with translation.override("es"):
        assert gettext("Budget execution") in document.body
        assert budget.money(D("6000000"), "PYG") in document.body


# --------------------------------------------------------------------------- API


def _api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)  # type: ignore[arg-type]
    return client


def test_api_reads_and_writes_budget_lines_and_executed_amounts(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    client = _api(_coordinator(world))
    created = client.post(
        "/api/strategy-budget-lines/",
        {"action": plan.action1.pk, "year": 2025, "funding_source": "international", "amount": "3000000"},
        format="json",
    )
    assert created.status_code == 201, created.content
    line = created.json()
    assert (line["amount"], line["plan_currency"]) == ("3000000.00", "PYG")
    refused = client.patch(f"/api/strategy-budget-lines/{line['id']}/", {"year": 2030}, format="json")
    assert refused.status_code == 400
    assert "year" in refused.json()
    moved = client.patch(
        f"/api/strategy-budget-lines/{line['id']}/", {"year": 2026, "version": line["version"]}, format="json"
    )
    assert moved.status_code == 200 and moved.json()["year"] == 2026
    stale = client.patch(
        f"/api/strategy-budget-lines/{line['id']}/", {"year": 2027, "version": line["version"]}, format="json"
    )
    assert stale.status_code == 409
    update = client.post(
        f"/api/strategy-actions/{plan.action1.pk}/progress/",
        {
            "date": "2026-05-01",
            "status": "in_progress",
            "percent_complete": 10,
            "narrative": "Contract signed.",
            "executed_amount": "1000000",
            "executed_source": "international",
        },
        format="json",
    )
    assert update.status_code == 201, update.content
    assert (update.json()["executed_amount"], update.json()["executed_year"]) == ("1000000.00", 2026)
    negative = client.post(
        f"/api/strategy-actions/{plan.action1.pk}/progress/",
        {
            "date": "2026-05-02",
            "status": "in_progress",
            "percent_complete": 10,
            "narrative": "x",
            "executed_amount": "-1",
        },
        format="json",
    )
    assert negative.status_code == 400
    view = budget.budget_execution(plan.strategy, datetime.date(2026, 12, 31))
    assert view.by_year.years[2026].rate == pytest.approx(100 / 3)
    assert client.delete(f"/api/strategy-budget-lines/{line['id']}/").status_code == 204
    assert AuditEntry.objects.filter(content_type__model="budgetline", action="delete").count() == 1


def test_api_hides_budget_lines_from_another_organisation(plan: Plan, world: World) -> None:
    _pyg(plan, world)
    line = budget_actions.do_add_budget_line(_coordinator(world), plan.action1, year=2025, amount="10")
    outsider = _api(world.outsider)
    assert outsider.get("/api/strategy-budget-lines/").json()["count"] == 0
    assert outsider.get(f"/api/strategy-budget-lines/{line.pk}/").status_code == 404
    assert outsider.delete(f"/api/strategy-budget-lines/{line.pk}/").status_code == 404
    posted = outsider.post(
        "/api/strategy-budget-lines/", {"action": plan.action1.pk, "year": 2025, "amount": "5"}, format="json"
    )
    assert posted.status_code == 400  # the action is not one they may name
    rate = outsider.post(
        "/api/strategy-exchange-rates/",
        {"strategy": plan.strategy.pk, "base": "USD", "quote": "PYG", "year": 2025, "rate": "7000", "source": "x"},
        format="json",
    )
    assert rate.status_code == 400
    viewer = _api(world.users[Role.VIEWER])
    assert viewer.get(f"/api/strategy-budget-lines/{line.pk}/").status_code == 200
    assert viewer.delete(f"/api/strategy-budget-lines/{line.pk}/").status_code == 403
    assert BudgetLine.objects.count() == 1 and not ExchangeRate.objects.exists()


# --------------------------------------------------------------------------- migration


@pytest.mark.django_db(transaction=True)
def test_migration_turns_single_budgets_into_lines(world: World, plan: Plan) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("strategy", "0007_evaluations_risks_axis_owners")],
        [("strategy", "0008_budget_lines_exchange_rates")],
    )
    Action.objects.filter(pk=plan.action2.pk).update(budget=D("5000"), currency="EUR")
    # A second budget in US dollars: most budgets are in USD, which becomes the plan currency.
    third = Action.objects.create(
        strategy=plan.strategy, parent=plan.line111, code="1.1.1.9", title_en="Buy tools", budget=D("1000")
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    plan.strategy.refresh_from_db()
    # Action 1's 120,000 USD, starting in 2025, is in the main currency: one line in 2025; the third
    # action has no start: its line is in the strategy's first year.
    assert plan.strategy.currency == "USD"
    lines = {(line.action_id, line.year, line.amount, line.funding_source) for line in BudgetLine.objects.all()}
    assert lines == {
        (plan.action1.pk, 2025, D("120000"), FundingSource.TO_BE_DEFINED),
        (third.pk, 2025, D("1000"), FundingSource.TO_BE_DEFINED),
    }
    # Action 2's budget in euros stays on the action, named under the budget table.
    view = budget.budget_execution(plan.strategy, datetime.date(2026, 1, 1))
    assert [a.pk for a in view.without_lines] == [plan.action2.pk]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
