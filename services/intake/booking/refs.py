"""A booking reference typed on a desk form must name a booking we hold (IN-6, IN-7)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import booking
from shared.errors import InvalidInput
from shared.i18n import _


async def ensure_booking_exists(session: AsyncSession, booking_ref: str) -> None:
    """Refuse (422 naming ``booking_ref``) a reference no booking has; an empty one passes."""
    if not booking_ref:
        return
    found = await session.scalar(
        select(booking.c.booking_ref).where(booking.c.booking_ref == booking_ref)
    )
    if found is None:
        raise InvalidInput(
            _("Booking reference: no booking %(ref)s.") % {"ref": booking_ref}, field="booking_ref"
        )
