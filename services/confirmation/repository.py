"""SQL of the confirmation schema.

Writes that come from events are ``INSERT ... ON CONFLICT`` statements: a task insert is
idempotent by (booking_id, kind), and a hotel snapshot only replaces an older one: the row
keeps the hotel's event version that wrote it and only a higher one replaces it (issue 12,
``shared.events.ordering``; never the events' clock).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.models import ConfirmationTask, HotelContact, HotelTerms
from shared.events.ordering import is_newer

PAGE_SIZE = 50
TaskRow = tuple[ConfirmationTask, str | None]


def _contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def insert_task(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """Insert a task and return its id; None if the booking already has one of this kind for
    this booking version (a redelivery; each change of a booking is its own task, IN-5)."""
    inserted = await session.execute(
        insert(ConfirmationTask)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["booking_id", "kind", "booking_version"])
        .returning(ConfirmationTask.task_id)
    )
    return inserted.scalar_one_or_none()


async def upsert_hotel_contact(
    session: AsyncSession, values: dict[str, Any], *, occurred_at: datetime, source_version: int
) -> bool:
    """Upsert a hotel's contact; False when a newer snapshot is already applied."""
    ordering = {"occurred_at": occurred_at, "source_version": source_version}
    statement = insert(HotelContact).values(**values, **ordering)
    changed = {key: statement.excluded[key] for key in (*values, *ordering) if key != "hotel_id"}
    upserted = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={**changed, "updated_at": func.now()},
            where=is_newer(statement.excluded.source_version, HotelContact.source_version),
        ).returning(HotelContact.hotel_id)
    )
    return upserted.first() is not None


async def upsert_hotel_terms(
    session: AsyncSession,
    *,
    hotel_id: uuid.UUID,
    payment_arrangement: str,
    version_no: int,
    occurred_at: datetime,
    source_version: int,
) -> bool:
    """Keep the newest signed arrangement; False when a newer one is already kept. The
    hotel's event version decides: ``version_no`` counts one contract's versions, and a hotel
    may sign a new contract whose first version is 1 again."""
    statement = insert(HotelTerms).values(
        hotel_id=hotel_id,
        payment_arrangement=payment_arrangement,
        version_no=version_no,
        occurred_at=occurred_at,
        source_version=source_version,
    )
    upserted = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={
                "payment_arrangement": statement.excluded.payment_arrangement,
                "version_no": statement.excluded.version_no,
                "occurred_at": statement.excluded.occurred_at,
                "source_version": statement.excluded.source_version,
            },
            where=is_newer(statement.excluded.source_version, HotelTerms.source_version),
        ).returning(HotelTerms.hotel_id)
    )
    return upserted.first() is not None


def _queue_query(
    *, hotel: str, states: Sequence[str] | None, city: str = "", channel: str = ""
) -> Select[ConfirmationTask, str]:
    # LEFT JOIN: a booking may arrive before its hotel's file does; it is queued all the same.
    query = select(ConfirmationTask, HotelContact.confirm_channel.label("hotel_channel")).join(
        HotelContact, HotelContact.hotel_id == ConfirmationTask.hotel_id, isouter=True
    )
    if states is not None:
        query = query.where(ConfirmationTask.state.in_(states))
    if city:
        query = query.where(HotelContact.city.ilike(_contains(city), escape="\\"))
    if channel:
        query = query.where(HotelContact.confirm_channel == channel)
    if hotel:
        pattern = _contains(hotel)
        query = query.where(
            or_(
                ConfirmationTask.hotel_name.ilike(pattern, escape="\\"),
                HotelContact.name_zh.ilike(pattern, escape="\\"),
                HotelContact.name_en.ilike(pattern, escape="\\"),
            )
        )
    return query


async def list_tasks(
    session: AsyncSession,
    *,
    hotel: str,
    states: Sequence[str] | None,
    page: int,
    city: str = "",
    channel: str = "",
) -> tuple[list[TaskRow], int]:
    """One page of tasks, earliest deadline first (CF-2), and the total matching."""
    query = _queue_query(hotel=hotel, states=states, city=city, channel=channel)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.execute(
        query.order_by(
            ConfirmationTask.deadline_at, ConfirmationTask.booked_at, ConfirmationTask.booking_ref
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return [(row[0], row[1]) for row in rows], total


async def count_in_states(session: AsyncSession, states: Sequence[str]) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(ConfirmationTask)
            .where(ConfirmationTask.state.in_(states))
        )
        or 0
    )


async def find_task(session: AsyncSession, booking_ref: str) -> TaskRow | None:
    """The booking's most recent task (a booking gets more once changes are queued, CF-1)."""
    query = _queue_query(hotel="", states=None).where(ConfirmationTask.booking_ref == booking_ref)
    row = (await session.execute(query.order_by(ConfirmationTask.created_at.desc()))).first()
    return (row[0], row[1]) if row else None
