"""Capacity building in the browser: a coordinator imports a participant list on the programme's page and sees
the coverage of judges change on the coverage page; a list with a bad row is refused, naming the row."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cyberplan.core.choices import TLP, Role
from cyberplan.training import actions
from cyberplan.training.choices import Audience, ProviderKind
from tests.browser.conftest import BrowserSession
from tests.browser.test_browser import log_in
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST = """key,name,institution,audience,role,course,session_date,session_end,attended,completed,score
J-001,Ana Benítez,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,yes,88
J-002,,Poder Judicial,judges,Criminal judge,Electronic evidence in court,2026-05-04,2026-05-05,yes,no,
"""
SECOND = """key,institution,audience,course,session_date,completed
J-001,Poder Judicial,judges,Electronic evidence in court,2026-09-14,yes
J-002,Poder Judicial,judges,Electronic evidence in court,2026-09-14,yes
J-003,Poder Judicial,judges,Electronic evidence in court,2026-09-14,yes
"""
BAD = """key,audience,course,session_date
J-004,astronauts,Electronic evidence in court,2026-09-14
"""


def test_importing_a_participant_list_changes_coverage(ui: BrowserSession, world: World, tmp_path: Path) -> None:
    coordinator = world.users[Role.COORDINATOR]
    provider = actions.do_create_provider(
        coordinator, world.org_a, name="Judicial school", kind=ProviderKind.JUDICIAL_SCHOOL
    )
    programme = actions.do_create_programme(
        coordinator, world.org_a, provider=provider, title="Electronic evidence for judges", tlp=TLP.GREEN
    )
    actions.do_create_course(
        coordinator, programme, title="Electronic evidence in court", topics=["electronic-evidence"], hours=16
    )
    actions.do_set_denominator(
        coordinator, world.org_a, audience=Audience.JUDGES, year=2026, institution="Poder Judicial", size=40
    )
    files = {}
    for name, text in (("first.csv", FIRST), ("second.csv", SECOND), ("bad.csv", BAD)):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    page = ui.page
    log_in(ui, coordinator)

    coverage_url = f"{ui.base_url}{reverse('training:coverage')}?topic=electronic-evidence&audience=judges"
    page.goto(coverage_url)
    judges = page.locator('table.coverage-table tr[data-audience="judges"][data-year="2026"]')
    expect(judges.locator(".cumulative")).to_have_text("0")
    expect(judges.locator(".cumulative-share")).to_have_text("0.0 %")

    page.goto(f"{ui.base_url}{reverse('training:programme_list')}")
    page.get_by_role("link", name="Electronic evidence for judges").click()
    page.get_by_label("Participant list (CSV or XLSX)").set_input_files(files["first.csv"])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-result")).to_contain_text("2 rows read; the list was imported.")
    page.get_by_role("link", name="See coverage").click()
    page.goto(coverage_url)
    expect(judges.locator(".trained")).to_have_text("1")  # J-002 attended but did not complete
    expect(judges.locator(".cumulative-share")).to_have_text("2.5 %")

    page.goto(f"{ui.base_url}{reverse('training:programme_detail', args=[programme.pk])}")
    page.get_by_label("Participant list (CSV or XLSX)").set_input_files(files["second.csv"])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-result")).to_contain_text("3 rows read; the list was imported.")
    page.goto(coverage_url)
    # J-001 is trained twice and counts once: three judges of 40.
    expect(judges.locator(".trained")).to_have_text("3")
    expect(judges.locator(".cumulative-share")).to_have_text("7.5 %")

    page.goto(f"{ui.base_url}{reverse('training:programme_detail', args=[programme.pk])}")
    page.get_by_label("Participant list (CSV or XLSX)").set_input_files(files["bad.csv"])
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-result")).to_contain_text("The list was refused and nothing was written")
    expect(page.locator(".import-problem")).to_contain_text("bad.csv, row 2, column audience")
    page.goto(coverage_url)
    expect(judges.locator(".trained")).to_have_text("3")
    ui.watch.assert_clean()
