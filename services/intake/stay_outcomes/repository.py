"""SQL of the stay outcomes on intake's side (issue 16). Core, like ``booking/repository.py``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.models import booking
from services.intake.stay_outcomes.models import stay_outcome, stay_outcome_entry
from shared.events.ordering import is_newer

# What the current row copies from an entry (the rest is the entry's own record).
_CURRENT = tuple(c.name for c in stay_outcome.c if c.name not in ("corrected", "updated_at"))


async def booking_exists(session: AsyncSession, booking_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(booking.c.booking_id).where(booking.c.booking_id == booking_id)
    )
    return found is not None


async def insert_entry(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Keep one outcome version; False when it is kept already (a redelivery)."""
    inserted = await session.execute(
        insert(stay_outcome_entry)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(stay_outcome_entry.c.outcome_version)
    )
    return inserted.first() is not None


async def apply_current(session: AsyncSession, entry: dict[str, Any]) -> bool:
    """Make ``entry`` the booking's outcome unless a higher outcome version holds it already
    (``shared.events.ordering``); True when it did."""
    values = {name: entry[name] for name in _CURRENT}
    values["corrected"] = entry["corrects_version"] is not None
    statement = insert(stay_outcome).values(**values)
    excluded = statement.excluded
    written = await session.execute(
        statement.on_conflict_do_update(
            index_elements=[stay_outcome.c.booking_id],
            set_={**{name: excluded[name] for name in values}, "updated_at": func.now()},
            where=is_newer(excluded.outcome_version, stay_outcome.c.outcome_version),
        ).returning(stay_outcome.c.booking_id)
    )
    return written.first() is not None


async def current(session: AsyncSession, booking_id: uuid.UUID) -> AnyRow | None:
    query = select(stay_outcome).where(stay_outcome.c.booking_id == booking_id)
    return (await session.execute(query)).first()


async def entries(session: AsyncSession, booking_id: uuid.UUID) -> list[AnyRow]:
    """Every outcome version of the booking, newest first."""
    query = (
        select(stay_outcome_entry)
        .where(stay_outcome_entry.c.booking_id == booking_id)
        .order_by(stay_outcome_entry.c.outcome_version.desc())
    )
    return list(await session.execute(query))
