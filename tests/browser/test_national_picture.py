"""The national picture in the browser: the demo's national coordinator (MITIC) sees CERT-PY's events,
granted to MITIC by the demo, on the overview, the trends page and in the trends report the worker makes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django import Settings

from cyberplan.core.models import Organisation, User
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.threats.demo import build_threat_demo
from cyberplan.workspace.demo import DEMO_PASSWORD, build_demo_workspace
from tests.browser.conftest import JOB_TIMEOUT_MS, BrowserSession, Worker

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_demo_coordinator_sees_the_national_picture(
    ui: BrowserSession, settings: Settings, tmp_path: Path, start_worker: Callable[[], Worker]
) -> None:
    # The worker keeps its stores and files in its data folder; the live server reads the same ones.
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "worker-data" / "events"
    settings.MEDIA_ROOT = tmp_path / "worker-data" / "media"
    build_demo_workspace()  # MITIC, CERT-PY, their people, and CERT-PY's grant to MITIC
    build_threat_demo(Organisation.objects.get(slug="cert-py"), lambda _message: None, events=2000)
    coordinator = User.objects.get(username="demo-coordinator")
    assert not coordinator.memberships.filter(organisation__slug="cert-py").exists()  # MITIC only

    page = ui.page
    page.goto(f"{ui.base_url}{reverse('login')}")
    page.locator("main form input[name=login]").fill(coordinator.get_username())
    page.locator("main form input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('core:home')}")

    # The overview: CERT-PY's store, named with its grant, with the latest month's events.
    cert_py = Organisation.objects.get(slug="cert-py")
    tile = page.locator(f'[data-tile="threats"] [data-store="{cert_py.pk}"]')
    expect(tile).to_contain_text("CERT-PY")
    expect(tile).to_contain_text("up to TLP:AMBER")
    events_line = tile.locator("p.small").first.inner_text()
    assert re.search(r"[1-9][\d,]* events? in the latest month", events_line), events_line

    # The trends page opens on CERT-PY's store at first sign-in, and counts its events.
    page.goto(f"{ui.base_url}{reverse('trends:dashboard')}")
    expect(page.locator("main h2").first).to_contain_text("CERT-PY")
    expect(page.locator("main h2").first).to_contain_text("up to TLP:AMBER")
    expect(page.locator("main svg").first).to_be_visible()

    # The trends report for that period, made by the real worker, counts the same store.
    offer = page.locator("#report-offer")
    expect(offer).to_be_visible()
    offer.locator("#report_format").select_option("html")
    offer.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/jobs/[0-9a-f-]{36}/$"))
    worker = start_worker()
    state = page.locator(".job-state")
    try:
        expect(state).to_have_class(re.compile(r"\bjob-succeeded\b"), timeout=JOB_TIMEOUT_MS)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker output ---\n{worker.output()}") from None
    job = Job.objects.get(kind="trends_report")
    assert job.status == JobStatus.SUCCEEDED and job.organisation.slug == "mitic"
    assert (job.result or {}).get("events", 0) > 0
    with page.expect_download() as download_info:
        page.locator("#job-status").get_by_role("link", name="Download the result").click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "CERT-PY" in report and "read through a store grant" in report
    ui.watch.assert_clean()
