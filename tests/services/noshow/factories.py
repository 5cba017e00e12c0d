"""Feed the noshow service the way production does: events through its handlers
(``apply_once``: inbox + handler in one transaction), never direct inserts of read models."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.noshow.handlers import HANDLERS
from shared.clock import clock
from shared.events import Envelope, Payload, envelope_for
from shared.events.confirmation import BookingConfirmedV1
from shared.events.consumer import apply_once
from shared.events.intake import BookedNight, BookingPlacedV1

Sessionmaker = async_sessionmaker[AsyncSession]
_refs = itertools.count(1)
PEACE = uuid.UUID("00000000-0000-4000-8000-000000000016")


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=clock.business_tz)


async def deliver(
    sessionmaker: Sessionmaker, payload: Payload, *, source: str, version: int | None = None
) -> str:
    event: Envelope = envelope_for(
        payload, source=source, occurred_at=clock.now(), aggregate_version=version
    )
    return await apply_once(
        sessionmaker, service="noshow", schema="noshow", handlers=HANDLERS, envelope=event
    )


def placed(*, check_in: date, nights: int = 1, rooms: int = 1, **overrides: Any) -> BookingPlacedV1:
    stay = [check_in + timedelta(days=n) for n in range(nights)]
    values: dict[str, Any] = {
        "booking_id": uuid.uuid4(),
        "booking_ref": f"NS{next(_refs):06d}",
        "hotel_id": PEACE,
        "hotel_name": "和平饭店 · Peace Hotel",
        "room_type_id": uuid.uuid4(),
        "room_type_name": "Superior King",
        "rate_plan_id": uuid.uuid4(),
        "rate_plan_name": "Best available",
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "rooms": rooms,
        "guest_names": ["Wang Fang"],
        "booker_name": "Li Lei",
        "booker_phone": "+86 138 0013 8000",
        "payment_mode": "prepaid",
        "confirm_channel": "phone",
        "currency": "CNY",
        "nights": [
            BookedNight(night=n, net_minor=58480 * rooms, sell_minor=68800 * rooms) for n in stay
        ],
        "total_sell_minor": 68800 * nights * rooms,
        "urgent": False,
        "placed_at": clock.now(),
        "agent_username": "ana",
        "member_card": "M-1001",
    }
    return BookingPlacedV1(**{**values, **overrides})


async def confirmed_booking(
    sessionmaker: Sessionmaker, *, check_in: date, **kwargs: Any
) -> BookingPlacedV1:
    """A booking intake placed and the hotel confirmed, as noshow hears of both."""
    booking = placed(check_in=check_in, **kwargs)
    assert await deliver(sessionmaker, booking, source="intake", version=1) == "handled"
    confirmed = BookingConfirmedV1(
        booking_id=booking.booking_id,
        booking_ref=booking.booking_ref,
        kind="new",
        booking_version=1,
        hotel_confirmation_no="HX-1",
        confirmed_by="cora",
        confirmed_at=clock.now(),
    )
    assert await deliver(sessionmaker, confirmed, source="confirmation") == "handled"
    return booking


async def outbox(sessionmaker: Sessionmaker, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT payload, aggregate_version FROM noshow.outbox WHERE name = :name"
                " ORDER BY occurred_at, aggregate_version"
            ),
            {"name": name},
        )
        return [{**row.payload, "_version": row.aggregate_version} for row in rows]


async def open_case(sessionmaker: Sessionmaker) -> uuid.UUID:
    """A confirmed booking that arrived two days ago, on the worklist now; its case id."""
    from services.noshow.worklist import open_worklist
    from shared.db import unit_of_work

    booking = await confirmed_booking(sessionmaker, check_in=clock.today() - timedelta(days=2))
    async with unit_of_work(sessionmaker) as session:
        opened = await open_worklist(session, clock.now())
    (case,) = [c for c in opened if c.booking_id == booking.booking_id]
    return case.case_id
