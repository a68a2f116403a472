"""Legal alignment in the browser: a coordinator maps a Convention article to a national provision and sees
the coverage of its chapter change on the review's page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cyberplan.core.choices import Role
from cyberplan.legal.actions import do_create_review, do_import_instruments_csv
from cyberplan.legal.models import InstrumentArticle
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PENAL_CODE = """kind,number,title,date,official_url,status,status_date,amended_by,article,heading,text,article_status
code,1160/97,Código Penal,1997-11-26,,in_force,,,174 b,Acceso indebido a sistemas informáticos,El que accediere...,in_force
code,1160/97,Código Penal,1997-11-26,,in_force,,,175,Sabotaje de sistemas informáticos,El que obstaculizare...,in_force
"""


def test_mapping_an_article_changes_its_chapters_coverage(ui: BrowserSession, world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    do_import_instruments_csv(coordinator, world.org_a, "PY", PENAL_CODE.encode(), today=dt.date(2026, 6, 1))
    review = do_create_review(
        coordinator, world.org_a, title="Paraguay alignment 2026", country="PY", date=dt.date(2026, 3, 1), tlp="amber"
    )
    article = InstrumentArticle.objects.get(number="174 b")
    page = ui.page
    log_in(ui, coordinator)

    page.goto(f"{ui.base_url}{reverse('legal:review_list')}")
    page.get_by_role("link", name="Paraguay alignment 2026").click()
    expect(page.locator("h1")).to_contain_text("Paraguay alignment 2026")
    substantive = page.get_by_test_id("coverage-ets-185-II.1")
    # Columns: part, provisions, fully, partly, not covered, not applicable, not assessed, fully covered.
    expect(substantive.locator("td").nth(1)).to_have_text("12")
    expect(substantive.locator("td").nth(2)).to_have_text("0")
    expect(substantive.locator("td").nth(7)).to_have_text("0 %")

    page.locator('[id="finding-ets-185:2"]').get_by_role("link", name="2", exact=True).click()
    expect(page).to_have_url(re.compile(r"/legal/reviews/\d+/provisions/ets-185:2/$"))
    page.get_by_label("Coverage", exact=True).select_option("full")
    page.get_by_label("National provisions").select_option(str(article.pk))
    page.get_by_label("Reasoning").fill("Article 174 b of the Penal Code makes illegal access a crime.")
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("The finding was saved.")
    substantive = page.get_by_test_id("coverage-ets-185-II.1")
    expect(substantive.locator("td").nth(2)).to_have_text("1")
    expect(substantive.locator("td").nth(6)).to_have_text("11")
    expect(substantive.locator("td").nth(7)).to_have_text("8 %")  # 1 of 12
    expect(page.locator('[id="finding-ets-185:2"]')).to_contain_text("174 b")
    finding = review.provisions.get(provision="ets-185:2")
    assert finding.coverage == "full" and list(finding.national_articles.all()) == [article]
    ui.watch.assert_clean()
