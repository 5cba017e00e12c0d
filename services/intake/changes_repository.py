"""SQL of booking changes (IN-5): the booking row lock, the inventory shift, the history.

Core throughout, like ``repository.py``. The two statements that move rooms are raw ``text()``
so the lock order and the guards read exactly as PostgreSQL runs them.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import booking, booking_night
from services.intake.repository import AnyRow
from services.intake.settings import SCHEMA

booking_change = Table(
    "booking_change",
    MetaData(schema=SCHEMA),
    Column("change_id", Uuid, primary_key=True),
    Column("booking_id", Uuid, nullable=False),
    Column("booking_version", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reason_category", String(20), nullable=False),
    Column("changed_by", String(80), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("before", JSONB, nullable=False),
    Column("after", JSONB, nullable=False),
)


async def lock_booking(session: AsyncSession, booking_ref: str) -> AnyRow | None:
    """The booking, locked until commit: changes of one booking run one after the other, so
    the version each reads is the version it writes over (IN-5)."""
    query = select(booking).where(booking.c.booking_ref == booking_ref).with_for_update()
    return (await session.execute(query)).first()


async def update_booking(
    session: AsyncSession, *, booking_id: uuid.UUID, seen_version: int, values: dict[str, Any]
) -> AnyRow | None:
    """Write the change and bump the version, only over the version the agent saw."""
    statement = (
        update(booking)
        .where(booking.c.booking_id == booking_id, booking.c.version == seen_version)
        .values(**values, version=booking.c.version + 1)
        .returning(*booking.c)
    )
    return (await session.execute(statement)).first()


async def remove_booking_nights(
    session: AsyncSession, booking_id: uuid.UUID, nights: list[date]
) -> None:
    await session.execute(
        delete(booking_night).where(
            booking_night.c.booking_id == booking_id, booking_night.c.night.in_(nights)
        )
    )


async def insert_change(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(booking_change).values(**values))


async def last_change(session: AsyncSession, booking_id: uuid.UUID) -> AnyRow | None:
    query = (
        select(booking_change)
        .where(booking_change.c.booking_id == booking_id)
        .order_by(booking_change.c.booking_version.desc())
        .limit(1)
    )
    return (await session.execute(query)).first()


async def list_changes(
    session: AsyncSession, booking_id: uuid.UUID, *, page: int, page_size: int
) -> tuple[list[AnyRow], int]:
    """A page of the booking's history, newest first, and how many changes it has."""
    where = booking_change.c.booking_id == booking_id
    total = await session.scalar(select(func.count()).select_from(booking_change).where(where))
    rows = await session.execute(
        select(booking_change)
        .where(where)
        .order_by(booking_change.c.booking_version.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), int(total or 0)


# ARCHITECTURE (lock order): every night whose count changes is locked in night order before
# any is written, the order place_booking uses, so a change and a booking (or two changes)
# touching the same nights queue instead of deadlocking.
_LOCK_NIGHTS = text(
    """
    SELECT night, allotment, sold, remaining FROM intake.inventory_night
    WHERE room_type_id = :room_type_id AND night = ANY(CAST(:nights AS date[]))
    ORDER BY night
    FOR UPDATE
    """
)
# IN-4 / IN-5: one statement moves every night by its delta (positive takes rooms, negative
# returns them). The guards live in SQL: a night is taken only if it has the rooms, and
# returned only down to zero; a night failing its guard is simply not updated.
_SHIFT_ROOMS = text(
    """
    UPDATE intake.inventory_night AS inv
    SET sold = inv.sold + d.delta, updated_at = now()
    FROM unnest(CAST(:nights AS date[]), CAST(:deltas AS integer[])) AS d(night, delta)
    WHERE inv.room_type_id = :room_type_id AND inv.night = d.night
      AND inv.allotment - inv.sold >= d.delta
      AND inv.sold + d.delta >= 0
    RETURNING inv.night
    """
)


async def lock_nights(
    session: AsyncSession, room_type_id: uuid.UUID, nights: list[date]
) -> list[AnyRow]:
    params = {"room_type_id": room_type_id, "nights": sorted(nights)}
    return list(await session.execute(_LOCK_NIGHTS, params))


async def shift_rooms(
    session: AsyncSession, room_type_id: uuid.UUID, deltas: dict[date, int]
) -> set[date]:
    """Apply each night's delta under its guard; returns the nights it did move."""
    ordered = sorted(deltas)
    params = {
        "room_type_id": room_type_id,
        "nights": ordered,
        "deltas": [deltas[night] for night in ordered],
    }
    return {row.night for row in await session.execute(_SHIFT_ROOMS, params)}
