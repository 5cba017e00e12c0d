"""Issue 16's desk morning in Chromium at 1366×768 against a real ``workers.run`` with the
clock pinned to Monday 08:30: three bookings placed through intake for Sunday, on the worklist
the 06:00 audit left (NS-1), grouped by hotel with its due time; the desk uploads the hotels'
night-audit file, which reports one guest stayed, so that booking leaves the worklist (NS-1);
two bookers called (NS-2, one suggestion for the manager, NS-4); both marked provisional; the
second check with the hotel makes one final and the other final too, which is then corrected
to stayed with a note (NS-3); an agent sees both outcomes on intake's booking pages (NS-5,
NS-7), where the relay brought the desk's outcome events."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import text

from services.intake.booking import service as intake_bookings
from services.intake.booking.schemas import BookingRequest
from services.noshow.handlers import HANDLERS
from services.noshow.worklist import open_worklist
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope, envelope_for
from shared.events.confirmation import BookingConfirmedV1
from shared.events.consumer import apply_once
from tests.services.intake.factories import SeededHotel, seed_hotel
from tests.services.intake.factories import apply as intake_apply
from tests.services.noshow.factories import Sessionmaker
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
MONDAY = datetime(2026, 12, 7, 8, 30, tzinfo=clock.business_tz)


SUNDAY = date(2026, 12, 6)
GUESTS = ("李娜", "赵敏", "孙丽")  # the last one stayed, says the hotels' night audit
SEEDER = Staff(0, "lina", "Lina", (Role.AGENT.value,), "")


def _request(hotel: SeededHotel, guest: str) -> BookingRequest:
    return BookingRequest(
        hotel_id=hotel.hotel_id, rate_plan_id=hotel.rate_plan_id, check_in=SUNDAY,
        check_out=SUNDAY + timedelta(days=1), rooms=1, guest_names=[guest], booker_name="王芳",
        booker_phone="+86 139 1234 5678", payment_mode=hotel.payment_mode,
        confirm_channel="phone", idempotency_key=str(uuid.uuid4()),
    )  # fmt: skip


async def _placed_events_to_noshow(sessionmaker: Sessionmaker) -> None:
    """Hand intake's ``booking_placed`` events to noshow as the relay would, same event ids,
    so the server's relay delivering them again is dropped by noshow's inbox."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT event_id, name, version, payload, occurred_at, aggregate,"
                " aggregate_version FROM intake.outbox WHERE name = 'intake.booking_placed'"
            )
        )
        envelopes = [Envelope.model_validate({**row._asdict(), "source": "intake"}) for row in rows]
    for envelope in envelopes:
        handled = await apply_once(
            sessionmaker, service="noshow", schema="noshow", handlers=HANDLERS, envelope=envelope
        )
        assert handled == "handled"


async def _confirmed(sessionmaker: Sessionmaker, booking_id: uuid.UUID, ref: str) -> None:
    """The hotel's confirmation, one event to both intake and noshow as the relay delivers."""
    confirmed = BookingConfirmedV1(
        booking_id=booking_id, booking_ref=ref, kind="new", booking_version=1,
        hotel_confirmation_no="HX-1", confirmed_by="cora", confirmed_at=clock.now(),
    )  # fmt: skip
    event = envelope_for(confirmed, source="confirmation", occurred_at=clock.now())
    assert await intake_apply(sessionmaker, event) == "handled"
    noshow = await apply_once(
        sessionmaker, service="noshow", schema="noshow", handlers=HANDLERS, envelope=event
    )
    assert noshow == "handled"


def _seed() -> list[str]:
    """Three bookings intake placed for Sunday and the hotel confirmed, listed by Monday's
    06:00 audit (NS-1)."""

    async def run() -> list[str]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            sessionmaker = make_sessionmaker(engine)
            hotel = await seed_hotel(sessionmaker, nights=[SUNDAY, SUNDAY + timedelta(days=1)])
            placed = []
            for guest in GUESTS:
                async with unit_of_work(sessionmaker) as session:
                    done = await intake_bookings.place_booking(
                        session, staff=SEEDER, request=_request(hotel, guest)
                    )
                placed.append(done.booking)
            await _placed_events_to_noshow(sessionmaker)
            for booking in placed:
                await _confirmed(sessionmaker, booking.booking_id, booking.booking_ref)
            async with unit_of_work(sessionmaker) as session:
                await open_worklist(session, MONDAY.replace(hour=6, minute=0))
            return [booking.booking_ref for booking in placed]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _until(check: Callable[[], bool], page: Page, seconds: float = 30) -> None:
    """Reload ``page`` until ``check`` holds: the outcome reaches intake through the relay
    and a worker, and the page shows it on the next load, as a person presses F5."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting on {page.url}"
        time.sleep(0.5)
        page.reload()


def _shows(page: Page, selector: str) -> Callable[[], bool]:
    return lambda: page.locator(selector).count() == 1


def _import_night_audit(desk: Page, refs: list[str]) -> None:
    """The hotels' night-audit file: the third guest stayed, the other two did not arrive."""
    report = INFRA.tmp / "night_audit_2026-12-06.csv"
    lines = ["booking_ref,guest_name,arrival,status,nights"]
    for ref, guest in zip(refs, GUESTS, strict=True):
        stayed = guest == GUESTS[-1]
        lines.append(
            f"{ref},{guest},2026-12-06,{'已入住' if stayed else '未到'},{1 if stayed else ''}"
        )
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    desk.goto("/noshow/night-audit")
    desk.set_input_files("input[name=file]", str(report))
    desk.click("form[enctype='multipart/form-data'] button[type=submit]")
    expect(desk.locator("main [role=status]")).to_contain_text("Recorded 3 check-ins")
    desk.screenshot(path=str(SHOTS / "noshow_night_audit_imported.png"), full_page=True)


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
        first, second, stayed = _seed()
    finally:
        clock.set_now(None)
    env = {"ROOMLINE_FROZEN_NOW": MONDAY.isoformat(), "ROOMLINE_DEFAULT_LOCALE": "en"}
    with server_process(env=env) as (base_url, _), chromium() as browser:
        desk = log_in(browser, base_url, "nina", password_for("nina"))
        desk.goto("/noshow/")
        for ref in (first, second, stayed):
            row = desk.locator(f'tr[data-booking-ref="{ref}"]')
            expect(row).to_contain_text("13:30")  # 09:00 + 4½ working hours
        desk.screenshot(path=str(SHOTS / "noshow_worklist.png"))
        _import_night_audit(desk, [first, second, stayed])
        desk.goto("/noshow/")
        expect(desk.locator(f'tr[data-booking-ref="{stayed}"]')).to_have_count(0)
        expect(desk.locator(f'tr[data-booking-ref="{first}"]')).to_have_count(1)
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
        for ref, state in ((first, "no_show_final"), (second, "stayed"), (stayed, "stayed")):
            agent.goto(f"/intake/bookings/{ref}")
            _until(_shows(agent, f'[data-stay-outcome="{state}"]'), agent)
        expect(agent.locator("[data-stay-outcome][data-corrected]")).to_have_count(0)
        agent.goto(f"/intake/bookings/{second}")
        expect(agent.locator("h1")).to_contain_text("confirmed")  # intake's status stays
        corrected = agent.locator('[data-stay-outcome="stayed"][data-corrected]')
        expect(corrected).to_contain_text("Hotel found the folio: guest stayed")
        agent.screenshot(path=str(SHOTS / "noshow_agent_sees_outcome.png"), full_page=True)
        agent.goto(f"/intake/bookings/{first}")
        expect(agent.locator("[data-stay-outcome]")).to_contain_text("No-show")
