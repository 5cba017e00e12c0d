"""The hotel side of a stay (PAY-3, PAY-4). Stub: helper D fills this in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import PayBooking
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1


async def apply_stay_outcome(
    session: AsyncSession, outcome: StayCompletedV1 | NoShowRecordedV1
) -> None:
    """Post what the outcome means for the hotel and for us; a newer version replaces an
    older one's postings by reversing them (NS-3)."""


async def on_booking_cancelled(session: AsyncSession, booking: PayBooking) -> None:
    """A cancelled booking: reverse what was posted for it, owe back what the guest paid."""
