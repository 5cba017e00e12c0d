"""IN-5 in Chromium at the call centre's 1366×768: an agent shortens a stay from the booking
page, sees the change in the history, is refused (and told why) when the reason is missing,
then cancels the booking."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.intake.changes_support import API, days
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.support.browser import chromium, log_in
from tests.support.clients import StaffClient, create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

# Set ROOMLINE_SCREENSHOTS=/some/dir to keep the screenshots for a person to look at.
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed_and_book(base_url: str) -> dict[str, Any]:
    """A hotel in intake's projection and one 3-night booking placed over HTTP."""

    async def run() -> dict[str, Any]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            seeded = await seed_hotel(make_sessionmaker(engine), rooms=5)
        finally:
            await engine.dispose()
        async with httpx.AsyncClient(base_url=base_url) as http:
            agent = await StaffClient(http).login("lina")
            check_in = clock.today() + timedelta(days=8)
            response = await agent.post_json(API, booking_body(seeded, check_in, nights=3))
            assert response.status_code == 201, response.text
            return response.json()  # type: ignore[no-any-return]

    return asyncio.run(run())


def test_in5_agent_shortens_then_cancels_a_booking_in_the_browser() -> None:
    create_user_sync("lina", Role.AGENT)
    with server_process(workers=False, relay=False) as (base_url, _):
        booking = _seed_and_book(base_url)  # before Playwright starts its own event loop
        with chromium() as browser:
            _shorten_then_cancel(browser, base_url, booking)


def _shorten_then_cancel(browser: Any, base_url: str, booking: dict[str, Any]) -> None:
    """The agent's workflow on the booking page; screenshots for a person to look at."""
    stay = days(clock.today() + timedelta(days=8), 3)
    page = log_in(browser, base_url, "lina", password_for("lina"))
    page.goto(f"/intake/bookings/{booking['booking_ref']}")
    modify = page.locator("#modify-form")

    modify.get_by_label("Check-out").fill(str(stay[2]))
    modify.get_by_role("button", name="Save changes").click()  # no reason yet
    # The browser asks for the reason before anything is sent.
    assert modify.get_by_label("Reason", exact=True).evaluate("el => !el.validity.valid")
    expect(page.locator("#change-timeline")).to_contain_text("No changes since")
    modify.get_by_label("Reason category").select_option("guest_request")
    modify.get_by_label("Reason", exact=True).fill("Guest leaves a day early")
    modify.get_by_role("button", name="Save changes").click()

    timeline = page.locator("#change-timeline")
    expect(timeline).to_contain_text("Guest leaves a day early")
    expect(timeline).to_contain_text(f"Check-out: {stay[2] + timedelta(days=1)} → {stay[2]}")
    expect(page.locator("#modify-form legend")).to_contain_text("version 2")
    page.screenshot(path=str(SHOTS / "booking_changes_modified.png"), full_page=True)

    cancel = page.locator("#cancel-form")
    cancel.get_by_label("Reason category").select_option("hotel_request")
    cancel.get_by_label("Reason", exact=True).fill("Hotel closed for repairs")
    cancel.get_by_role("button", name="Cancel booking").click()
    # Cancel asks first (issue 15).
    page.get_by_role("button", name="Yes, cancel the booking").click()

    expect(page.locator("main")).to_contain_text("This booking is cancelled")
    expect(timeline.locator("li[data-kind]")).to_have_count(2)
    expect(page.locator("#cancel-form")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "booking_changes_cancelled.png"), full_page=True)
