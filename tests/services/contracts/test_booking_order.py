"""Issue 12 / IN-5 / HR-11: a booking's events are ordered by the booking's own version, which
intake bumps under the booking's row lock and the envelope carries as its aggregate version.
A booking changed twice, the second change stamped earlier (the host's clock stepped back),
leaves contracts' sold nights as the newer change has them, whichever change is handled first.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text

from services.contracts.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.events import Envelope
from shared.events.consumer import apply_once
from tests.services.intake.changes_support import days, modify, place
from tests.services.intake.factories import Sessionmaker, seed_hotel


async def intake_events(sessionmaker: Sessionmaker) -> list[Envelope]:
    """Intake's outbox as the relay reads it (with aggregate and version), oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT event_id, name, version, payload, occurred_at, aggregate, "
                "aggregate_version FROM intake.outbox ORDER BY created_at, event_id"
            )
        )
        return [Envelope(**row._mapping, source="intake") for row in rows]


async def sold_nights(sessionmaker: Sessionmaker, booking_id: uuid.UUID) -> dict[date, int]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT night, rooms FROM contracts.sold_night WHERE booking_id = :id"),
            {"id": booking_id},
        )
        return {row.night: row.rooms for row in rows}


@pytest.mark.parametrize("newer_first", [False, True], ids=["in_order", "newer_first"])
async def test_in5_issue12_booking_changed_twice_with_the_clock_set_back_sells_the_newer_nights(
    login_as, sessionmaker, newer_first: bool
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=3)
    start = datetime.now(clock.business_tz)
    clock.set_now(start)
    first = await modify(agent, booking, check_out=stay[2], rooms=2)  # two nights, two rooms
    assert first.status_code == 200, first.text
    clock.set_now(start - timedelta(minutes=10))  # the next change is stamped earlier
    second = await modify(agent, first.json()["booking"], check_out=stay[1])  # one night
    assert second.status_code == 200, second.text

    placed, older, newer = await intake_events(sessionmaker)
    aggregate = f"booking:{booking['booking_id']}"
    assert {placed.aggregate, older.aggregate, newer.aggregate} == {aggregate}
    assert [e.aggregate_version for e in (placed, older, newer)] == [1, 2, 3]
    assert newer.payload["booking_version"] == newer.aggregate_version
    assert newer.occurred_at < older.occurred_at
    deliveries = [placed, newer, older] if newer_first else [placed, older, newer]
    for event in deliveries:
        await apply_once(
            sessionmaker, service="contracts", schema="contracts", handlers=HANDLERS, envelope=event
        )

    assert await sold_nights(sessionmaker, uuid.UUID(booking["booking_id"])) == {stay[0]: 2}
