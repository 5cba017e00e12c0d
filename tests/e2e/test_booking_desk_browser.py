"""IN-4, IN-11, IN-12 in Chromium at the call centre's 1366×768: an agent fills the whole booking
form with a special price and an email confirmation; the pricing desk approves it from its
queue; the agent sees it placed; the team lead sees the agent's handle time on the team page."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.intake.factories import SeededHotel, seed_hotel
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

# Set ROOMLINE_SCREENSHOTS=/some/dir to keep the screenshots for a person to look at.
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> SeededHotel:
    async def run() -> SeededHotel:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            return await seed_hotel(make_sessionmaker(engine), rooms=5)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_in11_special_price_from_form_to_approval_and_team_page_in_chromium() -> None:
    for name, role in (("lina", Role.AGENT), ("zhoujie", Role.HOTEL_RESOURCES)):
        create_user_sync(name, role)
    create_user_sync("lena", Role.TEAM_LEAD)
    seeded = _seed()  # before Playwright starts its own event loop
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        ref = _agent_asks_for_a_special_price(browser, base_url, seeded)
        _pricing_desk_approves(browser, base_url, ref)
        agent = log_in(browser, base_url, "lina", password_for("lina"))
        agent.goto(f"/intake/bookings/{ref}")
        expect(agent.get_by_role("heading", level=1)).to_have_text(f"Booking {ref} placed")
        _team_lead_sees_the_record(browser, base_url)


def _agent_asks_for_a_special_price(browser: Browser, base_url: str, seeded: SeededHotel) -> str:
    check_in = clock.today() + timedelta(days=6)
    page = log_in(browser, base_url, "lina", password_for("lina"))
    page.goto(
        f"/intake/book?rate_plan_id={seeded.rate_plan_id}&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=2)}&rooms=2"
    )
    page.get_by_label("Guest names").fill("张伟, Li Lei")
    page.get_by_label("Arrival time").fill("21:30")
    page.get_by_label("Booker name").fill("王芳")
    page.get_by_label("Booker phone").fill("139 1234 5678")
    page.get_by_label("Company").fill("Acme Trading")
    page.get_by_label("Confirmation by").select_option("email")
    page.get_by_label("Reply at once").check()
    page.get_by_label("Special price per room per night").fill("600.00")
    page.get_by_label("Why").fill("Regular corporate guest; competitor quoted 610")
    page.screenshot(path=str(SHOTS / "booking_form_special_price.png"), full_page=True)

    page.get_by_role("button", name="Place booking").click()  # no email yet
    # Issue 15: summarised at the top, and said again next to the field it concerns.
    expect(page.locator("#error-summary")).to_contain_text(
        "email address for an email confirmation"
    )
    expect(page.get_by_label("Send confirmation to")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Send confirmation to").fill("wang.fang@acme.example")
    page.get_by_role("button", name="Place booking").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("awaiting price approval")
    expect(page.locator("main")).to_contain_text("email to wang.fang@acme.example")
    page.screenshot(path=str(SHOTS / "booking_awaiting_price.png"), full_page=True)
    return heading.inner_text().split()[1]


def _pricing_desk_approves(browser: Browser, base_url: str, ref: str) -> None:
    page = log_in(browser, base_url, "zhoujie", password_for("zhoujie"))
    page.get_by_role("navigation", name="Desks").get_by_role("link", name="Special prices").click()
    row = page.get_by_role("row").filter(has_text=ref)
    expect(row).to_contain_text("CN¥600.00")
    expect(row).to_contain_text("CN¥688.00")
    page.screenshot(path=str(SHOTS / "special_price_queue.png"), full_page=True)
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text(f"Done: {ref} approved.")
    expect(page.locator("main")).to_contain_text("No pending special prices.")


def _team_lead_sees_the_record(browser: Browser, base_url: str) -> None:
    page = log_in(browser, base_url, "lena", password_for("lena"))
    page.get_by_role("navigation", name="Desks").get_by_role("link", name="Agents' record").click()
    page.get_by_label("Period").select_option("day")
    page.get_by_role("button", name="Show").click()
    row: Any = page.get_by_role("row").filter(has_text="lina")
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    expect(page.locator("#handle-time-chart")).to_be_visible()
    page.screenshot(path=str(SHOTS / "team_record.png"), full_page=True)
