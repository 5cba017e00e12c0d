"""Booking changes in contracts' own record of sold nights (HR-11, IN-5).

``rankings.sold_night`` holds one row per booked night from ``intake.booking_placed``
(``rankings.on_booking_placed``, reached through ``on_booking_placed`` here). A
modification replaces the booking's rows with its nights as they now stand (shortened nights
leave the ranking, new ones join at their price); a cancellation removes them all.

Intake's events may be handled in any order, so every handler first claims the booking's row
in ``sold_booking`` with the booking version it carries (placement = 1). Only a higher
version than the one recorded gets through; the claim's row lock also makes two handlers of
one booking run one after the other. So a placement handled after its cancellation adds
nothing, and a late older modification never overwrites a newer one.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.reports import rankings
from services.contracts.reports.models import sold_booking, sold_night
from shared.events import Envelope
from shared.events.intake import BookingCancelledV1, BookingModifiedV1, BookingPlacedV1
from shared.limits import INT32_MAX
from shared.observability import get_logger

log = get_logger("contracts.sold_changes")


async def claim(
    session: AsyncSession, booking_id: uuid.UUID, version: int, *, cancelled: bool = False
) -> bool:
    """Record that ``version`` of the booking is applied; False if it, or a newer one, was.
    A version no Integer column holds is refused naming it (issue 14), not by the database."""
    if not 1 <= version <= INT32_MAX:
        raise rankings.OutOfRange(f"booking {booking_id}: booking_version {version} out of range")
    statement = insert(sold_booking).values(
        booking_id=booking_id, booking_version=version, cancelled=cancelled
    )
    claimed = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["booking_id"],
            set_={
                "booking_version": statement.excluded.booking_version,
                "cancelled": statement.excluded.cancelled,
                "updated_at": func.now(),
            },
            where=sold_booking.c.booking_version < statement.excluded.booking_version,
        ).returning(sold_booking.c.booking_id)
    )
    return claimed.first() is not None


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    """The placement is version 1: recorded unless a change of the booking came first."""
    event = envelope.parse()
    assert isinstance(event, BookingPlacedV1)
    if not await claim(session, event.booking_id, 1):
        log.info("sold_booking_stale", booking_ref=event.booking_ref)
        return
    await rankings.on_booking_placed(session, envelope)


async def on_booking_modified(session: AsyncSession, envelope: Envelope) -> None:
    """The booking's sold nights become its nights after the change."""
    event = envelope.parse()
    assert isinstance(event, BookingModifiedV1)
    if not await claim(session, event.booking_id, event.booking_version):
        log.info("sold_booking_stale", booking_ref=event.booking_ref)
        return
    rows = rankings.sold_rows(event)  # checked before anything is deleted (issue 14)
    await session.execute(delete(sold_night).where(sold_night.c.booking_id == event.booking_id))
    if rows:
        await session.execute(insert(sold_night).values(rows))


async def on_booking_cancelled(session: AsyncSession, envelope: Envelope) -> None:
    """A cancelled booking sold nothing: its nights leave the ranking."""
    event = envelope.parse()
    assert isinstance(event, BookingCancelledV1)
    if not await claim(session, event.booking_id, event.booking_version, cancelled=True):
        log.info("sold_booking_stale", booking_ref=event.booking_ref)
        return
    await session.execute(delete(sold_night).where(sold_night.c.booking_id == event.booking_id))
