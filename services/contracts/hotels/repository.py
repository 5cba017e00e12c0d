"""SQL of the contracts schema.

Nightly allotments and prices are written with Core ``INSERT ... ON CONFLICT DO UPDATE``: a
range is up to 400 nights and one statement sets them all, with no ORM objects to track.
They are read back as plain rows for the same reason.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.models import Hotel, NightAllotment, NightRate, RatePlan, RoomType

PAGE_SIZE = 50


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _hotel_search(text: str) -> Select[Hotel]:
    query = select(Hotel)
    if text:
        pattern = _contains(text)
        query = query.where(
            or_(
                Hotel.city.ilike(pattern, escape="\\"),
                Hotel.name_en.ilike(pattern, escape="\\"),
                Hotel.name_zh.ilike(pattern, escape="\\"),
                Hotel.district.ilike(pattern, escape="\\"),
            )
        )
    return query


async def search_hotels(session: AsyncSession, *, text: str, page: int) -> tuple[list[Hotel], int]:
    """One page of hotels whose city, district or either name contains ``text``; and the total."""
    query = _hotel_search(text)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(Hotel.city, Hotel.name_en, Hotel.hotel_id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(rows), total


async def count_hotels(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Hotel)) or 0


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


async def rate_plan_named(
    session: AsyncSession, room_type_id: uuid.UUID, name: str
) -> RatePlan | None:
    found: RatePlan | None = await session.scalar(
        select(RatePlan).where(RatePlan.room_type_id == room_type_id, RatePlan.name == name)
    )
    return found


async def allotments_in_range(
    session: AsyncSession, room_type_id: uuid.UUID, first: date, last: date
) -> dict[str, int]:
    """Rooms per night already set in the range, keyed by ISO date (for the audit's before)."""
    rows = await session.execute(
        select(NightAllotment.night, NightAllotment.rooms)
        .where(
            NightAllotment.room_type_id == room_type_id, NightAllotment.night.between(first, last)
        )
        .order_by(NightAllotment.night)
    )
    return {row.night.isoformat(): row.rooms for row in rows}


async def rates_in_range(
    session: AsyncSession, rate_plan_id: uuid.UUID, first: date, last: date
) -> dict[str, list[int]]:
    """[net, sell] per night already set in the range, keyed by ISO date."""
    rows = await session.execute(
        select(NightRate.night, NightRate.net_minor, NightRate.sell_minor)
        .where(NightRate.rate_plan_id == rate_plan_id, NightRate.night.between(first, last))
        .order_by(NightRate.night)
    )
    return {row.night.isoformat(): [row.net_minor, row.sell_minor] for row in rows}


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
) -> tuple[dict[tuple[uuid.UUID, date], int], dict[tuple[uuid.UUID, date], tuple[int, int]]]:
    """Rooms by (room type, night) and (net, sell) by (rate plan, night) for the hotel page."""
    allotments = await session.execute(
        select(NightAllotment.room_type_id, NightAllotment.night, NightAllotment.rooms)
        .join(RoomType, RoomType.room_type_id == NightAllotment.room_type_id)
        .where(RoomType.hotel_id == hotel_id, NightAllotment.night.between(first, last))
    )
    rates = await session.execute(
        select(NightRate.rate_plan_id, NightRate.night, NightRate.net_minor, NightRate.sell_minor)
        .join(RatePlan, RatePlan.rate_plan_id == NightRate.rate_plan_id)
        .where(RatePlan.hotel_id == hotel_id, NightRate.night.between(first, last))
    )
    return (
        {(r.room_type_id, r.night): r.rooms for r in allotments},
        {(r.rate_plan_id, r.night): (r.net_minor, r.sell_minor) for r in rates},
    )
