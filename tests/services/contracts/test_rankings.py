"""HR-11: monthly ranking of hotels by sales and by room nights, from intake's booking events."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from services.contracts.handlers import HANDLERS
from shared.auth import Role
from shared.events import envelope_for
from shared.events.consumer import apply_once
from shared.events.intake import BookedNight, BookingPlacedV1


async def _hotel(client, name: str) -> str:
    response = await client.post_json(
        "/contracts/api/hotels",
        {
            "name_zh": name,
            "name_en": name,
            "city": "Beijing",
            "star_grade": 4,
            "confirm_channel": "email",
            "email": "desk@example.com",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["hotel_id"]


def _booking(hotel_id: str, nights: list[date], rooms: int, sell: int) -> BookingPlacedV1:
    return BookingPlacedV1(
        booking_id=uuid.uuid4(),
        booking_ref="RLRANK0001",
        hotel_id=hotel_id,
        hotel_name="x",
        room_type_id=uuid.uuid4(),
        room_type_name="King",
        rate_plan_id=uuid.uuid4(),
        rate_plan_name="BAR",
        check_in=nights[0],
        check_out=nights[-1] + timedelta(days=1),
        rooms=rooms,
        guest_names=["张伟"],
        booker_name="王芳",
        booker_phone="13800138000",
        payment_mode="prepaid",
        confirm_channel="email",
        currency="CNY",
        nights=[BookedNight(night=n, net_minor=sell - 10000, sell_minor=sell) for n in nights],
        total_sell_minor=sell * rooms * len(nights),
        urgent=False,
        placed_at=datetime(2026, 11, 1, tzinfo=UTC),
        agent_username="agent",
    )


async def _apply(sessionmaker, payload: BookingPlacedV1) -> str:
    envelope = envelope_for(payload, source="intake", occurred_at=datetime.now(UTC))
    return await apply_once(
        sessionmaker, service="contracts", schema="contracts", handlers=HANDLERS, envelope=envelope
    )


async def test_hr11_ranks_by_sales_and_by_room_nights_splitting_stays_at_month_end(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    dear, cheap = await _hotel(desk, "Dear Hotel"), await _hotel(desk, "Cheap Hotel")
    # Dear: 2 room nights in December at 2,000. Cheap: 5 room nights at 300, one in January.
    await _apply(sessionmaker, _booking(dear, [date(2026, 12, 10), date(2026, 12, 11)], 1, 200000))
    cheap_stay = [date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]
    await _apply(sessionmaker, _booking(cheap, cheap_stay, 1, 30000))
    await _apply(sessionmaker, _booking(cheap, [date(2026, 12, 5)], 1, 30000))

    response = await desk.get("/contracts/api/rankings?month=2026-12")
    ranked = {row["name_en"]: row for row in response.json()}
    assert (
        ranked["Dear Hotel"]["rank_by_sales"] == 1 and ranked["Dear Hotel"]["sales_minor"] == 400000
    )
    assert (
        ranked["Cheap Hotel"]["rank_by_nights"] == 1 and ranked["Cheap Hotel"]["room_nights"] == 4
    )
    assert ranked["Cheap Hotel"]["sales_minor"] == 120000
    january = (await desk.get("/contracts/api/rankings?month=2027-01")).json()
    assert [(r["name_en"], r["room_nights"]) for r in january] == [("Cheap Hotel", 1)]
    page = await desk.page("/contracts/rankings?month=2026-12")
    assert page.status_code == 200 and "Dear Hotel" in page.text


async def test_hr11_a_booking_counts_once_even_if_its_event_is_replayed(
    login_as, sessionmaker
) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel = await _hotel(desk, "Once Hotel")
    booking = _booking(hotel, [date(2026, 12, 10)], 2, 50000)
    assert await _apply(sessionmaker, booking) == "handled"
    assert await _apply(sessionmaker, booking) == "handled"  # a new event id, same booking
    rows = (await desk.get("/contracts/api/rankings?month=2026-12")).json()
    assert rows[0]["room_nights"] == 2


async def test_hr11_bad_month_is_refused_and_empty_month_shows_empty_state(login_as) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    bad = await desk.get("/contracts/api/rankings?month=2026-13")
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "month"
    page = await desk.page("/contracts/rankings?month=2026-10")
    assert "No room nights sold in 2026-10" in page.text
