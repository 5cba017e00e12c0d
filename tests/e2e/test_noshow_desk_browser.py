"""Issue 16's desk morning in Chromium at 1366×768 against a real ``workers.run`` with the
clock pinned to Monday 08:30: the worklist the 06:00 audit left (NS-1), grouped by hotel with
its due time; two bookers called (NS-2, one suggestion for the manager, NS-4); both marked
provisional; the second check with the hotel makes one final and the other final too, which is
then corrected to stayed with a note (NS-3); an agent looks both up read-only (NS-5)."""

from __future__ import annotations

import asyncio
import os
from datetime import date, datetime
from pathlib import Path

from playwright.sync_api import Page, expect

from services.noshow.worklist import open_worklist
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.services.noshow.factories import confirmed_booking
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
MONDAY = datetime(2026, 12, 7, 8, 30, tzinfo=clock.business_tz)


def _seed() -> list[str]:
    """Two confirmed arrivals of Sunday, listed by Monday's 06:00 audit."""

    async def run() -> list[str]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            sessionmaker = make_sessionmaker(engine)
            refs = []
            for guest in ("李娜", "赵敏"):
                booking = await confirmed_booking(
                    sessionmaker, check_in=date(2026, 12, 6), guest_names=[guest]
                )
                refs.append(booking.booking_ref)
            async with unit_of_work(sessionmaker) as session:
                await open_worklist(session, MONDAY.replace(hour=6, minute=0))
            return refs
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _call(desk: Page, ref: str, suggestion: str) -> None:
    desk.goto("/noshow/")
    desk.click(f'tr[data-booking-ref="{ref}"] a')
    desk.check("input[name=reached]")
    desk.select_option("#reason_category", "changed_plans")
    desk.check("input[name=reminder_given]")
    if suggestion:
        desk.fill("#suggestion", suggestion)
    desk.click("#call-form button[type=submit]")
    desk.click("#provisional-form button[type=submit]")
    expect(desk.locator("#case-state")).to_have_text("Provisional no-show")
    desk.fill("#hotel_contact", "Ms Zhou, front desk")
    desk.fill("#hotel_said", "Not in the house, no arrival")
    desk.check("input[name=guest_stayed][value=no]")
    desk.click("#second-check-form button[type=submit]")
    expect(desk.locator("#case-state")).to_have_text("Final no-show")


def test_ns1_to_ns5_the_desk_morning_in_the_browser() -> None:
    create_user_sync("nina", Role.NOSHOW_DESK)
    create_user_sync("lina", Role.AGENT)
    clock.set_now(MONDAY.replace(day=6, hour=12))
    try:
        first, second = _seed()
    finally:
        clock.set_now(None)
    env = {"ROOMLINE_FROZEN_NOW": MONDAY.isoformat(), "ROOMLINE_DEFAULT_LOCALE": "en"}
    with server_process(env=env) as (base_url, _), chromium() as browser:
        desk = log_in(browser, base_url, "nina", password_for("nina"))
        desk.goto("/noshow/")
        for ref in (first, second):
            row = desk.locator(f'tr[data-booking-ref="{ref}"]')
            expect(row).to_contain_text("13:30")  # 09:00 + 4½ working hours
        desk.screenshot(path=str(SHOTS / "noshow_worklist.png"))
        _call(desk, first, "Send an SMS reminder the day before")
        _call(desk, second, "")
        desk.fill("#correct_note", "Hotel found the folio: guest stayed")
        desk.click("#correct-form button[type=submit]")
        expect(desk.locator("#case-state")).to_have_text("Stayed")
        expect(desk.locator("main")).to_contain_text("corrected")
        desk.screenshot(path=str(SHOTS / "noshow_case_corrected.png"), full_page=True)
        desk.goto("/noshow/")
        expect(desk.locator("main")).to_contain_text("Nothing on the worklist.")

        agent = log_in(browser, base_url, "lina", password_for("lina"))
        for ref, state in ((first, "Final no-show"), (second, "Stayed")):
            agent.goto(f"/noshow/lookup?booking_ref={ref}")
            expect(agent.locator("#record-state")).to_contain_text(state)
