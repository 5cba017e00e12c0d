"""SQL of booking changes (IN-5): the booking row lock, the inventory shift, the history.

Core throughout, like ``repository.py``. The two statements that move rooms are raw ``text()``
so the lock order and the guards read exactly as PostgreSQL runs them.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.changes.models import booking_change
from services.intake.models import booking, booking_night


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
