"""The threat trends dashboard in a real browser: open it, change a filter, and drill down to the
matching events in the event browser."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.threats.store import event_store
from tests.analytics.support import event, write_store
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_filter_and_drill_down_to_the_events(
    ui: BrowserSession, world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    events = [
        event(f"2026-10-{1 + i % 30:02d}T09:00:00", ip=f"198.51.100.{i}", taxonomy="availability", type_="ddos",
              sector="finance", tlp="amber")
        for i in range(12)
    ] + [
        event(f"2026-10-{1 + i:02d}T09:00:00", ip=f"203.0.113.{i}", sector="health", tlp="green")
        for i in range(4)
    ]  # fmt: skip
    write_store(event_store(world.org_a).root, events)

    page = ui.page
    log_in(ui, world.users[Role.ANALYST])
    main_menu = page.get_by_role("navigation", name="Main")
    main_menu.get_by_role("button", name="Threats", exact=True).click()  # the menu that holds the trends
    main_menu.get_by_role("link", name="Threat trends").click()
    expect(page).to_have_url(re.compile(r"/trends/$"))
    expect(page.locator("h2").first).to_contain_text("2026-10")
    expect(page.locator("#key-figures dd").first).to_have_text("16")
    expect(page.locator("#panel-classes svg").first).to_be_visible()

    page.locator("#id_sector").select_option("finance")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page).to_have_url(re.compile(r"sector=finance"))
    expect(page.locator("#key-figures dd").first).to_have_text("12")

    page.locator("#table-types").get_by_role("link", name=re.compile("ddos")).click()
    expect(page).to_have_url(re.compile(r"/threats/events/\?"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["sector"] == ["finance"]
    assert query["type"] == ["ddos"]
    assert (query["since"], query["until"]) == (["2026-10-01"], ["2026-11-01"])
    expect(page.locator("#id_sector")).to_have_value("finance")
    expect(page.locator("table.events tbody tr")).to_have_count(12)
    expect(page.locator("main")).to_contain_text("12 events in the store of Authority A")
    expect(page.locator("table.events")).not_to_contain_text("203.0.113.")
    assert reverse("threats:event_list") in page.url
    ui.watch.assert_clean()
