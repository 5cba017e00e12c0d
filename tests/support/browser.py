"""Headless Chromium from Debian's packages, driven by Playwright (its own download is not
reachable here). ``make test`` installs the package when missing (ops/local/ensure-packages.sh)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}  # the call centre's screens


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError(
            "Chromium is missing: apt-get install chromium chromium-driver "
            "(make test does this when run as root)"
        )
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def log_in(browser: Browser, base_url: str, username: str, password: str) -> Page:
    """A new browser context (one person) logged in through the real login form."""
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto("/login")
    # By field name, not label: the form is in whichever language the server defaults to.
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()
    # Each person lands on their own desk (issue 15): anywhere but the login form again.
    page.wait_for_url(lambda url: url.startswith(base_url) and "/login" not in url)
    return page
