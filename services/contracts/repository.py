"""SQL of the contracts schema."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.models import Hotel, NightAllotment, NightRate, RatePlan, RoomType

PAGE_SIZE = 50


async def search_hotels(session: AsyncSession, *, text: str, page: int) -> tuple[list[Hotel], int]:
    query = select(Hotel)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Hotel.city).like(pattern),
                func.lower(Hotel.name_en).like(pattern),
                Hotel.name_zh.like(f"%{text}%"),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(Hotel.city, Hotel.name_en).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(rows), total


async def room_types(session: AsyncSession, hotel_id: uuid.UUID) -> list[RoomType]:
    rows = await session.scalars(
        select(RoomType).where(RoomType.hotel_id == hotel_id).order_by(RoomType.name)
    )
    return list(rows)


async def rate_plans(session: AsyncSession, hotel_id: uuid.UUID) -> list[RatePlan]:
    rows = await session.scalars(
        select(RatePlan).where(RatePlan.hotel_id == hotel_id).order_by(RatePlan.name)
    )
    return list(rows)


async def upsert_allotments(
    session: AsyncSession, room_type_id: uuid.UUID, nights: list[date], rooms: int
) -> None:
    statement = insert(NightAllotment).values(
        [{"room_type_id": room_type_id, "night": night, "rooms": rooms} for night in nights]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["room_type_id", "night"], set_={"rooms": statement.excluded.rooms}
        )
    )


async def upsert_rates(
    session: AsyncSession,
    rate_plan_id: uuid.UUID,
    nights: list[date],
    *,
    net_minor: int,
    sell_minor: int,
    currency: str,
) -> None:
    statement = insert(NightRate).values(
        [
            {
                "rate_plan_id": rate_plan_id,
                "night": night,
                "net_minor": net_minor,
                "sell_minor": sell_minor,
                "currency": currency,
            }
            for night in nights
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["rate_plan_id", "night"],
            set_={
                "net_minor": statement.excluded.net_minor,
                "sell_minor": statement.excluded.sell_minor,
                "currency": statement.excluded.currency,
            },
        )
    )


async def upcoming_grid(
    session: AsyncSession, hotel_id: uuid.UUID, first: date, last: date
) -> tuple[dict[tuple[uuid.UUID, date], int], dict[tuple[uuid.UUID, date], NightRate]]:
    """Allotments by (room type, night) and rates by (rate plan, night) for the hotel page."""
    allotments = await session.execute(
        select(NightAllotment.room_type_id, NightAllotment.night, NightAllotment.rooms)
        .join(RoomType, RoomType.room_type_id == NightAllotment.room_type_id)
        .where(RoomType.hotel_id == hotel_id, NightAllotment.night.between(first, last))
    )
    rates = await session.scalars(
        select(NightRate)
        .join(RatePlan, RatePlan.rate_plan_id == NightRate.rate_plan_id)
        .where(RatePlan.hotel_id == hotel_id, NightRate.night.between(first, last))
    )
    return (
        {(r.room_type_id, r.night): r.rooms for r in allotments},
        {(r.rate_plan_id, r.night): r for r in rates},
    )
