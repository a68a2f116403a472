"""No page is wider than the window: every page a coordinator can reach by following links, at a
desktop width (1366 px) and a phone width (390 px), in one browser page reused for the whole crawl."""

from __future__ import annotations

import datetime
import sys
import time
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import reverse

from cyberplan.core.choices import Role
from cyberplan.gaps.actions import do_create_gap
from cyberplan.gaps.choices import GapSource, Severity
from cyberplan.strategy import actions as act
from cyberplan.strategy.choices import ElementKind, FocusArea
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = ((1366, 800), (390, 844))
MAX_PAGES = 150  # a guard against a crawl that never ends (a link that adds to itself); far above today's count

# Links the crawl does not follow: files rather than pages, and addresses that change state or leave the site.
SKIPPED = ("/logout/", "/static/", "/media/", "/api/", "/admin/", "/language/", "download", "export", "quarantine")
SKIPPED_SUFFIXES = (".csv", ".json", ".pdf", ".docx", ".yaml", ".xml")

# When the page is wider than the window: the element whose right edge goes furthest past it,
# ignoring what sits inside a box that scrolls or clips sideways (a .table-responsive), named by
# a short selector path and the start of its text.
OVERFLOW_JS = """
() => {
  const limit = window.innerWidth;
  const width = document.documentElement.scrollWidth;
  if (width <= limit) return null;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) part += "#" + e.id;
      else if (e.classList.length) part += "." + [...e.classList].slice(0, 2).join(".");
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  let worst = null;
  let right = limit;
  // First what is not inside a scrolling box; then anything (an absolutely positioned element
  // can escape a scrolling box that is not its containing block).
  for (const skipClipped of [true, false]) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      // An element's own box, or its content when that spills out of it (a long word in a heading).
      const scrolls = getComputedStyle(el).overflowX !== "visible";
      const reach = scrolls ? box.right : box.left + Math.max(box.width, el.scrollWidth);
      if (box.width > 0 && reach >= right && reach > limit + 0.5 && !(skipClipped && clipped(el))) {
        worst = el;
        right = reach;
      }
    }
    if (worst) break;
  }
  return {
    width, limit,
    element: worst ? name(worst) : "(none found)",
    right: Math.round(right),
    text: worst ? worst.textContent.trim().replace(/\\s+/g, " ").slice(0, 80) : "",
  };
}
"""


def followed(base_url: str, href: str | None) -> str | None:
    """The path (with its query) of a link the crawl follows, or None."""
    if not href or href.startswith(("#", "mailto:", "javascript:")):
        return None
    url, _fragment = urldefrag(href)
    parts = urlsplit(url)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base_url:
        return None
    path = parts.path or "/"
    if any(word in path for word in SKIPPED) or path.endswith(SKIPPED_SUFFIXES):
        return None
    return f"{path}?{parts.query}" if parts.query else path


def seed(world: World) -> None:
    """Enough content that the pages show tables, lists and long names: a strategy with an action,
    and gaps, one with a long unbroken word."""
    coordinator = world.users[Role.COORDINATOR]
    strategy = act.do_create_strategy(
        coordinator,
        world.org_a,
        title_en="National Cybersecurity Strategy",
        title_es="Estrategia Nacional de Ciberseguridad",
        country="PY",
        start_year=2026,
        end_year=2030,
    )
    axis = act.do_create_element(
        coordinator, strategy, kind=ElementKind.AXIS, code="1", title_en="Resilience", focus_area=FocusArea.PREPAREDNESS
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
        title_es="Los ataques de fuerza bruta contra servidores del gobierno siguen en aumento",
        severity=Severity.HIGH,
    )
    do_create_gap(
        coordinator,
        world.org_a,
        source=GapSource.OTHER,
        title_en="No register of https://incidentes.gobierno.example.gov.py/registro-nacional-de-incidentes-ciberneticos",
        severity=Severity.CRITICAL,
    )
    act.do_create_action(
        coordinator,
        strategy,
        parent=line,
        title_en="Deploy a national intrusion detection network",
        title_es="Desplegar una red nacional de detección de intrusiones",
        lead=world.org_a,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        gaps=[gap],
    )


def test_no_page_is_wider_than_the_window(ui: BrowserSession, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    seed(world)
    coordinator = world.users[Role.COORDINATOR]
    coordinator.language = "es"  # Spanish words are the longer ones
    coordinator.save(update_fields=["language"])
    page = ui.page
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    log_in(ui, coordinator)

    start = time.monotonic()
    queue = deque([reverse("core:home")])
    seen = set(queue)
    statuses: dict[str, int] = {}
    too_wide: list[str] = []
    timings: list[tuple[float, str]] = []
    while queue and len(statuses) < MAX_PAGES:
        path = queue.popleft()
        began = time.monotonic()
        response = page.goto(f"{ui.base_url}{path}")
        timings.append((time.monotonic() - began, path))
        statuses[path] = response.status if response is not None else 0
        if "text/html" not in (response.headers.get("content-type", "") if response else ""):
            continue
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                too_wide.append(
                    f"{path} at {width} px: page {overflow['width']} px wide; {overflow['element']} reaches "
                    f"{overflow['right']} px ({overflow['text']!r})"
                )
        page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
        for href in page.locator("a[href]").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"):
            target = followed(ui.base_url, href)
            if target is not None and target not in seen:
                seen.add(target)
                queue.append(target)

    elapsed = time.monotonic() - start
    slowest = ", ".join(f"{path} {seconds:.2f} s" for seconds, path in sorted(timings, reverse=True)[:3])
    with capsys.disabled():  # the figures, for the CI log
        sys.stdout.write(
            f"\nwidth crawl: {len(statuses)} pages at {len(WIDTHS)} widths in {elapsed:.1f} s; slowest: {slowest}\n"
        )
    assert len(statuses) >= 30, f"the crawl reached only {len(statuses)} pages: {sorted(statuses)}"
    assert not queue, f"the crawl stopped at {MAX_PAGES} pages with {len(queue)} left"
    broken = {path: status for path, status in statuses.items() if status >= 400}
    assert not broken, broken
    assert not too_wide, "pages wider than the window:\n" + "\n".join(too_wide)
    ui.watch.assert_clean()
