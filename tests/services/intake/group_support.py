"""Test data for group bookings (IN-9): a hotel with two room types sold under the same rate
plan name, corporate accounts, rooming-list files, and counts of what a group writes."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from sqlalchemy import text

from shared.clock import clock
from shared.events.contracts import HotelPublishedV1, RatePlanInfo, RoomTypeInfo
from tests.services.intake.factories import (
    SeededHotel,
    allotment_event,
    apply,
    contract_event,
    envelope,
    rates_event,
)

ACCOUNTS = "/intake/api/group-accounts"
GROUPS = "/intake/api/groups"
PLAN = "Best available"


@dataclass(frozen=True)
class GroupHotel:
    hotel_id: uuid.UUID
    king: SeededHotel  # "Superior King", 68800 a night
    twin: SeededHotel  # "Deluxe Twin", 58800 a night


async def group_hotel(
    sessionmaker: Any, *, king_rooms: int = 10, twin_rooms: int = 10, payment_mode: str = "prepaid"
) -> GroupHotel:
    """Both room types sell a rate plan named "Best available" (a sheet must say which)."""
    nights = [clock.today() + timedelta(days=n) for n in range(60)]
    hotel_id = uuid.uuid4()
    king, twin = (
        SeededHotel(hotel_id, rt, rp, "Beijing", "Peace Hotel", "CNY", payment_mode, nights)
        for rt, rp in [(uuid.uuid4(), uuid.uuid4()) for _ in range(2)]
    )
    published = HotelPublishedV1(
        hotel_id=hotel_id, name_zh="和平饭店", name_en="Peace Hotel", city="Beijing",
        district="Dongcheng", star_grade=4, currency="CNY", confirm_channel="fax",
        room_types=[
            RoomTypeInfo(room_type_id=king.room_type_id, name="Superior King"),
            RoomTypeInfo(room_type_id=twin.room_type_id, name="Deluxe Twin"),
        ],
        rate_plans=[
            RatePlanInfo(rate_plan_id=s.rate_plan_id, room_type_id=s.room_type_id, name=PLAN,
                         payment_mode=payment_mode)
            for s in (king, twin)
        ],
    )  # fmt: skip
    await apply(sessionmaker, envelope(published))
    for seeded, rooms, sell in ((king, king_rooms, 68800), (twin, twin_rooms, 58800)):
        await apply(sessionmaker, envelope(allotment_event(seeded, dict.fromkeys(nights, rooms))))
        await apply(sessionmaker, envelope(rates_event(seeded, dict.fromkeys(nights, sell))))
    await apply(sessionmaker, envelope(contract_event(hotel_id, nights[0], nights[-1])))
    return GroupHotel(hotel_id, king, twin)


def account_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "company_name": "Acme Trading",
        "contact_name": "王芳",
        "phone": "+86 10 6512 0000",
        "email": "travel@acme.example",
        "terms": "breakfast included",
        "discount_percent": "8.5",
    }
    return {**body, **overrides}


async def new_account(client: Any, **overrides: Any) -> dict[str, Any]:
    response = await client.post_json(ACCOUNTS, account_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def room(room_type: str, *guests: str) -> dict[str, Any]:
    return {"rate_plan": PLAN, "room_type": room_type, "guest_names": list(guests)}


def group_body(
    account: dict[str, Any], hotel: GroupHotel, rooms: list[dict[str, Any]], **overrides: Any
) -> dict[str, Any]:
    check_in = clock.today() + timedelta(days=10)
    body = {
        "account_id": account["account_id"],
        "hotel_id": str(hotel.hotel_id),
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "confirm_channel": "email",
        "special_requests": "Rooms on one floor",
        "rooms": rooms,
    }
    return {**body, **overrides}


def csv_file(rows: list[list[str]]) -> bytes:
    lines = [",".join(f'"{cell}"' for cell in row) for row in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def written(sessionmaker: Any) -> dict[str, int]:
    queries = {
        "groups": "SELECT count(*) FROM intake.group_booking",
        "rooms": "SELECT count(*) FROM intake.group_room",
        "bookings": "SELECT count(*) FROM intake.booking",
        "placed_events": "SELECT count(*) FROM intake.outbox WHERE name = 'intake.booking_placed'",
        "group_audit": "SELECT count(*) FROM intake.audit_log WHERE entity = 'group_booking'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def sold(sessionmaker: Any, seeded: SeededHotel, night: date) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                text(
                    "SELECT sold FROM intake.inventory_night "
                    "WHERE room_type_id = :rt AND night = :night"
                ),
                {"rt": seeded.room_type_id, "night": night},
            )
            or 0
        )
