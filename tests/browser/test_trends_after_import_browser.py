"""After an import, the dashboard in a real browser shows the new figures: the trend tables were brought
up to date by the import itself (a new part beside the previous one), not rebuilt."""

from __future__ import annotations

import io
import re
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pytest_django import Settings

from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.core.choices import Role
from cyberplan.threats.store import event_store
from tests.analytics.support import event, write_store
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "threats" / "samples" / "2026-11-28-scan_telnet-py-geo.csv"


def raw_figures(tables: TrendTables) -> tuple[int, int]:
    """Events and distinct source addresses of November 2026, counted on the stored events themselves."""
    files = ", ".join(f"'{path}'" for path in tables.store.files())
    row = (
        duckdb.connect()
        .execute(
            f'SELECT count(*), count(DISTINCT "source.ip") FROM read_parquet([{files}], union_by_name = true) '
            "WHERE \"time.source\" >= TIMESTAMPTZ '2026-11-01 00:00:00+00' "
            "AND \"time.source\" < TIMESTAMPTZ '2026-12-01 00:00:00+00'"
        )
        .fetchone()
    )
    assert row is not None
    return int(row[0]), int(row[1])


def test_the_dashboard_shows_an_import_without_a_rebuild(
    ui: BrowserSession, world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CYBERPLAN_TRENDS_WARM = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }
    # Earlier reports of the month: some addresses the import reports again (181.120.1.2 and .3).
    earlier = [
        event(f"2026-11-{1 + i % 20:02d}T09:00:00", ip=ip, sector="finance", tlp="amber")
        for i, ip in enumerate(["181.120.1.2", "181.120.1.3", "203.0.113.5", "203.0.113.6", "203.0.113.5"])
    ]
    store_root = event_store(world.org_a).root
    write_store(store_root, earlier, "earlier")
    tables = TrendTables(event_store(world.org_a))
    tables.refresh()
    (first_part,) = tables.watermark()["parts"]
    before = raw_figures(tables)
    assert before == (5, 4)

    page = ui.page
    log_in(ui, world.users[Role.ANALYST])
    dashboard = f"{ui.base_url}/trends/?period=2026-11"
    page.goto(dashboard)
    figures = page.locator("#key-figures dd")
    expect(figures.nth(0)).to_have_text(str(before[0]))
    expect(figures.nth(1)).to_have_text(str(before[1]))

    # The import a user runs: the command stores the events and brings the trend tables up to date.
    call_command("ingest", str(SAMPLE), organisation=world.org_a.slug, stdout=io.StringIO())
    after = raw_figures(tables)
    assert after[0] > before[0] and after[1] > before[1]
    parts = tables.watermark()["parts"]
    assert len(parts) == 2 and first_part in parts  # a part added, the earlier one kept: no rebuild
    assert tables.pending_imports() == []

    page.goto(dashboard)
    expect(figures.nth(0)).to_have_text(re.compile(rf"^{after[0]}$"))
    expect(figures.nth(1)).to_have_text(re.compile(rf"^{after[1]}$"))
    ui.watch.assert_clean()
