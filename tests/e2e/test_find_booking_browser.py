"""Finding bookings (issue 15) in Chromium at 1366×768 against a real ``workers.run``: an agent
sees the caller's recent bookings as links, presses Alt+F, finds a booking by the booker's phone
typed with spaces and dashes and by the guest's Chinese name, opens it, cancels it (the page
asks first) and sees it cancelled; the confirmation desk finds another booking and opens it
read-only. Keys and seconds are printed."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.support.browser import chromium, log_in
from tests.support.clients import StaffClient, create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
BOX = "#find-booking-q"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with server_process(workers=False, relay=False) as (url, _):
        yield url


def _book(base_url: str) -> list[dict[str, Any]]:
    """Two bookings by lina over HTTP: 王芳's for 张伟 on 139 1234 5678, and another caller's."""

    async def run() -> list[dict[str, Any]]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            seeded = await seed_hotel(make_sessionmaker(engine), rooms=5)
        finally:
            await engine.dispose()
        bodies = [
            {"booker_name": "王芳", "guest_names": ["张伟"], "booker_phone": "13912345678"},
            {"booker_name": "陈静", "guest_names": ["刘洋"], "booker_phone": "+86 138 0000 1111",
             "member_card": ""},
        ]  # fmt: skip
        async with httpx.AsyncClient(base_url=base_url) as http:
            agent = await StaffClient(http).login("lina")
            placed = []
            for days, fields in zip((3, 5), bodies, strict=True):
                body = booking_body(seeded, clock.today() + timedelta(days=days), **fields)
                response = await agent.post_json("/intake/api/bookings", body)
                assert response.status_code == 201, response.text
                placed.append(response.json())
            return placed

    return asyncio.run(run())


def _find(page: Page, typed: str) -> int:
    """Alt+F, type, Enter: the results page. Returns the keys pressed."""
    page.keyboard.press("Alt+F")
    expect(page.locator(BOX)).to_be_focused()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    page.wait_for_url("**/intake/find?**")
    return 2 + len(typed)


def test_an_agent_finds_a_booking_by_phone_and_by_chinese_name_and_cancels_it(
    base_url: str,
) -> None:
    create_user_sync("lina", Role.AGENT)
    wanted, other = _book(base_url)
    ref = wanted["booking_ref"]
    with chromium() as browser:
        agent = log_in(browser, base_url, "lina", password_for("lina"))
        agent.goto("/intake/")
        # The caller panel's recent bookings open the booking's page.
        agent.locator("input[name=booker_phone]").first.fill("139 1234 5678")
        recent = agent.locator("#caller-panel a", has_text=ref)
        expect(recent).to_have_attribute("href", f"/intake/bookings/{ref}")
        agent.goto("/intake/")
        started, keys = time.monotonic(), 0

        keys += _find(agent, "+86 139-1234-5678")
        rows = agent.locator("table.found-bookings tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(ref)
        agent.screenshot(path=str(SHOTS / "find_booking_by_phone.png"))
        expect(rows.first.get_by_role("link", name=ref)).to_be_focused()
        agent.keyboard.press("Enter")  # the first result has the focus
        keys += 1
        agent.wait_for_url(f"**/intake/bookings/{ref}")
        by_phone = time.monotonic() - started

        keys += _find(agent, "张伟")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(ref)
        assert other["booking_ref"] not in agent.locator("main").inner_text()
        expect(rows.first.get_by_role("link", name=ref)).to_be_focused()
        agent.keyboard.press("Enter")
        keys += 1
        agent.wait_for_url(f"**/intake/bookings/{ref}")
        print(f"\nfound by phone in {by_phone:.1f} s; by phone and by name: {keys} keys, "
              f"{time.monotonic() - started:.1f} s")  # fmt: skip

        cancel = agent.locator("#cancel-form")
        cancel.locator("select[name=reason_category]").select_option("guest_request")
        cancel.locator("input[name=reason]").fill("Trip called off")
        cancel.locator("button[type=submit]").click()
        expect(agent.locator("h1")).to_contain_text(f"{ref}?")
        expect(agent.locator("main")).to_contain_text("Trip called off")
        agent.screenshot(path=str(SHOTS / "find_booking_cancel_asks.png"))
        expect(agent.get_by_role("button", name="Yes, cancel the booking")).to_be_focused()
        agent.keyboard.press("Enter")  # "Yes, cancel the booking" has the focus
        agent.wait_for_url(f"**/intake/bookings/{ref}*")
        expect(agent.locator("h1")).to_contain_text("cancelled")
        expect(agent.locator("#cancel-form")).to_have_count(0)


def test_the_confirmation_desk_opens_a_booking_read_only(base_url: str) -> None:
    create_user_sync("lina", Role.AGENT)
    create_user_sync("cora", Role.CONFIRMATION_DESK)
    wanted, _ = _book(base_url)
    ref = wanted["booking_ref"]
    with chromium() as browser:
        desk = log_in(browser, base_url, "cora", password_for("cora"))
        desk.goto(f"/intake/find?q={ref}")
        # The page's script puts the focus on the first result; Enter before that goes nowhere.
        expect(desk.get_by_role("link", name=ref)).to_be_focused()
        desk.keyboard.press("Enter")
        desk.wait_for_url(f"**/intake/bookings/{ref}")

        expect(desk.locator("h1")).to_contain_text(ref)
        expect(desk.locator("[data-read-only]")).to_be_visible()
        expect(desk.locator("#modify-form")).to_have_count(0)
        expect(desk.locator("#cancel-form")).to_have_count(0)
        expect(desk.locator(BOX)).to_be_visible()
        desk.screenshot(path=str(SHOTS / "find_booking_read_only.png"), full_page=True)
        # The refusal holds even for a post the page does not offer.
        token = desk.locator("meta[name=csrf-token]").get_attribute("content") or ""
        refused = desk.request.post(
            f"{base_url}/intake/bookings/{ref}/cancel",
            form={"csrf_token": token, "version": "1", "reason_category": "other", "reason": "x"},
        )
        assert refused.status == 403
