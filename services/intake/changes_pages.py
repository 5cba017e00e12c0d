"""The change and cancel forms and the history on the booking page, and the full history page
(IN-5). A refused change shows the booking page again with the reason and writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import changes, changes_history, service
from services.intake.auth import DESK_ROLES
from services.intake.changes_checks import CHANGEABLE
from services.intake.changes_schemas import REASON_CATEGORIES, CancelRequest, ModifyRequest
from services.intake.schemas import BookingView
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError
from shared.web import readable_errors, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]
TIMELINE_SIZE = 10  # the booking page shows the latest; the history page has them all
HISTORY_PAGE_SIZE = 50
_GUEST_SEPARATORS = (",", "，", "、", ";", "；")  # agents also type Chinese punctuation
# Blank is a real value for these (the agent cleared them); other blank fields are left out.
_CLEARABLE = ("special_requests", "arrival_time")


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


@router.post("/bookings/{booking_ref}/modify")
async def modify_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: str
) -> Response:
    """Modify a booking from its page (IN-5)."""
    fields = await _posted(request)
    try:
        body = ModifyRequest.model_validate(_modify_data(fields))
        done = await changes.modify_booking(
            session, staff=staff, booking_ref=booking_ref, request=body
        )
    except (ValidationError, DomainError) as exc:
        await session.rollback()  # the dependency would commit whatever ran before the refusal
        return await _refused(request, session, staff, booking_ref, exc, modify_form=fields)
    return see_other(request, f"/bookings/{done.booking.booking_ref}#history")


@router.post("/bookings/{booking_ref}/cancel")
async def cancel_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: str
) -> Response:
    """Cancel a booking from its page (IN-5)."""
    fields = await _posted(request)
    try:
        body = CancelRequest.model_validate(fields)
        done = await changes.cancel_booking(
            session, staff=staff, booking_ref=booking_ref, request=body
        )
    except (ValidationError, DomainError) as exc:
        await session.rollback()
        return await _refused(request, session, staff, booking_ref, exc, cancel_form=fields)
    return see_other(request, f"/bookings/{done.booking.booking_ref}#history")


@router.get("/bookings/{booking_ref}/history", response_class=HTMLResponse)
async def history_page(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: str, page: PageNumber = 1
) -> Response:
    """Every change of a booking, newest first, in pages (IN-5)."""
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


async def _refused(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    booking_ref: str,
    exc: ValidationError | DomainError,
    **forms: dict[str, str],
) -> Response:
    """The booking page exactly as its own route renders it, with the refusal on it."""
    from services.intake.endpoints import booking_page  # imports this module: import late

    message = exc.detail if isinstance(exc, DomainError) else readable_errors(exc)
    request.state.change_refusal = {"error": message, **forms}
    page = await booking_page(request, session, staff, booking_ref)
    page.status_code = exc.status_code if isinstance(exc, DomainError) else 422
    return page
