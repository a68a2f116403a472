"""The strategy's evaluation page in the browser: an editor turns a recommendation into a gap and into an
action, and the page passes the crawl's checks (one heading, no overflow at a phone's width, no serious
accessibility violation) in both languages."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from cyberplan.core.choices import Role
from cyberplan.gaps.models import Gap
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, EvaluationKind, EvaluatorType, RecommendationPriority, RiskKind
from cyberplan.strategy.models import Recommendation
from cyberplan.strategy.oversight import actions as oversight
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.browser.test_crawl import AXE, Crawl, _check_page
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_recommendation_becomes_gap_and_action_on_the_evaluation_page(ui: BrowserSession, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator, world.org_a, title_en="National strategy", country="PY", start_year=2025, end_year=2028
    )
    act.do_update_strategy(None, strategy, None, adopted_on=datetime.date(2025, 5, 22))
    axis = act.do_create_element(coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Awareness")
    objective = act.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="Reach citizens"
    )
    held = oversight.do_create_evaluation(
        None,
        strategy,
        kind=EvaluationKind.AD_HOC,
        date=datetime.date(2026, 6, 30),
        evaluator="Strategy team",
        evaluator_type=EvaluatorType.INTERNAL,
        findings="Incident response is on track; awareness lags.",
    )
    rec = oversight.do_create_recommendation(
        None, held, text="Run a second awareness wave in the regions.", priority=RecommendationPriority.HIGH
    )
    oversight.do_create_risk(
        None, objective, kind=RiskKind.RISK, text="Media refuse the spots.", likelihood=3, impact=4
    )
    oversight.do_set_axis_owner(None, axis, body="Subcommittee on incident response", contact_role="Chair")
    page = ui.page
    log_in(ui, coordinator)
    address = f"{ui.base_url}{reverse('strategy:evaluation', args=[strategy.pk])}"
    page.goto(address)
    expect(page.locator(".review-due")).to_contain_text("2028")

    page.locator(f"#recommendation-{rec.pk}").get_by_role("button", name="Record as a gap").click()
    gap = Gap.objects.get(source_key=f"evaluation-recommendation:{rec.pk}")
    expect(page.locator(f"#recommendation-{rec.pk}")).to_contain_text(gap.identifier)
    item = page.locator(f"#recommendation-{rec.pk}")
    item.get_by_label("Make an action under").select_option(str(objective.pk))
    item.get_by_role("button", name="Make an action").click()
    rec = Recommendation.objects.get(pk=rec.pk)
    assert rec.action is not None and list(rec.action.gaps.all()) == [gap]
    expect(page.locator(f"#recommendation-{rec.pk}")).to_contain_text(rec.action.code)

    crawl = Crawl()
    axe_source = AXE.read_text(encoding="utf-8")
    _check_page(page, "evaluation", "en", crawl, axe_source)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": ui.base_url}])
    page.goto(address)
    _check_page(page, "evaluation", "es", crawl, axe_source)
    assert not crawl.problems, "\n".join(crawl.problems)
    ui.watch.assert_clean()
