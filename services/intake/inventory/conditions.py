"""Each hotel's conditions as agents read them (HR-8), from ``contracts.conditions_published``."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.models import hotel_conditions
from shared.events import Envelope
from shared.events.contracts import ConditionsPublishedV1
from shared.events.ordering import is_newer, source_version


async def on_conditions_published(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, ConditionsPublishedV1)
    statement = insert(hotel_conditions).values(
        hotel_id=event.hotel_id,
        summary=[c.summary() for c in event.conditions],
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )
    # A full list each time: the newest replaces, an older one arriving late is ignored
    # (by the hotel's event version, issue 12).
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={
                "summary": statement.excluded.summary,
                "occurred_at": statement.excluded.occurred_at,
                "source_version": statement.excluded.source_version,
            },
            where=is_newer(statement.excluded.source_version, hotel_conditions.c.source_version),
        )
    )


async def conditions_by_hotel(
    session: AsyncSession, hotel_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(hotel_conditions).where(hotel_conditions.c.hotel_id.in_(hotel_ids))
    )
    return {row.hotel_id: list(row.summary) for row in rows}
