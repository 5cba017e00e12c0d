"""NS-3 through the real pipeline with a worker killed in the middle: a final no-show
corrected to stayed publishes its compensating outcome exactly once. The correction (outcome
version 3, correcting the final no-show, version 2) leaves noshow's outbox through the relay
for intake (the booking's outcome) and confirmation (the guest's thank-you). While both
handlers are inside their transactions (held there by this test's table locks) the worker
process gets SIGKILL; a fresh worker takes the jobs over. Afterwards intake has exactly one
corrected outcome and the guest exactly one thank-you mail, from a real SMTP server on
loopback; noshow published the correction once.
"""

from __future__ import annotations

import asyncio
import signal
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import text

from services.intake.booking import service as intake_bookings
from services.intake.booking.schemas import BookingRequest
from services.noshow.desk import cases
from services.noshow.handlers import HANDLERS
from services.noshow.worklist import open_worklist
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope
from shared.events.confirmation import BookingConfirmedV1
from shared.events.consumer import apply_once
from tests.services.confirmation.smtp_support import smtp_server
from tests.services.intake.factories import seed_hotel
from tests.services.noshow.factories import Sessionmaker, deliver
from tests.support.infra import INFRA
from tests.support.pipeline import eventually
from tests.support.servers import server_process

GUEST_EMAIL = "wang.fang@guest.example"
ARRIVAL = clock.today() - timedelta(days=3)
DESK = Staff(0, "nina", "Nina", (Role.NOSHOW_DESK.value,), "")
AGENT = Staff(0, "lina", "Lina", (Role.AGENT.value,), "")
DSN = INFRA.database_url.replace("+asyncpg", "")
# The two handlers' first writes, where this test's locks hold them mid-transaction.
HELD = ("INSERT INTO intake.stay_outcome_entry", "INSERT INTO confirmation.order_dispatch")


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.business_tz)


async def _placed_to_noshow(sessionmaker: Sessionmaker, booking_id: uuid.UUID) -> None:
    """intake's booking_placed to noshow as the relay would, same event id."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT event_id, name, version, payload, occurred_at, aggregate,"
                " aggregate_version FROM intake.outbox WHERE name = 'intake.booking_placed'"
                " AND payload->>'booking_id' = :id"
            ),
            {"id": str(booking_id)},
        )
        [envelope] = [Envelope.model_validate({**r._asdict(), "source": "intake"}) for r in rows]
    handled = await apply_once(
        sessionmaker, service="noshow", schema="noshow", handlers=HANDLERS, envelope=envelope
    )
    assert handled == "handled"


async def seed(sessionmaker: Sessionmaker) -> tuple[str, uuid.UUID]:
    """A booking placed through intake for ARRIVAL, confirmed by the hotel, on the next
    morning's worklist (NS-1), then a provisional and a final no-show (NS-5)."""
    clock.set_now(at(ARRIVAL - timedelta(days=1), 12))
    try:
        hotel = await seed_hotel(sessionmaker, nights=[ARRIVAL, ARRIVAL + timedelta(days=1)])
        request = BookingRequest(
            hotel_id=hotel.hotel_id, rate_plan_id=hotel.rate_plan_id, check_in=ARRIVAL,
            check_out=ARRIVAL + timedelta(days=1), rooms=1, guest_names=["王芳"],
            booker_name="王芳", booker_phone="+86 139 1234 5678",
            payment_mode=hotel.payment_mode, confirm_channel="email",
            confirm_contact=GUEST_EMAIL, idempotency_key=str(uuid.uuid4()),
        )  # fmt: skip
        async with unit_of_work(sessionmaker) as session:
            booking = (
                await intake_bookings.place_booking(session, staff=AGENT, request=request)
            ).booking
        await _placed_to_noshow(sessionmaker, booking.booking_id)
        confirmed = BookingConfirmedV1(
            booking_id=booking.booking_id, booking_ref=booking.booking_ref, kind="new",
            booking_version=1, hotel_confirmation_no="HX-1", confirmed_by="cora",
            confirmed_at=clock.now(),
        )  # fmt: skip
        assert await deliver(sessionmaker, confirmed, source="confirmation") == "handled"
        clock.set_now(at(ARRIVAL + timedelta(days=1), 6))
        async with unit_of_work(sessionmaker) as session:
            [case] = [
                c
                for c in await open_worklist(session, clock.now())
                if c.booking_id == booking.booking_id
            ]
        clock.set_now(at(ARRIVAL + timedelta(days=1), 10))
        async with unit_of_work(sessionmaker) as session:
            await cases.mark_provisional(session, case.case_id, DESK)
        check = cases.HotelCheckInput("Ms Zhou, front desk", "No arrival", guest_stayed=False)
        async with unit_of_work(sessionmaker) as session:
            await cases.second_check(session, case.case_id, check, DESK)
        return booking.booking_ref, case.case_id
    finally:
        clock.set_now(None)


async def correct(sessionmaker: Sessionmaker, case_id: uuid.UUID) -> None:
    """NS-3: the next day the hotel finds the folio."""
    clock.set_now(at(ARRIVAL + timedelta(days=2), 10))
    try:
        async with unit_of_work(sessionmaker) as session:
            await cases.correct_to_stayed(session, case_id, DESK, note="Hotel found the folio")
    finally:
        clock.set_now(None)


async def fetch(sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(DSN)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def intake_version(ref: str) -> int:
    rows = await fetch(
        "SELECT o.outcome_version FROM intake.stay_outcome o JOIN intake.booking b"
        " ON b.booking_id = o.booking_id WHERE b.booking_ref = $1",
        ref,
    )
    return int(rows[0]["outcome_version"]) if rows else 0


async def both_held() -> bool:
    """Both handlers wait on this test's locks, inside their transactions."""
    rows = await fetch(
        "SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()"
    )
    return all(any(row["query"].startswith(held) for row in rows) for held in HELD)


async def test_ns3_correction_is_applied_and_thanked_once_through_a_killed_worker() -> None:
    engine = make_engine(INFRA.database_url, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    try:
        ref, case_id = await seed(sessionmaker)
        with smtp_server() as smtp:
            env = {
                "ROOMLINE_EMAIL_TRANSPORT": "smtp",
                "ROOMLINE_SMTP_PORT": str(smtp.port),
                "ROOMLINE_SMTP_TIMEOUT_SECONDS": "2",
                "ROOMLINE_INBOUND_SMTP_ENABLED": "false",
                # A killed worker's job is taken over after its timeout + 10 s (arq).
                "ROOMLINE_EVENT_JOB_TIMEOUT_SECONDS": "10",
            }
            workers: dict[str, Any] = {"web": False, "relay": False, "env": env}
            workers["services"] = "intake,confirmation"
            with server_process(web=False, workers=False, env=env):  # the relay
                with server_process(**workers) as (_, first):
                    # The provisional and final no-show reach intake first (versions 1, 2).
                    await eventually(lambda: _is(intake_version(ref), 2), timeout=60)
                    blocker = await asyncpg.connect(DSN)
                    held = blocker.transaction()
                    await held.start()
                    await blocker.execute(
                        "LOCK TABLE intake.stay_outcome_entry IN EXCLUSIVE MODE;"
                        " LOCK TABLE confirmation.order_dispatch IN EXCLUSIVE MODE"
                    )
                    await correct(sessionmaker, case_id)
                    await eventually(both_held, timeout=60, interval=0.1)
                    first.send_signal(signal.SIGKILL)  # both handlers mid-transaction
                    await asyncio.to_thread(first.wait, 10)
                    await held.rollback()
                    await blocker.close()
                # Nothing of the killed transactions was kept.
                assert await intake_version(ref) == 2
                assert (
                    await fetch(
                        "SELECT 1 FROM confirmation.order_dispatch WHERE audience = 'thanks'"
                    )
                    == []
                )
                with server_process(**workers):
                    await eventually(lambda: _is(intake_version(ref), 3), timeout=90)
                    # The send sweep picks the thank-you up a minute after it was queued.
                    await eventually(lambda: _has(smtp.messages), timeout=150, interval=0.5)
                    await asyncio.sleep(3)  # let a stray duplicate land before counting

        [mail] = smtp.messages
        assert mail.rcpt_tos == [GUEST_EMAIL]
        assert ref in str(mail.message["Subject"])
        published = await fetch(
            "SELECT payload FROM noshow.outbox WHERE name = 'noshow.stay_completed'"
            " AND payload->>'booking_ref' = $1",
            ref,
        )
        assert len(published) == 1  # the compensating outcome, published once
        entries = await fetch(
            "SELECT e.outcome_version, e.outcome, e.corrects_version"
            " FROM intake.stay_outcome_entry e JOIN intake.booking b"
            " ON b.booking_id = e.booking_id WHERE b.booking_ref = $1"
            " ORDER BY e.outcome_version",
            ref,
        )
        assert [tuple(e) for e in entries] == [
            (1, "no_show", None),
            (2, "no_show", None),
            (3, "stayed", 2),  # the correction, once
        ]
        thanks = await fetch(
            "SELECT state, attempts FROM confirmation.order_dispatch WHERE audience = 'thanks'"
        )
        assert [tuple(t) for t in thanks] == [("sent", 1)]
    finally:
        await engine.dispose()


async def _is(value: Any, expected: int) -> bool:
    return bool(await value == expected)


async def _has(messages: list[Any]) -> bool:
    return bool(messages)
