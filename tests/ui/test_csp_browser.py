"""Issue 14, in Chromium: the pages that run scripts still work under the strict
Content-Security-Policy (no inline script), and the browser reports no CSP violation: the booking
desk's search, its booking form opened in place (the caller panel's script runs from the
fragment), and the SLA dashboard's live refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.intake.factories import seed_hotel
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser


async def _seed() -> None:
    engine = make_engine(INFRA.database_url, pool_size=2)
    try:
        await seed_hotel(
            make_sessionmaker(engine),
            name_en="Peace Hotel",
            name_zh="和平饭店",
            star_grade=4,
            rooms=5,
        )
    finally:
        await engine.dispose()


def _watch(page: Page) -> list[str]:
    """Console messages about the Content Security Policy, and uncaught script errors."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    return problems


def test_search_booking_form_and_sla_dashboard_run_under_the_csp() -> None:
    create_user_sync("csp", Role.AGENT, Role.GENERAL_MANAGER)
    asyncio.run(_seed())
    check_in = clock.today() + timedelta(days=5)
    check_out = check_in + timedelta(days=2)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "csp", password_for("csp"))
        problems = _watch(page)

        response = page.goto("/intake/")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.evaluate("window.loadedOnce = true")  # gone if the page reloads
        page.get_by_label("City").fill("Beijing")
        page.get_by_label("Check-in").fill(check_in.isoformat())
        page.get_by_label("Check-out").fill(check_out.isoformat())
        page.get_by_label("Rooms").fill("1")
        page.keyboard.press("Enter")
        results = page.locator("#results")
        expect(results).to_contain_text("Peace Hotel")
        assert page.evaluate("window.loadedOnce") is True  # search.js fetched the results
        page.keyboard.press("Alt+c")  # search.js's access keys
        assert page.evaluate("document.activeElement.name") == "city"

        # Enter in the caller lookup does not leave the page (was onsubmit="return false").
        page.locator("#caller-form input[name=booker_phone]").fill("13800000000")
        page.locator("#caller-form input[name=booker_phone]").press("Enter")
        page.wait_for_timeout(300)
        assert page.evaluate("window.loadedOnce") is True

        page.locator("a.book").first.click()
        guests = page.locator("#booking-area textarea[name=guest_names]")
        expect(guests).to_be_visible()
        assert page.evaluate("window.loadedOnce") is True  # the form opened in place
        # The caller panel's script, re-run from the fragment, looks the typed phone up.
        panel = page.locator("#booking-area #caller-panel")
        expect(panel.locator('[data-caller="status"]')).to_contain_text("Not a member")

        response = page.goto("/sla/")
        assert response is not None and response.ok
        with page.expect_response(lambda r: r.url.endswith("/sla/today"), timeout=10_000) as live:
            pass
        assert live.value.ok  # the dashboard's refresh script fetched its live part
        page.goto("/sla/history")
        page.goto("/intake/team")
        assert problems == []
