"""The crawl: every page a demo coordinator can reach, in both languages, at a desktop and a phone width.

Signed in as the demo workspace's national coordinator (organisations, gaps, an assessment, a strategy and a
small threat demo, a legal alignment review, capacity-building programmes), the crawl follows every link of the site from the overview, and on each page checks:
it answers below 400, with one visible ``h1``, in the chosen language; it is no wider than the window at
1366 px and at 390 px; axe-core (vendored from the npm registry in ``tests/browser/vendor``) finds no
serious or critical accessibility violation. It measures each page's load, first (cold) and again (warm),
and reports the slowest pages at the end of the run: reported, not asserted.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page
from pytest_django import Settings

from cyberplan.assessment.demo import build_demo_assessment_for_workspace
from cyberplan.core.models import Organisation, User
from cyberplan.legal.demo import build_demo_legal_for_workspace
from cyberplan.strategy.demo import build_demo_strategy_for_workspace
from cyberplan.threats.demo import build_threat_demo
from cyberplan.training.demo import build_demo_training_for_workspace
from cyberplan.workspace.demo import DEMO_PASSWORD, build_demo_workspace
from tests.browser.conftest import BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
LANGUAGES = ("en", "es")
MAX_PAGES = 260
#: links the crawl does not follow: leaving, downloads and exports, the admin site, the API, files
SKIP = re.compile(
    r"^/(admin|api|static|media)/|/logout/|/download/|/export|\.(pdf|docx|csv|json|zip|png|svg)$|/accounts/(logout|2fa/|mfa/)"
)
#: at most this many pages of one shape (the same path with other numbers or ids)
PER_SHAPE = 2
#: how a page's numbers and ids are folded into its shape
SHAPE = re.compile(r"/[0-9a-f-]{8,}|/\d+|(?<=[:.])\d+")  # ids, numbers, a provision's article (ets-185:20)
SERIOUS = ("serious", "critical")

#: what the last crawl measured, printed by the browser tests' summary hook
REPORT: dict[str, object] = {}

WIDEST_JS = """() => {
  const limit = window.innerWidth;
  let widest = null;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && (!widest || box.right > widest.right)) {
      widest = {right: Math.round(box.right), tag: el.tagName.toLowerCase(), id: el.id,
                cls: (el.className && el.className.baseVal === undefined ? el.className : '').toString().slice(0, 60)};
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: limit, widest};
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cold_ms: dict[str, float] = field(default_factory=dict)
    warm_ms: dict[str, float] = field(default_factory=dict)
    axe_checked: int = 0


def _demo_world() -> User:
    build_demo_workspace()
    build_threat_demo(Organisation.objects.get(slug="cert-py"), lambda _message: None, events=3000)
    build_demo_assessment_for_workspace()
    build_demo_training_for_workspace()  # before the strategy, whose training-coverage KPI reads it
    build_demo_strategy_for_workspace()
    build_demo_legal_for_workspace()
    return User.objects.get(username="demo-coordinator")


def _sign_in(ui: BrowserSession, user: User, language: str) -> None:
    page = ui.page
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": ui.base_url}])
    page.goto(f"{ui.base_url}{reverse('login')}")
    page.locator("main form input[name=login]").fill(user.get_username())
    page.locator("main form input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")


def _links(page: Page, base: str) -> list[str]:
    hrefs: list[str] = page.locator("a[href]").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if not url.startswith(base) or SKIP.search(parts.path) or parts.query.startswith("page="):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _load(page: Page, url: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = page.goto(url, wait_until="load")
    elapsed = (time.perf_counter() - started) * 1000
    return (response.status if response else 0), elapsed


def _check_page(page: Page, path: str, language: str, crawl: Crawl, axe_source: str) -> None:
    if page.locator("h1:visible").count() != 1:
        crawl.problems.append(f"{language} {path}: {page.locator('h1').count()} h1 headings, one visible expected")
    if page.locator("html").get_attribute("lang") != language:
        crawl.problems.append(f"{language} {path}: page not in {language}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 800 else 800})
        measure = page.evaluate(WIDEST_JS)
        if measure["scroll"] > measure["inner"]:
            crawl.problems.append(
                f"{language} {path} at {width}px: {measure['scroll']} px wide; widest {measure['widest']}"
            )
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(axe_source)
    for violation in page.evaluate(AXE_RUN):
        if violation["impact"] in SERIOUS:
            crawl.problems.append(
                f"{language} {path}: axe {violation['impact']} {violation['id']} ({violation['help']}) at {violation['nodes']}"
            )
    crawl.axe_checked += 1


def crawl_site(ui: BrowserSession, user: User, language: str, crawl: Crawl) -> None:
    _sign_in(ui, user, language)
    axe_source = AXE.read_text(encoding="utf-8")
    queue, seen, shapes = ["/"], {"/"}, {}
    while queue and len(seen) <= MAX_PAGES:
        path = queue.pop(0)
        status, cold = _load(ui.page, f"{ui.base_url}{path}")
        if status >= 400:
            crawl.problems.append(f"{language} {path}: status {status} (linked from a crawled page)")
            continue
        if language == LANGUAGES[0]:
            crawl.cold_ms[path] = cold
            _status, crawl.warm_ms[path] = _load(ui.page, f"{ui.base_url}{path}")
        crawl.visited.append(f"{language} {path}")
        _check_page(ui.page, path, language, crawl, axe_source)
        for link in _links(ui.page, ui.base_url):
            shape = SHAPE.sub("/N", link.split("?")[0]) + ("?" if "?" in link else "")
            if link in seen or shapes.get(shape, 0) >= PER_SHAPE:
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)


def test_crawl_every_page(ui: BrowserSession, settings: Settings, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    user = _demo_world()
    crawl = Crawl()
    started = time.perf_counter()
    for language in LANGUAGES:
        crawl_site(ui, user, language, crawl)
    slowest = sorted(crawl.cold_ms.items(), key=lambda item: -item[1])[:10]
    REPORT.update(
        pages=len(crawl.visited),
        languages=list(LANGUAGES),
        widths=list(WIDTHS),
        axe_pages=crawl.axe_checked,
        problems=len(crawl.problems),
        seconds=round(time.perf_counter() - started, 1),
        slowest_cold_ms=[(path, round(ms)) for path, ms in slowest],
        slowest_warm_ms=[(path, round(crawl.warm_ms[path])) for path, _ms in slowest],
        over_budget_warm=[path for path, ms in crawl.warm_ms.items() if ms > 500],
        over_budget_cold=[path for path, ms in crawl.cold_ms.items() if ms > 1500],
    )
    (tmp_path / "crawl.json").write_text(json.dumps(REPORT, indent=2), encoding="utf-8")
    assert len(crawl.visited) > 40, crawl.visited  # the crawl reached the site, not just the sign-in page
    assert not crawl.problems, "\n".join(crawl.problems)
    ui.watch.assert_clean()
