"""In Chromium at 1366x768: the booking form's caller panel fills in as the agent types the
phone, without reloading the page (IN-8, IN-10); customer service flags a complaint on the
member page (IN-8); a team lead opens an account and books a group from the new-group page
(IN-9). Screenshots go to ``$ROOMLINE_SCREENSHOT_DIR`` (default: the run's temp folder)."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from services.intake.booking import service
from services.intake.booking.schemas import BookingRequest
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events.members import MemberUpdatedV1
from tests.services.intake.factories import seed_hotel
from tests.services.intake.group_support import group_hotel
from tests.services.intake.test_callers import deliver
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
PHONE = "+86 139 1234 5678"


def shot(page: Page, name: str) -> None:
    folder = Path(os.environ.get("ROOMLINE_SCREENSHOT_DIR", str(INFRA.tmp)))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


async def _seed_caller() -> Any:
    """A hotel, a flagged member, and three past stays of 张伟 booked by the member's phone."""
    engine = make_engine(INFRA.database_url, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    try:
        clock.set_now(datetime.now(UTC) - timedelta(days=60))
        hotel = await seed_hotel(
            sessionmaker, nights=[clock.today() + timedelta(days=n) for n in range(90)]
        )
        for offset in (3, 13, 23):
            async with unit_of_work(sessionmaker) as session:
                await service.place_booking(
                    session,
                    staff=Staff(0, "seed", "Seed", ("agent",), ""),
                    request=_past_stay(hotel, clock.today() + timedelta(days=offset)),
                )
        clock.set_now(None)
        flagged = MemberUpdatedV1(
            member_id=uuid.uuid4(), version_no=2, card_no="M123456", full_name="王芳",
            phones=["139 1234 5678"], level="gold", complaint_open=True,
            complaint_note="no hot water in room 1208", complaint_on=date(2025, 11, 2),
            updated_at=clock.now(),
        )  # fmt: skip
        assert await deliver(sessionmaker, flagged) == "handled"
        return hotel
    finally:
        clock.set_now(None)
        await engine.dispose()


def _past_stay(hotel: Any, check_in: date) -> BookingRequest:
    return BookingRequest(
        hotel_id=hotel.hotel_id, rate_plan_id=hotel.rate_plan_id, check_in=check_in,
        check_out=check_in + timedelta(days=2), rooms=1, guest_names=["张伟"],
        booker_name="王芳", booker_phone=PHONE, payment_mode=hotel.payment_mode,
        confirm_channel="phone", idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip


def test_in8_in10_caller_panel_fills_in_while_typing_and_vip_request_is_booked() -> None:
    hotel = asyncio.run(_seed_caller())
    password = create_user_sync("lina", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "lina", password)
        page.goto(
            f"/intake/book?rate_plan_id={hotel.rate_plan_id}&check_in={check_in}"
            f"&check_out={check_in + timedelta(days=1)}&rooms=1"
        )
        page.evaluate("window.__notReloaded = true")
        panel = page.locator("#caller-panel")
        page.get_by_label("Guest names").fill("张伟, Li Lei")
        page.get_by_label("Booker name").fill("王芳")
        page.get_by_label("Booker phone").fill("139-1234-5678")

        expect(panel.get_by_role("alert")).to_contain_text(
            "Major complaint on 11-02 about no hot water in room 1208 — offer compensation"
        )
        expect(panel).to_contain_text("Member 王芳 · card M123456 · gold")
        expect(panel).to_contain_text("VIP guest: please upgrade/welcome — 张伟 (3 stays")
        expect(panel.get_by_role("table")).to_contain_text("张伟")
        assert page.evaluate("window.__notReloaded") is True
        shot(page, "book_caller_panel")

        page.get_by_role("button", name="Place booking").click()
        page.wait_for_url("**/intake/bookings/*")
        expect(page.locator("main")).to_contain_text("VIP guest: please upgrade/welcome")


def test_in8_customer_service_flags_a_complaint_on_the_member_page() -> None:
    password = create_user_sync("mei", Role.CUSTOMER_SERVICE)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "mei", password)
        page.goto("/members/new")
        page.get_by_label("Card number").fill("m555001")
        page.get_by_label("Name").fill("李雷")
        page.get_by_label("Phones (one per line)").fill("138 0013 8000\n010 6512 0000")
        page.get_by_label("Level").select_option("silver")
        page.get_by_role("button", name="Create member").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("李雷 · card M555001")
        page.get_by_label("What the complaint was about").fill("room not cleaned")
        page.get_by_role("button", name="Flag major complaint").click()
        expect(page.locator("main")).to_contain_text(
            "agents offer compensation at the next booking"
        )
        shot(page, "member_flagged")
        page.goto("/members/")
        expect(page.get_by_role("table")).to_contain_text("open since")
        shot(page, "members_list")


def test_in9_team_lead_opens_an_account_and_books_a_group() -> None:
    async def seed() -> Any:
        engine = make_engine(INFRA.database_url, pool_size=2)
        try:
            return await group_hotel(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    hotel = asyncio.run(seed())
    password = create_user_sync("lan", Role.TEAM_LEAD)
    check_in = clock.today() + timedelta(days=10)
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "lan", password)
        page.goto("/intake/groups/accounts")
        page.get_by_label("Company name").fill("Acme Trading")
        page.get_by_label("Contact").fill("王芳")
        page.get_by_label("Phone").fill("010 6512 0000")
        page.get_by_label("Email").fill("travel@acme.example")
        page.get_by_label("Terms").fill("breakfast included")
        page.get_by_label("Discount %").fill("8")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("status")).to_contain_text("Saved")

        page.goto("/intake/groups/new")
        page.get_by_label("City").fill("Beijing")
        page.get_by_role("button", name="Find hotels").click()
        page.get_by_label("Hotel").select_option(str(hotel.hotel_id))
        page.get_by_label("Check-in").fill(check_in.isoformat())
        page.get_by_label("Check-out").fill((check_in + timedelta(days=2)).isoformat())
        page.get_by_role("button", name="Show rooms").click()
        page.get_by_label("Corporate account").select_option(label="Acme Trading")
        page.get_by_label("Room 1 rate plan").select_option(str(hotel.king.rate_plan_id))
        page.get_by_label("Room 1 guests").fill("张伟, Li Lei")
        page.get_by_label("Room 2 rate plan").select_option(str(hotel.twin.rate_plan_id))
        page.get_by_label("Room 2 guests").fill("Han Meimei")
        page.get_by_role("button", name="Add 5 rooms").click()
        expect(page.get_by_label("Room 15 guests")).to_be_visible()
        shot(page, "group_new")
        page.get_by_role("button", name="Save and book all rooms").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Trading placed")
        expect(page.get_by_role("table", name="Rooming list")).to_contain_text("RL")
        shot(page, "group_placed")
        page.goto("/intake/groups")
        expect(page.get_by_role("table")).to_contain_text("Acme Trading")
        shot(page, "groups_worklist")
