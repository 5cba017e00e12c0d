"""The booking page (IN-4) as one piece: the booking with what each feature shows on it (the
change forms and history, IN-5; the hotel's answers, CF-3 / CF-4). Its route renders it, and
so does a refused change, which shows the same page again with the reason."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.booking import service
from services.intake.booking.placed import STATUS_TITLES
from services.intake.booking.schemas import CHANNEL_TITLES, PAYMENT_MODES
from services.intake.changes import view as changes_view
from services.intake.hotel_answers import full_house
from services.intake.special_prices.service import STATE_TITLES
from services.intake.stay_outcomes import service as stay_outcomes
from shared.auth import Staff
from shared.web import render


async def booking_page(
    request: Request, session: AsyncSession, staff: Staff, booking_ref: str
) -> Response:
    """The booking's page, with the change forms as ``request.state`` leaves them."""
    booking = await service.get_booking(session, booking_ref=booking_ref)
    # Issue 15: the confirmation desk and customer service see the page without its forms.
    read_only = not staff.has_any(frozenset(DESK_ROLES))
    changes = await changes_view.booking_page_context(request, session, booking)
    if read_only:
        changes.update(can_modify=False, can_cancel=False)
    return render(
        request.app.state.templates,
        request,
        "booking.html",
        staff,
        booking=booking,
        payment_modes=PAYMENT_MODES,
        channel_titles=CHANNEL_TITLES,
        status_titles=STATUS_TITLES,
        special_states=STATE_TITLES,
        read_only=read_only,
        # IN-5: the change and cancel forms and the history (_booking_changes.html).
        **changes,
        # CF-3 / CF-4: the hotel's answers, a full house's notice (_hotel_answers.html).
        **await full_house.booking_page_context(session, booking),
        # Issue 16: the stay's outcome from the no-show desk (_stay_outcome.html).
        **await stay_outcomes.booking_page_context(session, booking),
    )
