"""The pricing desk's queue of special prices (IN-11): page, form posts and JSON twins.

Only hotel resources and the resources director reach these routes; agents get 403
(maker-checker: the desk that asks never approves). ``special_price.py`` checks again.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.intake.booking.schemas import BookingView
from services.intake.bounds import BookingRef, Filter, parse_page
from services.intake.special_prices import service as special_price
from services.intake.special_prices.service import PRICING_DESK, SpecialPricePage
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import _
from shared.limits import PageNumber
from shared.web import form_data, render, see_other

router = APIRouter()
PricingStaff = Annotated[Staff, require(*PRICING_DESK)]


class Decision(BaseModel):
    note: str = Field("", max_length=500)  # why: required to reject, optional to approve


@router.get("/api/special-prices", response_model=SpecialPricePage)
async def api_queue(
    session: DbSession,
    staff: PricingStaff,
    state: Literal["pending", "approved", "rejected"] = "pending",
    page: PageNumber = 1,
) -> SpecialPricePage:
    """Special prices waiting for the pricing desk, or those decided (IN-11)."""
    return await special_price.queue(session, state=state, page=page)


@router.post("/api/special-prices/{booking_ref}/approve", response_model=BookingView)
async def api_approve(
    session: DbSession, staff: PricingStaff, booking_ref: BookingRef, body: Decision
) -> Any:
    """Approve a special price: the booking goes to the confirmation desk (IN-11)."""
    return await special_price.approve(
        session, staff=staff, booking_ref=booking_ref, note=body.note
    )


@router.post("/api/special-prices/{booking_ref}/reject", response_model=BookingView)
async def api_reject(
    session: DbSession, staff: PricingStaff, booking_ref: BookingRef, body: Decision
) -> Any:
    """Reject a special price with the reason; its rooms are released (IN-11)."""
    return await special_price.reject(session, staff=staff, booking_ref=booking_ref, note=body.note)


@router.get("/special-prices", response_class=HTMLResponse)
async def queue_page(
    request: Request,
    session: DbSession,
    staff: PricingStaff,
    state: Filter = "pending",
    page: Filter = "1",
    decided: Filter = "",
) -> Response:
    """The pricing desk's queue: approve or reject each special price (IN-11)."""
    notice = _done(decided) if decided else ""
    return await _queue(request, session, staff, state=state, page=page, notice=notice)


@router.post("/special-prices/{booking_ref}/approve")
async def approve_form(
    request: Request, session: DbSession, staff: PricingStaff, booking_ref: BookingRef
) -> Response:
    """Approve from the queue page."""
    return await _decide(request, session, staff, booking_ref, "approved")


@router.post("/special-prices/{booking_ref}/reject")
async def reject_form(
    request: Request, session: DbSession, staff: PricingStaff, booking_ref: BookingRef
) -> Response:
    """Reject from the queue page; the reason is required."""
    return await _decide(request, session, staff, booking_ref, "rejected")


def _done(decided: str) -> str:
    """ "Done: BK123 approved." from ``?decided=BK123+approved`` (the outcome translated)."""
    ref, _sep, outcome = decided.rpartition(" ")
    if outcome in special_price.STATE_TITLES and ref:
        decided = f"{ref} {_(special_price.STATE_TITLES[outcome])}"
    return _("Done: %(decided)s.") % {"decided": decided}


async def _decide(
    request: Request, session: DbSession, staff: Staff, booking_ref: str, outcome: str
) -> Response:
    note = (await form_data(request)).get("note", "")
    decide = special_price.approve if outcome == "approved" else special_price.reject
    try:
        if len(note) > 500:
            raise InvalidInput(_("Keep the note under 500 characters."), field="note")
        await decide(session, staff=staff, booking_ref=booking_ref, note=note)
    except DomainError as exc:
        # Raised, so the request's session rolls back any half step (one commit rule).
        error, status = field_errors(exc), exc.status_code
        raise FormRejected(
            lambda session: _queue(request, session, staff, error=error, status=status)
        ) from exc
    return see_other(request, f"/special-prices?decided={booking_ref.upper()}+{outcome}")


async def _queue(
    request: Request,
    session: DbSession,
    staff: Staff,
    *,
    state: str = "pending",
    page: str = "1",
    notice: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    listing = None
    try:
        listing = await special_price.queue(session, state=state, page=parse_page(page))
    except DomainError as exc:
        error, status = exc.detail, exc.status_code
    return render(
        request.app.state.templates,
        request,
        "special_prices.html",
        staff,
        status_code=status,
        listing=listing,
        states=special_price.STATES,
        state_titles=special_price.STATE_TITLES,
        state=state,
        notice=notice,
        error=error,
    )
