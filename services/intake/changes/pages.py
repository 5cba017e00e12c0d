"""The change and cancel forms and the history on the booking page, and the full history page
(IN-5). A refused change shows the booking page again with the reason and writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES, READ_ROLES
from services.intake.booking import service
from services.intake.booking import view as booking_view
from services.intake.booking.placed import STATUS_TITLES
from services.intake.bounds import BookingRef
from services.intake.changes import history as changes_history
from services.intake.changes import service as changes
from services.intake.changes.schemas import REASON_CATEGORIES, CancelRequest, ModifyRequest
from services.intake.stay_outcomes import service as stay_outcomes
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import refusal
from shared.limits import PageNumber
from shared.web import render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
ReaderStaff = Annotated[Staff, require(*DESK_ROLES, *READ_ROLES)]  # issue 15
HISTORY_PAGE_SIZE = 50
_GUEST_SEPARATORS = (",", "，", "、", ";", "；")  # agents also type Chinese punctuation
# Blank is a real value for these (the agent cleared them); other blank fields are left out.
_CLEARABLE = ("special_requests", "arrival_time")


@router.post("/bookings/{booking_ref}/modify")
async def modify_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: BookingRef
) -> Response:
    """Modify a booking from its page (IN-5)."""
    fields = await _posted(request)
    try:
        body = ModifyRequest.model_validate(_modify_data(fields))
        done = await changes.modify_booking(
            session, staff=staff, booking_ref=booking_ref, request=body
        )
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, booking_ref, exc, modify_form=fields) from exc
    return see_other(request, f"/bookings/{done.booking.booking_ref}#history")


@router.post("/bookings/{booking_ref}/cancel")
async def cancel_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: BookingRef
) -> Response:
    """Cancel a booking from its page (IN-5)."""
    fields = await _posted(request)
    try:
        body = CancelRequest.model_validate(fields)
        done = await changes.cancel_booking(
            session, staff=staff, booking_ref=booking_ref, request=body
        )
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, booking_ref, exc, cancel_form=fields) from exc
    return see_other(request, f"/bookings/{done.booking.booking_ref}#history")


@router.post("/bookings/{booking_ref}/cancel/confirm", response_class=HTMLResponse)
async def confirm_cancel_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: BookingRef
) -> Response:
    """Cancel asks first (issue 15): the booking page's cancel form comes here, which shows the
    booking and the reason once more with the button that really cancels. Writes nothing; a
    page rather than a script's dialog, so it works without script and from the keyboard."""
    fields = await _posted(request)
    try:
        CancelRequest.model_validate(fields)
        booking = await service.get_booking(session, booking_ref=booking_ref)
    except (ValidationError, DomainError) as exc:
        raise _refused(request, staff, booking_ref, exc, cancel_form=fields) from exc
    return render(
        request.app.state.templates,
        request,
        "cancel_confirm.html",
        staff,
        booking=booking,
        cancel_form=fields,
        reason_categories=REASON_CATEGORIES,
    )


@router.get("/bookings/{booking_ref}/history", response_class=HTMLResponse)
async def history_page(
    request: Request,
    session: DbSession,
    staff: ReaderStaff,
    booking_ref: BookingRef,
    page: PageNumber = 1,
) -> Response:
    """Every change of a booking, newest first, in pages (IN-5); read-only roles too."""
    booking = await service.get_booking(session, booking_ref=booking_ref)
    history = await changes_history.history(
        session, booking=booking, page=page, page_size=HISTORY_PAGE_SIZE
    )
    return render(
        request.app.state.templates,
        request,
        "booking_history.html",
        staff,
        booking=booking,
        history=history,
        reason_categories=REASON_CATEGORIES,
        status_titles=STATUS_TITLES,
        # Issue 16: the stay's outcomes head the newest page (they follow the stay).
        **(await stay_outcomes.booking_page_context(session, booking) if page == 1 else {}),
    )


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key: value.strip()
        for key, value in form.items()
        if isinstance(value, str) and key != "csrf_token" and (value.strip() or key in _CLEARABLE)
    }


def _modify_data(fields: dict[str, str]) -> dict[str, Any]:
    """Form strings to the API's shape: guest names one per line or comma separated."""
    data: dict[str, Any] = dict(fields)
    if "guest_names" in fields:
        names = fields["guest_names"]
        for separator in _GUEST_SEPARATORS:
            names = names.replace(separator, "\n")
        data["guest_names"] = names.splitlines()
    return data


def _refused(
    request: Request,
    staff: Staff,
    booking_ref: str,
    exc: ValidationError | DomainError,
    **forms: dict[str, str],
) -> FormRejected:
    """The booking page exactly as its own route renders it, with the refusal on it."""
    message, status = refusal(exc)

    async def page(session: AsyncSession) -> Response:
        request.state.change_refusal = {"error": message, **forms}
        shown = await booking_view.booking_page(request, session, staff, booking_ref)
        shown.status_code = status
        return shown

    return FormRejected(page)
