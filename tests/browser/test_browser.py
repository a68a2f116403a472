"""The application in a real browser: sign-in, Spanish, every page, accessibility basics, and a
background job that the real worker runs while the page polls for it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from cyberplan.core.choices import Role
from cyberplan.core.models import AuditEntry, User
from cyberplan.core.sections import SECTIONS
from cyberplan.gaps.models import Gap
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from tests.browser.conftest import JOB_TIMEOUT_MS, BrowserSession, Worker
from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.browser

CSV_HEADER = ["timestamp", "actor", "action", "record_type", "record_id", "record", "channel", "changes"]

# Every form control a person fills in, as opposed to buttons, which are named by their text.
CONTROL_LABELS_JS = """
() => {
  const named = (el) => {
    if ([...(el.labels || [])].some((label) => label.textContent.trim() !== "")) return true;
    if ((el.getAttribute("aria-label") || "").trim() !== "") return true;
    return (el.getAttribute("aria-labelledby") || "")
      .split(/\\s+/)
      .some((id) => id && (document.getElementById(id)?.textContent || "").trim() !== "");
  };
  const controls = [...document.querySelectorAll("input, select, textarea")].filter(
    (el) => !["hidden", "submit", "button", "reset", "image"].includes(el.type),
  );
  return {
    names: controls.map((el) => el.name),
    unlabelled: controls.filter((el) => !named(el)).map((el) => el.name || el.id || el.outerHTML),
  };
}
"""


def in_language(language: str, message: str) -> str:
    """The message as the compiled catalogue has it, so the tests follow whatever wording it uses."""
    with translation.override(language):
        return translation.gettext(message)


def log_in(ui: BrowserSession, user: User) -> None:
    page = ui.page
    page.goto(f"{ui.base_url}{reverse('login')}")
    page.locator("main form input[name=login]").fill(user.get_username())
    page.locator("main form input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('core:home')}")


def test_sign_in_and_switch_to_spanish(ui: BrowserSession, world: World) -> None:
    page = ui.page
    analyst = world.users[Role.ANALYST]
    log_in(ui, analyst)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(in_language("en", "Overview"))

    # The stylesheets and scripts come from our own origin, through the static files finders.
    static = f"{ui.base_url}/static/"
    css = [f"{static}vendor/bootstrap/bootstrap.min.css", f"{static}cyberplan/cyberplan.css"]
    scripts = [f"{static}vendor/bootstrap/bootstrap.bundle.min.js", f"{static}vendor/htmx/htmx.min.js"]
    for url in css + scripts:
        assert ui.watch.responses.get(url) == 200, ui.watch.responses
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => typeof window.bootstrap.Dropdown") == "function"
    for href in css:
        assert page.evaluate(
            """(href) => [...document.styleSheets].some((s) => s.href === href && s.cssRules.length > 0)""", href
        )

    # The language is in the user's menu, which Bootstrap's script opens.
    expect(page.locator("#language-select")).to_be_hidden()
    page.locator("#user-menu").click()
    expect(page.locator("#language-select")).to_be_visible()
    page.locator("#language-select").select_option("es")
    page.locator("header").get_by_role("button", name="Change", exact=True).click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    gap_register = in_language("es", "Gap register")
    assert gap_register != "Gap register", "the Spanish catalogue does not translate 'Gap register'"
    link = page.locator("nav[aria-label]").get_by_role("link", name=gap_register, exact=True)
    expect(link).to_be_hidden()  # in the "Plan" menu, closed
    in_menu = page.locator(f'a[href="{reverse("gaps:gap_list")}"]')  # a role query would skip it while hidden
    page.locator("nav[aria-label] .dropdown").filter(has=in_menu).locator("button").click()
    expect(link).to_be_visible()
    expect(page.locator("h1")).to_have_text(in_language("es", "Overview"))
    expect(page.locator("#language-select")).to_have_value("es")
    analyst.refresh_from_db()
    assert analyst.language == "es"  # saved for the next visit, not only in a cookie
    ui.watch.assert_clean()


def test_every_page_in_spanish(ui: BrowserSession, world: World, make_gap: Callable[..., Gap]) -> None:
    page = ui.page
    coordinator = world.users[Role.COORDINATOR]
    coordinator.language = "es"
    coordinator.save(update_fields=["language"])
    gap = make_gap(title_en="No national incident register", title_es="No hay registro nacional de incidentes")
    log_in(ui, coordinator)
    expect(page.locator("html")).to_have_attribute("lang", "es")

    hrefs = page.locator("header nav a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    built = {s.slug: reverse(s.url_name) for s in SECTIONS if s.url_name}
    threats_and_plan = ("threats", "trends", "assessment", "strategy", "monitoring")
    expected = [
        reverse("core:home"),
        built["threats"],
        reverse("threats:event_list"),
        built["trends"],
        built["assessment"],
        reverse("gaps:gap_list"),
        built["strategy"],
        built["monitoring"],
        *(url for slug, url in built.items() if slug not in threats_and_plan),  # the partners' menu
        reverse("core:organisation_list"),
        reverse("jobs:job_list"),
        reverse("core:audit_list"),  # a coordinator may read the audit log
    ]
    assert hrefs == expected

    # A section not built yet is named as coming, not offered as a page; its old address still answers.
    coming = [s for s in SECTIONS if not s.url_name]
    for section in coming:
        with translation.override("es"):
            title = str(section.title)
        entry = page.locator("header nav .nav-coming", has_text=title)
        expect(entry).to_have_count(1)
        expect(entry).to_contain_text(in_language("es", "coming"))
        assert reverse("core:section", args=[section.slug]) not in hrefs

    for href in hrefs:
        response = page.goto(f"{ui.base_url}{href}")
        assert response is not None
        assert response.status == 200, href
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("header nav a[aria-current=page]")).to_have_attribute("href", href)
    for section in coming:
        response = page.goto(f"{ui.base_url}{reverse('core:section', args=[section.slug])}")
        assert response is not None and response.status == 200

    # The gap register, then one gap, shown with its Spanish title.
    page.goto(f"{ui.base_url}{reverse('gaps:gap_list')}")
    page.locator("main table").get_by_role("link", name=gap.identifier, exact=True).click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('gaps:gap_detail', args=[gap.pk])}")
    expect(page.locator("h1")).to_contain_text(gap.identifier)
    expect(page.locator("h1")).to_contain_text("No hay registro nacional de incidentes")

    # The organisations, then one organisation.
    page.goto(f"{ui.base_url}{reverse('core:organisation_list')}")
    detail = reverse("core:organisation_detail", args=[world.org_a.pk])
    page.locator(f'main a[href="{detail}"]').click()
    expect(page).to_have_url(f"{ui.base_url}{detail}")
    expect(page.locator("h1")).to_have_text(str(world.org_a))

    page.goto(f"{ui.base_url}{reverse('jobs:job_list')}")
    expect(page.locator("h1")).to_have_text(in_language("es", "Jobs"))

    # The account page is in the menu under the user name, in the header.
    page.locator("#user-menu").click()
    expect(page.locator("#user-menu")).to_contain_text(coordinator.username)
    page.locator("header").get_by_role("link", name=in_language("es", "Your account"), exact=True).click()
    expect(page).to_have_url(f"{ui.base_url}{reverse('core:account')}")
    expect(page.locator("h1")).to_have_text(in_language("es", "Your account"))

    statuses = {url: status for url, status in ui.watch.responses.items() if url.startswith(ui.base_url)}
    assert all(status < 400 for status in statuses.values()), statuses
    ui.watch.assert_clean()


def test_watch_sees_a_script_aborted_while_its_page_stays(ui: BrowserSession) -> None:
    """A script cancelled because the test moved on is not a problem; one cancelled while its page
    stays on screen is, and the watch reports it."""
    page = ui.page
    page.route("**/htmx.min.js", lambda route: route.abort("aborted"))
    page.goto(f"{ui.base_url}{reverse('login')}")
    page.wait_for_load_state("load")
    assert any("htmx.min.js: net::ERR_ABORTED" in problem for problem in ui.watch.problems), ui.watch.problems


def test_console_watch_sees_a_policy_violation(ui: BrowserSession) -> None:
    """The clean-console assertions mean something: an inline script is refused and reported."""
    page = ui.page
    page.goto(f"{ui.base_url}{reverse('login')}")
    with page.expect_console_message(lambda message: "CSP violation" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.append(s); }"
        )
    assert any("CSP violation: script-src" in problem for problem in ui.watch.problems), ui.watch.problems
    assert page.evaluate("() => window.x") is None


def test_skip_link_and_labelled_controls(ui: BrowserSession, world: World) -> None:
    page = ui.page
    # Not on the sign-in page: Django's login form puts the focus in the user name field on load.
    log_in(ui, world.users[Role.COORDINATOR])
    page.reload()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    expect(page.locator(":focus")).to_have_text(in_language("en", "Skip to main content"))
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    page.goto(f"{ui.base_url}{reverse('gaps:gap_create')}")
    expect(page.locator("h1")).to_have_text(in_language("en", "Record a gap"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"

    controls = page.evaluate(CONTROL_LABELS_JS)
    form_fields = {"organisation", "source", "source_key", "title_en", "title_es", "description_en", "description_es"}
    assert form_fields | {"severity", "tlp", "language"} <= set(controls["names"]), controls["names"]
    assert controls["unlabelled"] == []
    ui.watch.assert_clean()


def test_audit_export_finishes_in_the_worker(
    ui: BrowserSession, world: World, make_gap: Callable[..., Gap], start_worker: Callable[[], Worker]
) -> None:
    page = ui.page
    for title in ("No incident reporting duty", "No CSIRT accreditation", "No sector CSIRTs"):
        make_gap(title_en=title)
    log_in(ui, world.users[Role.ADMINISTRATOR])
    page.goto(f"{ui.base_url}{reverse('core:audit_list')}")
    page.locator("#export-org").select_option(str(world.org_a.pk))
    page.locator("main").get_by_role("button", name="Export as CSV", exact=True).click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(ui.base_url)}/jobs/[0-9a-f-]{{36}}/$"))
    job = Job.objects.get()
    assert page.url.endswith(reverse("jobs:job_detail", args=[job.pk]))
    state = page.locator("#job-status .job-state")
    # No worker yet: the page shows the job waiting, and keeps asking.
    expect(state).to_have_class(re.compile(r"\bjob-queued\b"))

    worker = start_worker()
    try:
        expect(state).to_have_class(re.compile(r"\bjob-succeeded\b"), timeout=JOB_TIMEOUT_MS)
        expect(state).to_have_text(in_language("en", "Succeeded"))
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker output ---\n{worker.output()}") from None
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED

    download_link = page.locator("#job-status").get_by_role("link", name=in_language("en", "Download the result"))
    expect(download_link).to_be_visible()
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == f"audit-{world.org_a.slug}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == CSV_HEADER
    assert len(rows) - 1 == AuditEntry.objects.filter(organisation=world.org_a).count() == job.progress_done
    ui.watch.assert_clean()
