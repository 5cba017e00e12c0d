"""Collect-on-behalf slips (PAY-1, PAY-2). Stub: helper C fills this in."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.models import PayBooking


async def on_booking(session: AsyncSession, booking: PayBooking) -> None:
    """A booking placed, changed or cancelled: open, adjust or cancel its slip (PAY-1)."""
