"""The thin slice end to end in Chromium, three people in three browser contexts:
hotel resources sets up a hotel, an agent books it, the confirmation desk sees the task
(through outbox → relay → arq → handler → inbox, real PostgreSQL and Redis)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect

from shared.auth import Role
from shared.clock import clock
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync
from tests.support.servers import server_process


def form_with(page: Page, button: str) -> Locator:
    return page.locator("form", has=page.get_by_role("button", name=button))


def set_up_hotel(page: Page, first_night: str, last_night: str) -> None:
    page.goto("/contracts/hotels/new")
    page.get_by_label("Chinese name").fill("北京和平饭店")
    page.get_by_label("English name").fill("Peace Hotel Beijing")
    page.get_by_label("City").fill("Beijing")
    page.get_by_label("District").fill("Dongcheng")
    page.get_by_label("Star grade").select_option("5")
    page.get_by_label("Confirmation by").select_option("email")
    page.get_by_label("Email").fill("reservations@peace.example")
    page.get_by_role("button", name="Create hotel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peace Hotel Beijing")

    page.get_by_label("Room type name").fill("Deluxe King")
    page.get_by_role("button", name="Add room type").click()
    plan = form_with(page, "Add rate plan")
    plan.get_by_label("Rate plan name").fill("Prepaid BAR")
    plan.get_by_label("Payment mode").select_option("prepaid")
    plan.get_by_role("button", name="Add rate plan").click()

    allotment = form_with(page, "Set allotment")
    allotment.get_by_label("First night").fill(first_night)
    allotment.get_by_label("Last night").fill(last_night)
    allotment.get_by_label("Rooms").fill("3")
    allotment.get_by_role("button", name="Set allotment").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    rates = form_with(page, "Set prices")
    rates.get_by_label("First night").fill(first_night)
    rates.get_by_label("Last night").fill(last_night)
    rates.get_by_label("Net price").fill("600.00")
    rates.get_by_label("Sell price").fill("688.00")
    rates.get_by_role("button", name="Set prices").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")


def search_until_sellable(page: Page, check_in: str, check_out: str) -> None:
    """The agent's search reads intake's projection, fed by events: retry for a few seconds."""
    deadline = time.monotonic() + 30
    while True:
        page.goto("/intake/")
        page.get_by_label("City").fill("Beijing")
        page.get_by_label("Check-in").fill(check_in)
        page.get_by_label("Check-out").fill(check_out)
        page.get_by_label("Rooms").fill("1")
        page.get_by_role("button", name="Search").click()
        if page.get_by_role("link", name="Book", exact=True).count() > 0:
            return
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        time.sleep(0.5)


def book(page: Page) -> str:
    page.get_by_role("link", name="Book", exact=True).first.click()
    page.get_by_label("Guest names").fill("张伟")
    page.get_by_label("Booker name").fill("王芳")
    page.get_by_label("Booker phone").fill("13800138000")
    page.get_by_label("Payment mode").select_option("prepaid")
    page.get_by_label("Confirmation by").select_option("email")
    page.get_by_role("button", name="Place booking").click()
    text = page.locator("main").inner_text()
    found = re.search(r"Booking (RL[0-9A-Z]+) placed", text)
    assert found, text
    return found.group(1)


def test_thin_slice_resources_agent_confirmation_desk_in_chromium() -> None:
    passwords = {
        "zhoujie": create_user_sync("zhoujie", Role.HOTEL_RESOURCES),
        "lina": create_user_sync("lina", Role.AGENT),
        "chenjing": create_user_sync("chenjing", Role.CONFIRMATION_DESK),
    }
    check_in = clock.today() + timedelta(days=2)
    check_out = check_in + timedelta(days=2)
    with server_process() as (base_url, _), chromium() as browser:
        resources = log_in(browser, base_url, "zhoujie", passwords["zhoujie"])
        set_up_hotel(resources, check_in.isoformat(), (check_out - timedelta(days=1)).isoformat())

        agent = log_in(browser, base_url, "lina", passwords["lina"])
        search_until_sellable(agent, check_in.isoformat(), check_out.isoformat())
        results = agent.locator("main").inner_text()
        assert "Peace Hotel Beijing" in results and "688" in results
        booking_ref = book(agent)

        desk = log_in(browser, base_url, "chenjing", passwords["chenjing"])
        deadline = time.monotonic() + 30
        while desk.get_by_role("cell", name=booking_ref).count() == 0:
            assert time.monotonic() < deadline, desk.locator("main").inner_text()
            time.sleep(0.5)
            desk.goto("/confirmation/")
        row = desk.get_by_role("row").filter(has_text=booking_ref)
        expect(row).to_contain_text("Peace Hotel Beijing")
        expect(desk.locator("main")).to_contain_text("Unsent: 1")
