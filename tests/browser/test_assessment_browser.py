"""The capacity assessment in the browser: answer an indicator, back it with evidence, approve the factor."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.models import Framework
from cyberplan.core.choices import Role
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_answer_with_evidence_and_approve(ui: BrowserSession, world: World) -> None:
    framework = Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1")
    coordinator = world.users[Role.COORDINATOR]
    assessment = do_create_assessment(
        coordinator,
        world.org_a,
        framework,
        title="Paraguay 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method="expert_review",
    )
    answer = assessment.answers.get(indicator_id="1.1.S1")
    page = ui.page
    log_in(ui, coordinator)

    page.goto(f"{ui.base_url}{reverse('assessment:assessment_list')}")
    page.get_by_role("link", name="Paraguay 2026").click()
    expect(page.locator("h1")).to_have_text("Paraguay 2026")
    page.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    expect(page).to_have_url(re.compile(r"/assessment/\d+/factors/1\.1/$"))

    item = page.locator('[id="i-1.1.S1"]')
    item.get_by_label("Answer to 1.1.S1").select_option("met")
    item.get_by_label("Note on 1.1.S1").fill("Decree 7052/2017 approves the national plan.")
    item.get_by_role("button", name="Save answer").click()
    expect(page.locator(".messages")).to_contain_text("The answer to 1.1.S1 was saved.")
    item = page.locator('[id="i-1.1.S1"]')
    expect(item.locator(".answer-value")).to_have_text("Met")
    expect(item).to_contain_text("claimed without evidence")

    # The evidence form shows only the chosen kind's fields (a static script; the server ignores the rest).
    page.locator("#id_kind").select_option("url")
    expect(page.locator("#id_url")).to_be_visible()
    expect(page.locator("#id_citation")).to_be_hidden()
    expect(page.locator("#id_document")).to_be_hidden()
    page.locator("#id_indicator").select_option("1.1.S1")
    page.locator("#id_kind").select_option("citation")
    expect(page.locator("#id_citation")).to_be_visible()
    expect(page.locator("#id_url")).to_be_hidden()
    page.locator("#id_label").fill("National cybersecurity plan")
    page.locator("#id_citation").fill("Decree 7052/2017, art. 1")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.locator(".messages")).to_contain_text("The evidence was added to 1.1.S1.")
    item = page.locator('[id="i-1.1.S1"]')
    expect(item.locator(".evidence-list")).to_contain_text("Decree 7052/2017, art. 1")
    expect(item).not_to_contain_text("claimed without evidence")

    expect(page.locator("#factor-review")).to_have_text("Not approved")
    page.get_by_role("button", name="Approve this factor").click()
    expect(page.locator("#factor-review")).to_contain_text("Approved by a-coordinator")

    answer.refresh_from_db()
    assert (answer.value, answer.version) == ("met", 2)
    assert answer.evidence.get().citation == "Decree 7052/2017, art. 1"
    assert assessment.factors.get(factor_id="1.1").approved
    page.get_by_role("link", name="Scores").click()
    expect(page.locator('[id="f-1.1"]')).to_contain_text("Approved by a-coordinator")
    ui.watch.assert_clean()
