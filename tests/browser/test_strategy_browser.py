"""The strategy plan in the browser: from an uncovered gap to an action, through a suggestion."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cyberplan.core.choices import Role
from cyberplan.gaps.actions import do_create_gap
from cyberplan.gaps.choices import GapSource, Severity
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, FocusArea
from cyberplan.strategy.models import Action
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import CONTROL_LABELS_JS, log_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_create_an_action_from_a_suggestion_for_an_uncovered_gap(ui: BrowserSession, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator,
        world.org_a,
        title_en="National Cybersecurity Strategy",
        country="PY",
        start_year=2026,
        end_year=2030,
    )
    axis = act.do_create_element(
        coordinator,
        strategy,
        kind=ElementKind.AXIS,
        code="1",
        title_en="Resilience",
        focus_area=FocusArea.PREPAREDNESS,
    )
    objective = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="Detect attacks"
    )
    line = act.do_create_element(
        coordinator, strategy, kind=ElementKind.LINE, parent=objective, code="1.1.1", title_en="Monitoring"
    )
    gap = do_create_gap(
        coordinator,
        world.org_a,
        source=GapSource.THREAT_TREND,
        title_en="Brute force against government servers keeps rising",
        severity=Severity.HIGH,
    )
    page = ui.page
    log_in(ui, coordinator)

    page.goto(f"{ui.base_url}{reverse('strategy:traceability', args=[strategy.pk])}")
    expect(page.locator("h1")).to_have_text("Traceability")
    expect(page.locator("#coverage")).to_contain_text("0 of 1 open gaps have an action")
    suggestion = page.locator(f"#suggestion-{gap.pk}")
    expect(suggestion).to_contain_text("is open and no action addresses it")
    expect(suggestion).to_contain_text("1.1.1 Monitoring")
    suggestion.get_by_role("link", name=re.compile("^Create this action")).click()

    expect(page).to_have_url(re.compile(rf"/strategy/{strategy.pk}/actions/new/\?gap={gap.pk}$"))
    expect(page.get_by_label("Title (English)")).to_have_value(f"Address {gap.identifier}: {gap.title_en}")
    expect(page.get_by_label("Under")).to_have_value(str(line.pk))
    expect(page.locator(f'input[name="gaps"][value="{gap.pk}"]')).to_be_checked()
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    page.get_by_label("Title (Spanish)").fill("Reducir la fuerza bruta contra servidores del Estado")
    page.get_by_label("Lead institution").select_option(str(world.org_a.pk))
    page.get_by_label("CSIRT B (CB)").check()  # a supporting institution
    page.get_by_label("Start", exact=True).fill("2026-03-01")
    page.get_by_label("End", exact=True).fill("2026-02-01")
    page.get_by_label("Budget").fill("75000")
    page.get_by_role("button", name="Save the action").click()

    # Dates out of order: a clear message on the field, and nothing typed is lost.
    expect(page.locator("#id_end_date_error")).to_have_text("The end date comes before the start date.")
    expect(page.get_by_label("Budget")).to_have_value("75000")
    expect(page.locator(f'input[name="gaps"][value="{gap.pk}"]')).to_be_checked()
    assert not Action.objects.exists()
    # The refused form came back as 400 Bad Request, which Chromium logs; that one is expected.
    expected = [p for p in ui.watch.problems if "status of 400" in p and "/actions/new/" in p]
    assert len(expected) == 1, ui.watch.problems
    ui.watch.problems.remove(expected[0])
    page.get_by_label("End", exact=True).fill("2026-12-31")
    page.get_by_role("button", name="Save the action").click()

    expect(page.locator(".messages")).to_contain_text("Action 1.1.1.1 was created.")
    expect(page.locator("#gaps")).to_contain_text(gap.identifier)
    expect(page.locator("#gaps")).to_contain_text("is open and no action addresses it")
    page.get_by_role("link", name="Traceability").click()
    expect(page.locator("#coverage")).to_contain_text("100% covered")
    expect(page.locator("#coverage")).to_contain_text("1 of 1 open gaps have an action")
    expect(page.locator("#uncovered")).to_contain_text(
        "Every open gap you can see is addressed by at least one action."
    )
    expect(page.locator(f"#gap-{gap.pk}")).to_contain_text("●")

    # The gap's own page lists the action that addresses it.
    page.get_by_role("link", name=gap.identifier).first.click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('gaps:gap_detail', args=[gap.pk])}")
    page.get_by_role("link", name="Strategy actions addressing this gap").click()
    expect(page.locator("#gap-actions")).to_contain_text("1.1.1.1 Address")
    expect(page).to_have_url(f"{ui.base_url}{reverse('gaps:gap_detail', args=[gap.pk])}")  # loaded in place

    # The workspace: every control labelled, the plan's evidence linked from its phase.
    page.goto(f"{ui.base_url}{reverse('strategy:workspace', args=[strategy.pk])}")
    assert page.evaluate(CONTROL_LABELS_JS)["unlabelled"] == []
    expect(page.locator("#phase-production")).to_contain_text("100% of open gaps have an action")

    action = Action.objects.get()
    assert (action.parent, action.lead, action.budget) == (line, world.org_a, 75000)
    assert list(action.gaps.all()) == [gap]
    assert [o.pk for o in action.supporting.all()] == [world.org_b.pk]
    ui.watch.assert_clean()
