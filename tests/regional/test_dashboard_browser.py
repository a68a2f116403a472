"""The regional dashboard in a real browser, as the crawl checks every page: one visible heading, the
chosen language, no wider than the window at 1366 px and 390 px, and no serious or critical axe-core
violation, in English and Spanish. The crawl's demo world has no regional programme, so this test
builds one and asks the crawl's checks of this page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from cyberplan.core.choices import OrganisationType, Role
from cyberplan.core.models import Organisation, User
from cyberplan.regional import intake
from cyberplan.regional.models import Member, ReceivedPackage
from cyberplan.regional.package import bundle_of, bundle_text
from tests.browser.conftest import BrowserSession, browser, context, ui  # noqa: F401 - the browser fixtures
from tests.browser.test_crawl import AXE, Crawl, _check_page
from tests.conftest import PASSWORD, make_user
from tests.regional.support import CREATED, MEMBER, header, parts
from tests.regional.test_analysis import UY, YEAR_2025, py_2025, uy_figures

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def officer(transactional_db: None) -> User:
    org = Organisation.objects.create(name="Regional Programme", slug="programme", type=OrganisationType.REGIONAL_BODY)
    Member.objects.create(programme=org, country="PY", name="Paraguay", identity_id=MEMBER.identity_id)
    Member.objects.create(programme=org, country="UY", name="Uruguay", identity_id=UY.identity_id)
    earlier = CREATED - dt.timedelta(days=300)
    for period, head, figures in (
        ("2026", header(), parts()),
        ("2026", header(member=UY, country="UY"), uy_figures()),
        ("2025", header(**YEAR_2025, created=earlier, modified=earlier), py_2025()),
    ):
        data = bundle_text(bundle_of(head, figures)).encode()
        assert isinstance(intake.do_receive(None, org, period, "p.json", data), ReceivedPackage)
    return make_user("officer", org, Role.VIEWER)


def test_the_dashboard_passes_the_crawls_checks_in_both_languages(ui: BrowserSession, officer: User) -> None:  # noqa: F811
    crawl, axe_source = Crawl(), AXE.read_text(encoding="utf-8")
    page = ui.page
    for language in ("en", "es"):
        page.context.clear_cookies()
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": ui.base_url}])
        page.goto(f"{ui.base_url}{reverse('login')}")
        page.locator("main form input[name=login]").fill(officer.get_username())
        page.locator("main form input[name=password]").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
        path = reverse("regional:programme_overview")
        response = page.goto(f"{ui.base_url}{path}", wait_until="load")
        assert response is not None and response.status == 200
        assert page.locator("figure.chart svg[role=img]").count() >= 8
        _check_page(page, path, language, crawl, axe_source)
    assert crawl.axe_checked == 2
    assert not crawl.problems, "\n".join(crawl.problems)
    ui.watch.assert_clean()
