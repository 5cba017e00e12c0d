"""SQL of the intake schema: reads of the projection and the booking hot path.

Core, not ORM, throughout (see ``models.py``). The two statements that sell rooms are raw
``text()`` so the lock order and the guard are visible exactly as PostgreSQL runs them.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeAlias

from sqlalchemy import Row, and_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.models import (
    hotel,
    inventory_night,
    rate_night,
    rate_plan,
    room_type,
)
from services.intake.lookup.keys import search_names
from services.intake.models import booking, booking_night

# A row of any width (SQLAlchemy 2.1 types rows by their column tuple).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]

# The shape of a plan row: what ``offers.price_offers`` prices and the booking checks. Public:
# the search (``search_repository.py``) filters and pages the same rows.
OFFER_COLUMNS = (
    hotel.c.hotel_id,
    hotel.c.name_en.label("hotel_name"),
    hotel.c.name_zh.label("hotel_name_zh"),
    hotel.c.district,
    hotel.c.star_grade,
    hotel.c.sellable,
    hotel.c.currency,
    room_type.c.room_type_id,
    room_type.c.name.label("room_type_name"),
    room_type.c.active.label("room_type_active"),
    rate_plan.c.rate_plan_id,
    rate_plan.c.hotel_id.label("plan_hotel_id"),
    rate_plan.c.name.label("rate_plan_name"),
    rate_plan.c.payment_mode,
    rate_plan.c.active.label("rate_plan_active"),
)


def offers_from() -> Any:
    return rate_plan.join(hotel, hotel.c.hotel_id == rate_plan.c.hotel_id).join(
        room_type,
        and_(
            room_type.c.room_type_id == rate_plan.c.room_type_id,
            room_type.c.hotel_id == rate_plan.c.hotel_id,
        ),
    )


async def find_plan(session: AsyncSession, rate_plan_id: uuid.UUID) -> AnyRow | None:
    """The rate plan with its hotel and room type, whatever their state."""
    query = select(*OFFER_COLUMNS).select_from(offers_from())
    return (await session.execute(query.where(rate_plan.c.rate_plan_id == rate_plan_id))).first()


async def remaining_by_night(
    session: AsyncSession, room_type_ids: list[uuid.UUID], check_in: date, check_out: date
) -> dict[tuple[uuid.UUID, date], int]:
    """A plain read for display (IN-2); selling re-checks under lock in ``inventory.move_rooms``."""
    query = select(
        inventory_night.c.room_type_id, inventory_night.c.night, inventory_night.c.remaining
    ).where(
        inventory_night.c.room_type_id.in_(room_type_ids),
        inventory_night.c.night >= check_in,
        inventory_night.c.night < check_out,
    )
    return {(r.room_type_id, r.night): r.remaining for r in await session.execute(query)}


async def prices_by_night(
    session: AsyncSession, rate_plan_ids: list[uuid.UUID], check_in: date, check_out: date
) -> dict[tuple[uuid.UUID, date], AnyRow]:
    """(rate plan, night) -> row with net_minor, sell_minor, currency."""
    query = select(
        rate_night.c.rate_plan_id,
        rate_night.c.night,
        rate_night.c.net_minor,
        rate_night.c.sell_minor,
        rate_night.c.currency,
    ).where(
        rate_night.c.rate_plan_id.in_(rate_plan_ids),
        rate_night.c.night >= check_in,
        rate_night.c.night < check_out,
    )
    return {(r.rate_plan_id, r.night): r for r in await session.execute(query)}


async def insert_booking(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert unless the idempotency key or reference exists; False when it did not insert.

    A twin request with the same key waits here on the unique index until the first commits
    or rolls back, which makes the idempotency check race-safe.
    """
    # Issue 15: the names the booking is found by (lookup/keys.py), written with it.
    names = search_names(values["booker_name"], values["guest_names"])
    inserted = await session.execute(
        insert(booking)
        .values(**values, search_names=names)
        .on_conflict_do_nothing()
        .returning(booking.c.booking_id)
    )
    return inserted.first() is not None


async def insert_booking_nights(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await session.execute(insert(booking_night).values(rows))


async def find_booking(
    session: AsyncSession, *, booking_ref: str | None = None, idempotency_key: str | None = None
) -> AnyRow | None:
    query = select(booking)
    if booking_ref is not None:
        query = query.where(booking.c.booking_ref == booking_ref)
    if idempotency_key is not None:
        query = query.where(booking.c.idempotency_key == idempotency_key)
    return (await session.execute(query)).first()


async def booking_nights(session: AsyncSession, booking_id: uuid.UUID) -> list[AnyRow]:
    query = (
        select(booking_night.c.night, booking_night.c.net_minor, booking_night.c.sell_minor)
        .where(booking_night.c.booking_id == booking_id)
        .order_by(booking_night.c.night)
    )
    return list(await session.execute(query))
