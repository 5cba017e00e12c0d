"""The hotel-resources desk in headless Chromium at 1366x768: a person sets up a hotel using
only the labels and buttons they see, and a refused price (HR-4) is explained next to the form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from shared.auth import Role
from shared.clock import clock
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.servers import server_process

pytestmark = pytest.mark.browser


def form_with(page: Page, button: str) -> Locator:
    return page.locator("form", has=page.get_by_role("button", name=button))


def create_hotel(page: Page) -> None:
    page.goto("/contracts/")
    expect(page.get_by_text("No hotels yet")).to_be_visible()
    page.get_by_role("link", name="New hotel").click()
    page.get_by_label("Chinese name").fill("北京和平饭店")
    page.get_by_label("English name").fill("Peace Hotel Beijing")
    page.get_by_label("City").fill("Beijing")
    page.get_by_label("District").fill("Dongcheng")
    page.get_by_label("Address").fill("3 Jinyu Hutong")
    page.get_by_label("Star grade").select_option("5")
    page.get_by_label("Currency").fill("CNY")
    page.get_by_label("Confirmation by").select_option("email")
    page.get_by_label("Phone").fill("010-65128833")
    page.get_by_role("button", name="Create hotel").click()
    expect(page.get_by_role("alert")).to_contain_text("a hotel confirmed by email needs")
    page.get_by_label("Email").fill("reservations@peace.example")
    page.get_by_role("button", name="Create hotel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Peace Hotel Beijing")


def add_rooms_and_prices(page: Page, first: str, last: str) -> None:
    page.get_by_label("Room type name").fill("Deluxe King")
    page.get_by_role("button", name="Add room type").click()
    plan = form_with(page, "Add rate plan")
    plan.get_by_label("Room type").select_option(label="Deluxe King")
    plan.get_by_label("Rate plan name").fill("Prepaid BAR")
    plan.get_by_label("Payment mode").select_option("prepaid")
    plan.get_by_role("button", name="Add rate plan").click()
    allotment = form_with(page, "Set allotment")
    allotment.get_by_label("Room type").select_option(label="Deluxe King")
    allotment.get_by_label("First night").fill(first)
    allotment.get_by_label("Last night").fill(last)
    allotment.get_by_label("Rooms").fill("12")
    allotment.get_by_role("button", name="Set allotment").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")


def set_prices(page: Page, first: str, last: str, net: str, sell: str) -> None:
    rates = form_with(page, "Set prices")
    rates.get_by_label("First night").fill(first)
    rates.get_by_label("Last night").fill(last)
    rates.get_by_label("Net price").fill(net)
    rates.get_by_label("Sell price").fill(sell)
    rates.get_by_role("button", name="Set prices").click()


def test_hr4_desk_sets_up_a_hotel_and_sees_its_next_nights() -> None:
    create_user_sync("hua", Role.HOTEL_RESOURCES)
    first = clock.today().isoformat()
    last = (clock.today() + timedelta(days=20)).isoformat()
    with server_process(workers=False, relay=False) as (base, _), chromium() as browser:
        page = log_in(browser, base, "hua", password_for("hua"))
        create_hotel(page)
        add_rooms_and_prices(page, first, last)

        set_prices(page, first, last, net="1450", sell="1400")
        expect(form_with(page, "Set prices")).to_contain_text("below the net price")
        expect(form_with(page, "Set prices")).not_to_contain_text("HR-4")  # issue 15: no IDs
        set_prices(page, first, last, net="1450", sell="1680")

        expect(page.get_by_role("status")).to_contain_text("Saved: prices set")
        grid = page.get_by_role("table")
        expect(grid.get_by_role("row").filter(has_text="Deluxe King: rooms")).to_contain_text("12")
        expect(grid.get_by_role("row").filter(has_text="Prepaid BAR: sell")).to_contain_text(
            "1,680"
        )
        page.goto("/contracts/?q=beijing")
        expect(page.get_by_role("link", name="北京和平饭店 · Peace Hotel Beijing")).to_be_visible()
