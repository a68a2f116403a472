"""Fixtures for the browser tests: Debian's Chromium through Playwright, a watch on the console,
and the real task worker as a second process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Frame,
    Page,
    Request,
    Response,
    sync_playwright,
)
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from tests import dbutil

# The live server and the worker must share the test database: with SQLite it has to be a file.
dbutil.use_file_sqlite_test_database()

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 30_000

# Chromium reports a Content-Security-Policy violation as a console error in its own words; this
# listener adds one with a fixed prefix, so the check does not depend on that wording.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/bootstrap.sh --test).")
    # Playwright's sync API keeps an asyncio event loop running in this thread; Django refuses
    # database access from a thread with a running loop unless told that this is intended. The
    # variable is set only while the browser exists, so other test modules keep Django's check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
            )
            try:
                yield chromium
            finally:
                chromium.close()


@dataclass
class PageWatch:
    """What went wrong in the browser: console errors, uncaught exceptions, server errors."""

    problems: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)  # URL -> status, every response seen
    navigations: int = 0  # how many times the main frame has moved to a new document
    started_at: dict[Request, int] = field(default_factory=dict)  # request -> navigations when it began

    def on_frame_navigated(self, frame: Frame) -> None:
        if frame.parent_frame is None:
            self.navigations += 1

    def on_request(self, request: Request) -> None:
        self.started_at[request] = self.navigations

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.problems.append(f"uncaught exception: {error.message}")

    def on_response(self, response: Response) -> None:
        self.responses[response.url] = response.status
        if response.status >= 500:
            self.problems.append(f"server error {response.status} for {response.url}")

    def on_request_failed(self, request: Request) -> None:
        # ERR_ABORTED is Chromium cancelling a request itself: the navigation to a file download once
        # the download starts, or a subresource (the favicon, a deferred script) still loading when
        # the test moves on to another page. A request aborted while its page stays is a problem.
        left_page = (
            self.started_at.pop(request, self.navigations) != self.navigations and not request.is_navigation_request()
        )
        cancelled = request.failure == "net::ERR_ABORTED" and (
            request.url.endswith("/download/") or request.resource_type in {"image", "other"} or left_page
        )
        if request.failure and not cancelled:
            self.problems.append(f"request failed for {request.url}: {request.failure}")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)


@dataclass
class BrowserSession:
    page: Page
    watch: PageWatch
    base_url: str


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # English first, so a page is in Spanish only when the application chose Spanish.
    ctx = browser.new_context(locale="en-GB", accept_downloads=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_init_script(CSP_LISTENER)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def ui(context: BrowserContext, live_server: LiveServer) -> BrowserSession:
    page = context.new_page()
    watch = PageWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.on("response", watch.on_response)
    page.on("requestfailed", watch.on_request_failed)
    page.on("request", watch.on_request)
    page.on("framenavigated", watch.on_frame_navigated)
    return BrowserSession(page=page, watch=watch, base_url=live_server.url)


Worker = dbutil.WorkerProcess

# How long a test waits for the worker to finish a job once it is ready. Generous on purpose: it
# only ends a test that would hang; a passing test waits as long as the job takes.
JOB_TIMEOUT_MS = 120_000


@pytest.fixture
def start_worker(transactional_db: None, settings: Settings, tmp_path: Path) -> Iterator[Callable[[], Worker]]:
    """Start the real db_worker on the test database and return once it is ready (it logged
    ``Worker ready``); it is always stopped when the test ends."""
    data_dir = tmp_path / "worker-data"
    data_dir.mkdir()
    # The live server runs in this process and serves what the worker writes: same media folder.
    settings.MEDIA_ROOT = data_dir / "media"
    started: list[Worker] = []

    def start() -> Worker:
        worker = dbutil.start_worker(data_dir, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start

    for worker in started:
        worker.stop(timeout=15)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the crawl measured (pages, axe runs, slowest pages), when it ran."""
    from tests.browser.test_crawl import REPORT  # imported here: only once the crawl module has run

    if REPORT:
        terminalreporter.section("crawl")
        for key, value in REPORT.items():
            terminalreporter.write_line(f"{key}: {value}")
