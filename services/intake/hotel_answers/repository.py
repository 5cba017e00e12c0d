"""SQL of the hotels' answers on intake's side (CF-3, CF-4): the answers kept per booking, the
full-house notices for the agents, and the booking row lock the handlers take.

Core, like ``repository.py``. Tables from migration ``intake_0005_hotel_answers``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.hotel_answers.models import full_house_notice, hotel_answer
from services.intake.inventory.models import hotel
from services.intake.models import booking


async def lock_booking(
    session: AsyncSession, *, booking_id: uuid.UUID | None, booking_ref: str
) -> AnyRow | None:
    """The booking, locked until commit, as ``changes_repository.lock_booking`` locks it for a
    change: an agent's change and a hotel's answer of one booking run one after the other."""
    if booking_id is not None:  # events since issue 6 carry the id; older ones only the ref
        where = booking.c.booking_id == booking_id
    else:
        where = booking.c.booking_ref == booking_ref
    return (await session.execute(select(booking).where(where).with_for_update())).first()


async def update_booking(
    session: AsyncSession, booking_id: uuid.UUID, values: dict[str, Any]
) -> AnyRow:
    statement = (
        update(booking)
        .where(booking.c.booking_id == booking_id)
        .values(**values)
        .returning(*booking.c)
    )
    return (await session.execute(statement)).one()


async def insert_answer(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Keep one answer; False when this event's answer is already kept (a redelivery)."""
    inserted = await session.execute(
        insert(hotel_answer)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(hotel_answer.c.event_id)
    )
    return inserted.first() is not None


async def answers_for(session: AsyncSession, booking_id: uuid.UUID) -> list[AnyRow]:
    query = (
        select(hotel_answer)
        .where(hotel_answer.c.booking_id == booking_id)
        .order_by(hotel_answer.c.answered_at.desc(), hotel_answer.c.received_at.desc())
    )
    return list(await session.execute(query))


async def insert_notice(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(full_house_notice).values(**values).on_conflict_do_nothing())


async def notice_for(
    session: AsyncSession, *, booking_ref: str, for_update: bool = False
) -> AnyRow | None:
    query = select(full_house_notice).where(full_house_notice.c.booking_ref == booking_ref)
    return (await session.execute(query.with_for_update() if for_update else query)).first()


async def open_notices(session: AsyncSession, agent_username: str) -> list[AnyRow]:
    """The agent's bookings gone full house that he has not yet called about, oldest first."""
    query = (
        select(full_house_notice)
        .where(
            full_house_notice.c.agent_username == agent_username,
            full_house_notice.c.acknowledged_at.is_(None),
        )
        .order_by(full_house_notice.c.marked_at)
    )
    return list(await session.execute(query))


async def acknowledge_notice(
    session: AsyncSession, booking_id: uuid.UUID, *, by: str, at: datetime
) -> AnyRow:
    statement = (
        update(full_house_notice)
        .where(full_house_notice.c.booking_id == booking_id)
        .values(acknowledged_by=by, acknowledged_at=at)
        .returning(*full_house_notice.c)
    )
    return (await session.execute(statement)).one()


async def hotel_city(session: AsyncSession, hotel_id: uuid.UUID) -> str | None:
    found = await session.scalar(select(hotel.c.city).where(hotel.c.hotel_id == hotel_id))
    return str(found) if found is not None else None
