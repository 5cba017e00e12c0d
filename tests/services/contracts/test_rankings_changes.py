"""HR-11 / IN-5: modified and cancelled bookings in contracts' ranking. Shortened nights and
cancelled bookings leave it, new nights join at their price, and events handled out of order
(a cancellation before its placement, an old change after a newer one) change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.contracts.handlers import HANDLERS
from shared.auth import Role
from shared.events import Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.intake import (
    BookedNight,
    BookingCancelledV1,
    BookingModifiedV1,
    BookingPlacedV1,
)

DECEMBER = [date(2026, 12, 10) + timedelta(days=n) for n in range(4)]


async def _hotel(client: Any) -> str:
    response = await client.post_json(
        "/contracts/api/hotels",
        {"name_zh": "变更酒店", "name_en": "Change Hotel", "city": "Beijing", "star_grade": 4,
         "confirm_channel": "email", "email": "desk@example.com"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["hotel_id"])


def _common(hotel_id: str, booking_id: uuid.UUID, nights: list[date], rooms: int) -> dict:
    return {
        "booking_id": booking_id, "booking_ref": "RLCHANGE01", "hotel_id": hotel_id,
        "hotel_name": "Change Hotel", "room_type_id": uuid.uuid4(), "room_type_name": "King",
        "rate_plan_id": uuid.uuid4(), "rate_plan_name": "BAR", "check_in": nights[0],
        "check_out": nights[-1] + timedelta(days=1), "rooms": rooms, "guest_names": ["张伟"],
        "booker_name": "王芳", "booker_phone": "13800138000", "payment_mode": "prepaid",
        "confirm_channel": "email", "currency": "CNY", "urgent": False, "agent_username": "ana",
        "nights": [BookedNight(night=n, net_minor=40000, sell_minor=50000) for n in nights],
        "total_sell_minor": 50000 * rooms * len(nights),
    }  # fmt: skip


def placed(hotel_id: str, booking_id: uuid.UUID, nights: list[date], rooms: int) -> Payload:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    return BookingPlacedV1(**_common(hotel_id, booking_id, nights, rooms), placed_at=at)


def modified(
    hotel_id: str, booking_id: uuid.UUID, nights: list[date], rooms: int, version: int
) -> Payload:
    return BookingModifiedV1(
        **_common(hotel_id, booking_id, nights, rooms), change_id=uuid.uuid4(),
        booking_version=version, status="placed", changed=["check_out"], before={}, after={},
        reason="r", reason_category="other", modified_at=datetime(2026, 11, 2, tzinfo=UTC),
    )  # fmt: skip


def cancelled(hotel_id: str, booking_id: uuid.UUID, nights: list[date], version: int) -> Payload:
    return BookingCancelledV1(
        **_common(hotel_id, booking_id, nights, 1), change_id=uuid.uuid4(),
        booking_version=version, reason="r", reason_category="other",
        cancelled_at=datetime(2026, 11, 3, tzinfo=UTC),
    )  # fmt: skip


async def _apply(sessionmaker: Any, payload: Payload) -> str:
    envelope = envelope_for(payload, source="intake", occurred_at=datetime.now(UTC))
    return await apply_once(
        sessionmaker, service="contracts", schema="contracts", handlers=HANDLERS, envelope=envelope
    )


async def _december(desk: Any) -> list[tuple[int, int]]:
    rows = (await desk.get("/contracts/api/rankings?month=2026-12")).json()
    return [(row["room_nights"], row["sales_minor"]) for row in rows]


async def test_hr11_in5_shortened_nights_leave_the_ranking_and_cancelled_bookings_too(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel, booking_id = await _hotel(desk), uuid.uuid4()
    await _apply(sessionmaker, placed(hotel, booking_id, DECEMBER[:3], rooms=2))
    assert await _december(desk) == [(6, 300000)]

    await _apply(sessionmaker, modified(hotel, booking_id, DECEMBER[:2], rooms=2, version=2))
    assert await _december(desk) == [(4, 200000)]
    await _apply(sessionmaker, modified(hotel, booking_id, DECEMBER, rooms=1, version=3))
    assert await _december(desk) == [(4, 200000)]  # four nights, one room each

    await _apply(sessionmaker, cancelled(hotel, booking_id, DECEMBER, version=4))
    assert await _december(desk) == []


async def test_hr11_in5_events_handled_out_of_order_never_bring_nights_back(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel = await _hotel(desk)
    gone, moved = uuid.uuid4(), uuid.uuid4()
    # A cancellation handled before its placement: the placement adds nothing.
    await _apply(sessionmaker, cancelled(hotel, gone, DECEMBER[:2], version=2))
    await _apply(sessionmaker, placed(hotel, gone, DECEMBER[:2], rooms=1))
    # A newer change handled before an older one: the older is ignored.
    await _apply(sessionmaker, placed(hotel, moved, DECEMBER[:1], rooms=1))
    await _apply(sessionmaker, modified(hotel, moved, DECEMBER[2:], rooms=1, version=3))
    await _apply(sessionmaker, modified(hotel, moved, DECEMBER[:3], rooms=3, version=2))

    assert await _december(desk) == [(2, 100000)]
