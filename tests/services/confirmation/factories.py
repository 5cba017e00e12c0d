"""Feed the confirmation service the way production does: events through its handlers.

Each helper builds an Envelope and applies it with ``apply_once`` (inbox + handler in one
transaction), so tests exercise the real event path, not direct inserts.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.confirmation.handlers import HANDLERS
from shared.clock import clock
from shared.events import Envelope, Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.contracts import HotelPublishedV1, RatePlanInfo, RoomTypeInfo
from shared.events.intake import BookedNight, BookingPlacedV1

Sessionmaker = async_sessionmaker[AsyncSession]
_refs = itertools.count(1)


def beijing(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Beijing wall-clock time as an aware instant."""
    return datetime(year, month, day, hour, minute, tzinfo=clock.business_tz)


def envelope(
    payload: Payload,
    *,
    source: str,
    occurred_at: datetime | None = None,
    version: int | None = None,
) -> Envelope:
    """``version``: the publisher's aggregate version (issue 12); None: an unnumbered event."""
    at = occurred_at or clock.now()
    return envelope_for(payload, source=source, occurred_at=at, aggregate_version=version)


async def deliver(sessionmaker: Sessionmaker, event: Envelope) -> str:
    """Deliver one event to confirmation; returns "handled", "duplicate" or "ignored"."""
    return await apply_once(
        sessionmaker,
        service="confirmation",
        schema="confirmation",
        handlers=HANDLERS,
        envelope=event,
    )


def booking_placed(
    *,
    check_in: date,
    placed_at: datetime | None = None,
    nights: int = 1,
    rooms: int = 1,
    hotel_id: uuid.UUID | None = None,
    hotel_name: str = "和平饭店 · Peace Hotel",
    booking_ref: str | None = None,
    **overrides: Any,
) -> BookingPlacedV1:
    """A placed booking as intake announces it; ``urgent`` follows IN-4 unless given."""
    placed = placed_at or clock.now()
    stay = [check_in + timedelta(days=n) for n in range(nights)]
    values: dict[str, Any] = {
        "booking_id": uuid.uuid4(),
        "booking_ref": booking_ref or f"BK{next(_refs):06d}",
        "hotel_id": hotel_id or uuid.uuid4(),
        "hotel_name": hotel_name,
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
        "nights": [BookedNight(night=n, net_minor=58480, sell_minor=68800) for n in stay],
        "total_sell_minor": 68800 * nights * rooms,
        "urgent": check_in <= clock.local(placed).date(),
        "placed_at": placed,
        "agent_username": "ana",
    }
    return BookingPlacedV1(**{**values, **overrides})


async def place_booking(
    sessionmaker: Sessionmaker, *, check_in: date, **kwargs: Any
) -> BookingPlacedV1:
    """Announce a booking to confirmation (occurred when placed); returns the payload."""
    booking = booking_placed(check_in=check_in, **kwargs)
    event = envelope(booking, source="intake", occurred_at=booking.placed_at)
    assert await deliver(sessionmaker, event) == "handled"
    return booking


def hotel_published(
    *,
    hotel_id: uuid.UUID | None = None,
    name_en: str = "Peace Hotel",
    name_zh: str = "和平饭店",
    confirm_channel: str = "fax",
    fax: str = "+86 10 6512 0000",
    email: str = "",
) -> HotelPublishedV1:
    room_type_id = uuid.uuid4()
    return HotelPublishedV1(
        hotel_id=hotel_id or uuid.uuid4(),
        name_zh=name_zh,
        name_en=name_en,
        city="Beijing",
        star_grade=4,
        currency="CNY",
        confirm_channel=confirm_channel,
        fax=fax,
        email=email,
        phone="+86 10 6512 8888",
        room_types=[RoomTypeInfo(room_type_id=room_type_id, name="Superior King")],
        rate_plans=[
            RatePlanInfo(
                rate_plan_id=uuid.uuid4(),
                room_type_id=room_type_id,
                name="Best available",
                payment_mode="prepaid",
            )
        ],
    )


async def publish_hotel(
    sessionmaker: Sessionmaker,
    *,
    occurred_at: datetime | None = None,
    version: int | None = None,
    **kwargs: Any,
) -> HotelPublishedV1:
    hotel = hotel_published(**kwargs)
    event = envelope(hotel, source="contracts", occurred_at=occurred_at, version=version)
    assert await deliver(sessionmaker, event) == "handled"
    return hotel
