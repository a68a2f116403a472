"""Take the documentation's screenshots of the running demo workspace: `make screenshots`.

Builds the demo workspace in a data directory of its own (never the developer's `var/`), serves it
with its worker on loopback, waits until the demo's threat evidence has reached the trends tables,
signs in as the demo's national coordinator and saves each page at a desktop and a phone width in
both languages to docs/screenshots/. Needs the test tools (Playwright and Debian's Chromium), which
`make screenshots` installs first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = {"desktop": (1366, 800), "phone": (390, 844)}
PAGES = {"overview": "/", "trends": "/trends/"}
LANGUAGES = ("en", "es")
USER, PASSWORD = "demo-coordinator", "cyberplan-demo"
WAIT_SECONDS = 900


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 -- loopback only
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"The demo server did not answer at {url} in time.")


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("main form input[name=login]").fill(USER)
    page.locator("main form input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def wait_for_events(page: Page, base: str, deadline: float) -> None:
    """The demo's events load in the worker: wait until the trends page draws its charts."""
    while time.monotonic() < deadline:
        page.goto(f"{base}/trends/")
        if page.locator("main svg").count():
            return
        time.sleep(5)
    raise SystemExit("The demo's threat evidence did not reach the trends page in time.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-data", action="store_true", help="Keep the demo data directory afterwards.")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("Debian's chromium package is needed: scripts/bootstrap.sh --test installs it.")
    data = Path(tempfile.mkdtemp(prefix="cyberplan-screenshots-"))
    port = free_port()
    env = {
        **os.environ,
        "CYBERPLAN_ENV": "development",
        "CYBERPLAN_DATA_DIR": str(data),
        "CYBERPLAN_MFA_REQUIRED": "false",  # screenshots of the pages, not of the two-factor set-up
    }
    server = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "cyberplan.cli", "demo", "--port", str(port)], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        wait_for(f"{base}/healthz", deadline)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for language in LANGUAGES:
                context = browser.new_context(locale=language)
                context.add_cookies([{"name": "cyberplan_language", "value": language, "url": base}])
                page = context.new_page()
                sign_in(page, base)
                wait_for_events(page, base, deadline)
                for name, path in PAGES.items():
                    for width_name, (width, height) in WIDTHS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        page.goto(f"{base}{path}")
                        page.wait_for_load_state("networkidle")
                        target = OUT / f"{name}-{width_name}-{language}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(f"{target.relative_to(ROOT)}  {width}px  {language}")
                context.close()
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep_data:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
