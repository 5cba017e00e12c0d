"""What the booking page shows of a booking's changes (IN-5): the change and cancel forms
with their defaults (or as typed, after a refusal) and the latest changes. Read by the booking
page; the form posts live in ``changes_pages``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.schemas import BookingView
from services.intake.changes import history as changes_history
from services.intake.changes.checks import CHANGEABLE
from services.intake.changes.schemas import REASON_CATEGORIES
from shared.clock import clock

TIMELINE_SIZE = 10  # the booking page shows the latest; the history page has them all


async def booking_page_context(
    request: Request, session: AsyncSession, booking: BookingView
) -> dict[str, Any]:
    """What ``_booking_changes.html`` (included by booking.html) needs. After a refused
    change, ``request.state.change_refusal`` carries the message and the forms as typed."""
    refusal: dict[str, Any] = getattr(request.state, "change_refusal", {})
    today = clock.today()
    changeable = booking.status in CHANGEABLE and booking.check_out >= today
    return {
        "change_history": await changes_history.history(
            session, booking=booking, page_size=TIMELINE_SIZE
        ),
        "reason_categories": REASON_CATEGORIES,
        "can_modify": changeable,
        "can_cancel": changeable and booking.check_in >= today,
        "modify_form": refusal.get("modify_form") or _modify_defaults(booking),
        "cancel_form": refusal.get("cancel_form") or {"version": str(booking.version)},
        "change_error": refusal.get("error", ""),
    }


def _modify_defaults(booking: BookingView) -> dict[str, str]:
    return {
        "version": str(booking.version),
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "rooms": str(booking.rooms),
        "guest_names": "\n".join(booking.guest_names),
        "special_requests": booking.special_requests,
        "arrival_time": booking.arrival_time,
    }
