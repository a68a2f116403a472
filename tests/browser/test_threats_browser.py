"""Threat evidence in the browser: upload a report, follow the import done by the real worker,
read the quarantine and browse the stored events."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.threats.models import Import
from tests.browser.conftest import JOB_TIMEOUT_MS, BrowserSession, Worker
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[1] / "threats" / "samples" / "2026-11-28-scan_telnet-py-geo.csv"


def test_upload_follow_and_browse(
    ui: BrowserSession, world: World, start_worker: Callable[[], Worker], settings: Settings, tmp_path: Path
) -> None:
    # The worker keeps its event stores in its data folder; the live server reads the same ones.
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "worker-data" / "events"
    page = ui.page
    log_in(ui, world.users[Role.ANALYST])
    page.goto(f"{ui.base_url}{reverse('threats:import_list')}")
    page.locator("#id_file").set_input_files(str(SAMPLE))
    page.locator("#id_tlp").select_option("green")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page).to_have_url(re.compile(r"/threats/imports/[0-9a-f-]{36}/$"))
    state = page.locator("#import-status .job-state")
    expect(state).to_have_class(re.compile(r"\bjob-pending\b"))

    worker = start_worker()
    try:
        expect(state).to_have_class(re.compile(r"\bjob-succeeded\b"), timeout=JOB_TIMEOUT_MS)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker output ---\n{worker.output()}") from None
    record = Import.objects.get()
    assert (record.read, record.stored, record.duplicates, record.quarantined) == (9, 5, 1, 3)
    summary = page.locator("#import-status table.summary tbody td")
    expect(summary).to_have_text(["9", "5", "1", "3"])
    expect(page.locator("#import-status")).to_contain_text("not a port number (0-65535): 99999")

    page.get_by_role("link", name="Browse the events").click()
    expect(page.locator("table.events tbody tr")).to_have_count(5)
    expect(page.locator("table.events")).to_contain_text("181.120.1.2")
    page.locator("#id_country").fill("unknown")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("table.events tbody tr")).to_have_count(1)
    expect(page.locator("table.events")).to_contain_text("10.1.2.3")
    ui.watch.assert_clean()
