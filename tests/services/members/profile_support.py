"""Feed the members service intake's booking events the way production does: real envelopes
through ``apply_once`` (inbox + handler in one transaction), never direct inserts."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.members.handlers import HANDLERS
from services.members.profile.models import member_booking
from shared.clock import clock
from shared.events import Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.intake import (
    BookedNight,
    BookingCancelledV1,
    BookingModifiedV1,
    BookingPlacedV1,
)

Sessionmaker = async_sessionmaker[AsyncSession]
_refs = itertools.count(1)
PEACE = uuid.UUID("00000000-0000-4000-8000-000000000018")


async def deliver(sessionmaker: Sessionmaker, payload: Payload, *, version: int) -> str:
    envelope = envelope_for(
        payload, source="intake", occurred_at=clock.now(), aggregate_version=version
    )
    return await apply_once(
        sessionmaker, service="members", schema="members", handlers=HANDLERS, envelope=envelope
    )


def placed(
    *, check_in: date | None = None, nights: int = 2, member_card: str = "m123456", **over: Any
) -> BookingPlacedV1:
    arrival = check_in or clock.today() + timedelta(days=10)
    stay = [arrival + timedelta(days=n) for n in range(nights)]
    values: dict[str, Any] = {
        "booking_id": uuid.uuid4(),
        "booking_ref": f"MB{next(_refs):06d}",
        "hotel_id": PEACE,
        "hotel_name": "和平饭店 · Peace Hotel",
        "room_type_id": uuid.uuid4(),
        "room_type_name": "Superior King",
        "rate_plan_id": uuid.uuid4(),
        "rate_plan_name": "Best available",
        "check_in": arrival,
        "check_out": arrival + timedelta(days=nights),
        "rooms": 1,
        "guest_names": ["Wang Fang"],
        "booker_name": "Wang Fang",
        "booker_phone": "+86 139 1234 5678",
        "payment_mode": "prepaid",
        "confirm_channel": "phone",
        "currency": "CNY",
        "nights": [BookedNight(night=n, net_minor=58000, sell_minor=68800) for n in stay],
        "total_sell_minor": 68800 * nights,
        "urgent": False,
        "placed_at": clock.now(),
        "agent_username": "ana",
        "member_card": member_card,
    }
    return BookingPlacedV1(**{**values, **over})


def _snapshot(booking: BookingPlacedV1, **changes: Any) -> dict[str, Any]:
    fields = booking.model_dump(
        exclude={"name", "version", "placed_at", "member_card", "reply_at_once", "status"}
        | {"booker_company", "arrival_time", "handling_started_at", "confirm_contact"}
        | {"call_id", "handle_seconds", "source"}
    )
    return {**fields, **changes}


def modified(booking: BookingPlacedV1, *, version: int, **changes: Any) -> BookingModifiedV1:
    return BookingModifiedV1(
        **_snapshot(booking, **changes),
        change_id=uuid.uuid4(),
        booking_version=version,
        status="placed",
        changed=sorted(changes),
        before={},
        after={k: str(v) for k, v in changes.items()},
        reason="guest asked",
        reason_category="guest_request",
        modified_at=clock.now(),
    )


def cancelled(booking: BookingPlacedV1, *, version: int, **changes: Any) -> BookingCancelledV1:
    return BookingCancelledV1(
        **_snapshot(booking, **changes),
        change_id=uuid.uuid4(),
        booking_version=version,
        reason="plans changed",
        reason_category="guest_request",
        cancelled_at=clock.now(),
    )


async def booking_rows(sessionmaker: Sessionmaker) -> dict[uuid.UUID, Any]:
    async with sessionmaker() as session:
        rows = await session.execute(select(member_booking))
        return {row.booking_id: row for row in rows}
