"""The intake desk's JSON API and pages. Thin: parse, authorise, call one service function."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.booking import handle_time, service
from services.intake.booking import view as booking_view
from services.intake.booking.schemas import (
    CONFIRM_CHANNELS,
    PAYMENT_MODES,
    BookingRequest,
    BookingView,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.money import Money
from shared.web import form_data, readable_errors, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]

_GUEST_SEPARATORS = (",", "，", "、", ";", "；")  # agents also type Chinese punctuation


# --- JSON API (the search, IN-2/IN-3, is in search_endpoints.py) -------------------------


@router.post("/api/bookings", status_code=201, response_model=BookingView)
async def api_place_booking(session: DbSession, staff: DeskStaff, body: BookingRequest) -> Any:
    """Place a booking (IN-4); a repeated idempotency key returns the same booking."""
    placed = await service.place_booking(session, staff=staff, request=body)
    return placed.booking


@router.get("/api/bookings/{booking_ref}", response_model=BookingView)
async def api_get_booking(session: DbSession, staff: DeskStaff, booking_ref: str) -> Any:
    """One booking by its reference."""
    return await service.get_booking(session, booking_ref=booking_ref)


# --- pages (the search page, IN-2/IN-3, is in search_endpoints.py) ------------------------


@router.get("/book", response_class=HTMLResponse)
async def booking_form(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    rate_plan_id: uuid.UUID,
    check_in: date,
    check_out: date,
    rooms: int,
    call_id: str = "",
    call_answered_at: str = "",
    booker_phone: Annotated[str, Query(max_length=40)] = "",
    member_card: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The booking form for one rate plan and stay; starts the IN-1 handling clock.

    The telephony may open it with the call's ``call_id`` and ``call_answered_at``; they ride
    along as hidden fields and are checked when the booking is placed. The caller found on the
    search page (``booker_phone``, ``member_card``, IN-8) fills the booker's fields."""
    offer = await service.quote(
        session, rate_plan_id=rate_plan_id, check_in=check_in, check_out=check_out, rooms=rooms
    )
    fields = {
        "hotel_id": str(offer.hotel_id),
        "rate_plan_id": str(rate_plan_id),
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "rooms": str(rooms),
        "payment_mode": offer.payment_mode,
        "confirm_channel": "phone",
        "idempotency_key": str(uuid.uuid4()),  # one form, one booking, however often sent
        "form_opened_at": handle_time.form_token(staff),  # IN-1: signed, not editable
        "call_id": call_id,
        "call_answered_at": call_answered_at,
        "currency": offer.currency,  # the special price (IN-11) is typed in this currency
        "booker_phone": booker_phone.strip(),
        "member_card": member_card.strip(),
    }
    error = "" if offer.can_sell else offer.reason
    return _form_page(request, staff, fields, offer=offer, error=error)


@router.post("/bookings")
async def place_booking_form(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Place a booking from the form; on refusal show the form again and write nothing."""
    fields = await form_data(request)
    try:
        body = BookingRequest.model_validate(_request_data(fields))
        placed = await service.place_booking(session, staff=staff, request=body)
    except (ValidationError, DomainError) as exc:
        # Raised, not returned: a refused booking may have written its row before the
        # refusal, and the request's session rolls back only for a raised refusal.
        raise _refused(request, staff, fields, exc) from exc
    return see_other(request, f"/bookings/{placed.booking.booking_ref}")


@router.get("/bookings/{booking_ref}", response_class=HTMLResponse)
async def booking_page(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: str
) -> Response:
    """A placed booking."""
    return await booking_view.booking_page(request, session, staff, booking_ref)


def _request_data(fields: dict[str, str]) -> dict[str, Any]:
    """Form strings to the API's shape: guest names one per line or comma separated."""
    names = fields.get("guest_names", "")
    for separator in _GUEST_SEPARATORS:
        names = names.replace(separator, "\n")
    # CF-5: a booking typed into the agents' form was taken on the phone, whatever is posted.
    data: dict[str, Any] = {**fields, "guest_names": names.splitlines(), "source": "phone"}
    if special := fields.get("special_sell"):  # IN-11: typed per night in major units
        data["special_sell_minor"] = _minor(special, fields.get("currency", "CNY"))
    return data


def _minor(amount: str, currency: str) -> int:
    try:
        return Money.parse(amount, currency).amount_minor
    except ValueError as exc:
        raise InvalidInput(
            f"Special price: enter an amount like 580.00 ({currency}).",
            field="special_sell_minor",
        ) from exc


def _readable(exc: ValidationError | DomainError) -> str:
    return exc.detail if isinstance(exc, DomainError) else readable_errors(exc)


def _refused(
    request: Request,
    staff: Staff,
    fields: dict[str, str],
    exc: ValidationError | DomainError,
) -> FormRejected:
    status = exc.status_code if isinstance(exc, DomainError) else 422
    error = _readable(exc)

    async def page(session: AsyncSession) -> Response:
        try:
            offer = await service.quote(
                session,
                rate_plan_id=uuid.UUID(fields.get("rate_plan_id", "")),
                check_in=date.fromisoformat(fields.get("check_in", "")),
                check_out=date.fromisoformat(fields.get("check_out", "")),
                rooms=int(fields.get("rooms", "")),
            )
        except (ValueError, DomainError):
            offer = None  # the stay itself is what is wrong: show the form without prices
        return _form_page(request, staff, fields, offer=offer, error=error, status=status)

    return FormRejected(page)


def _form_page(
    request: Request,
    staff: Staff,
    fields: dict[str, str],
    *,
    offer: Any,
    error: str = "",
    status: int = 200,
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "book.html",
        staff,
        status_code=status,
        fields=fields,
        offer=offer,
        error=error,
        payment_modes=PAYMENT_MODES,
        confirm_channels=CONFIRM_CHANNELS,
    )
