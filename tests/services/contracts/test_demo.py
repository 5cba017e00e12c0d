"""The demo loader: five hotels in Beijing and Shanghai with 60 nights of allotment and prices,
created through the service functions so the booking desk hears of them, and only once."""

from __future__ import annotations

from sqlalchemy import text

from services.contracts.demo import load_demo_hotels
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import counts, outbox


async def test_demo_loader_creates_five_hotels_and_publishes_them_once(sessionmaker) -> None:
    async with unit_of_work(sessionmaker) as session:
        created = await load_demo_hotels(session, actor="demo-loader", today=clock.today())
    after_first = await counts(sessionmaker)
    async with unit_of_work(sessionmaker) as session:
        again = await load_demo_hotels(session, actor="demo-loader", today=clock.today())

    assert created == 5 and again == 0
    assert await counts(sessionmaker) == after_first
    async with sessionmaker() as session:
        grouped = await session.execute(
            text("SELECT city, count(*) FROM contracts.hotel GROUP BY city")
        )
        cities = {city: count for city, count in grouped}
        nights = await session.scalar(
            text("SELECT count(DISTINCT night) FROM contracts.night_rate")
        )
        margins = (
            await session.execute(
                text(
                    "SELECT min(sell_minor::numeric / net_minor), "
                    "max(sell_minor::numeric / net_minor) FROM contracts.night_rate"
                )
            )
        ).one()
        rooms = (
            await session.execute(
                text("SELECT min(rooms), max(rooms) FROM contracts.night_allotment")
            )
        ).one()
    assert cities == {"Beijing": 3, "Shanghai": 2}
    assert after_first["room_type"] == 10 and 5 <= after_first["rate_plan"] <= 20
    assert nights == 60
    assert 1.10 <= margins[0] and margins[1] <= 1.20  # HR-4: net below sell by 10-20%
    assert 8 <= rooms[0] and rooms[1] <= 20
    snapshots = await outbox(sessionmaker, "contracts.hotel_published")
    finals = {s["hotel_id"]: s for s in snapshots}
    assert len(finals) == 5 and all(s["sellable"] for s in finals.values())
    assert all(len(s["room_types"]) == 2 and s["rate_plans"] for s in finals.values())
    assert all(s["name_zh"] and s["name_en"] for s in finals.values())
    assert len(await outbox(sessionmaker, "contracts.allotment_set")) == 10
    assert len(await outbox(sessionmaker, "contracts.rates_published")) == after_first["rate_plan"]
