"""Issue 19: a rate sheet's nights of one hotel (``contracts.rates_imported``) reach intake's
projection in one statement per table, with the per-night events' rules: once per event,
never regressed by an older event (the hotel's event version, issue 12), never cut below rooms
already sold (IN-4, CF-3), prices with sell not below net (HR-4)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import ImportedPrices, ImportedRooms, RatesImportedV1
from tests.services.intake.factories import SeededHotel, apply, envelope, seed_hotel
from tests.services.intake.helpers import booking_body, inventory

API = "/intake/api/bookings"


def imported(seeded: SeededHotel, nights: list[date], rooms: int, sell: int) -> RatesImportedV1:
    return RatesImportedV1(
        hotel_id=seeded.hotel_id,
        allotments=[
            ImportedRooms(
                room_type_id=seeded.room_type_id, nights=nights, rooms=[rooms] * len(nights)
            )
        ],
        prices=[
            ImportedPrices(
                rate_plan_id=seeded.rate_plan_id,
                room_type_id=seeded.room_type_id,
                currency=seeded.currency,
                nights=nights,
                net_minor=[sell * 85 // 100] * len(nights),
                sell_minor=[sell] * len(nights),
            )
        ],
    )


async def sells(sessionmaker, seeded: SeededHotel) -> dict[date, int]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT night, sell_minor FROM intake.rate_night WHERE rate_plan_id = :plan"),
            {"plan": seeded.rate_plan_id},
        )
        return {row.night: row.sell_minor for row in rows}


async def test_issue19_import_event_sets_every_night_once_even_delivered_twice(
    sessionmaker,
) -> None:
    first = clock.today() + timedelta(days=1)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[first])
    nights = [first + timedelta(days=d) for d in range(120)]  # 119 of them new to intake
    event = envelope(imported(seeded, nights, rooms=7, sell=60000), version=50)

    assert await apply(sessionmaker, event) == "handled"
    assert await apply(sessionmaker, event) == "duplicate"

    stored = await inventory(sessionmaker, seeded.room_type_id)
    assert [stored[n]["allotment"] for n in nights] == [7] * 120
    assert await sells(sessionmaker, seeded) == {n: 60000 for n in nights}


async def test_issue19_an_older_import_after_a_newer_one_changes_nothing(sessionmaker) -> None:
    first = clock.today() + timedelta(days=1)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[first])
    nights = [first + timedelta(days=d) for d in range(10)]
    newer = envelope(imported(seeded, nights, rooms=9, sell=70000), version=30)
    older = envelope(imported(seeded, nights[:5], rooms=2, sell=50000), version=20)

    assert await apply(sessionmaker, newer) == "handled"
    assert await apply(sessionmaker, older) == "handled"  # handled, but changes nothing

    stored = await inventory(sessionmaker, seeded.room_type_id)
    assert [stored[n]["allotment"] for n in nights] == [9] * 10
    assert set((await sells(sessionmaker, seeded)).values()) == {70000}


async def test_issue19_in4_import_below_sold_keeps_sold_rooms_and_leaves_none(
    login_as, sessionmaker
) -> None:
    night = clock.today() + timedelta(days=3)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[night])
    agent = await login_as("ana", Role.AGENT)
    placed = await agent.post_json(API, booking_body(seeded, night, nights=1, rooms=4))
    assert placed.status_code == 201

    await apply(sessionmaker, envelope(imported(seeded, [night], rooms=2, sell=68800)))

    assert (await inventory(sessionmaker, seeded.room_type_id))[night] == {
        "allotment": 4,
        "sold": 4,
        "remaining": 0,
    }
    refused = await agent.post_json(API, booking_body(seeded, night, nights=1))
    assert refused.status_code == 409
