"""The month's recommended hotels as agents see them (HR-6, IN-2): approved by the
resources director in contracts, announced by event, kept here as a small projection."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.models import recommended_hotel
from shared.events import Envelope
from shared.events.contracts import RecommendationApprovedV1


async def on_recommendation_approved(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, RecommendationApprovedV1)
    await session.execute(
        insert(recommended_hotel)
        .values(hotel_id=event.hotel_id, month=event.month.replace(day=1), city=event.city)
        .on_conflict_do_nothing()
    )


async def recommended_in(session: AsyncSession, *, month_of: date) -> set[uuid.UUID]:
    """Hotels recommended for the month a stay starts in."""
    rows = await session.execute(
        select(recommended_hotel.c.hotel_id).where(
            recommended_hotel.c.month == month_of.replace(day=1)
        )
    )
    return {row.hotel_id for row in rows}
