"""The intake desk's JSON API and pages. Thin: parse, authorise, call one service function."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES, READ_ROLES
from services.intake.booking import handle_time, service
from services.intake.booking import view as booking_view
from services.intake.booking.schemas import (
    CHANNEL_TITLES,
    CONFIRM_CHANNELS,
    PAYMENT_MODES,
    BookingFormRequest,
    BookingFormView,
    BookingRequest,
    BookingView,
)
from services.intake.bounds import BookingRef, Rooms
from services.intake.callers import service as callers
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import FieldErrors, Problem, field_errors
from shared.i18n import N_, _
from shared.limits import BusinessDate, Uuid, parse_day
from shared.money import Money
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
ReaderStaff = Annotated[Staff, require(*DESK_ROLES, *READ_ROLES)]

_GUEST_SEPARATORS = (",", "，", "、", ";", "；")  # agents also type Chinese punctuation


# --- JSON API (the search, IN-2/IN-3, is in search_endpoints.py) -------------------------


@router.post("/api/bookings", status_code=201, response_model=BookingView)
async def api_place_booking(session: DbSession, staff: DeskStaff, body: BookingRequest) -> Any:
    """Place a booking (IN-4); a repeated idempotency key returns the same booking."""
    placed = await service.place_booking(session, staff=staff, request=body)
    return placed.booking


@router.post("/api/booking-forms", status_code=201, response_model=BookingFormView)
async def api_open_booking_form(
    session: DbSession, staff: DeskStaff, body: BookingFormRequest
) -> Any:
    """Open a booking form (IN-1) for an API client; send its ``form_id`` with the booking.
    The handle time runs from here, or from the call's answer bounded by this moment."""
    if body.call_answered_at is not None and not body.call_id:
        raise InvalidInput(_("Give the call's id with its answer time."), field="call_id")
    form = await handle_time.open_form(
        session, staff, call_id=body.call_id, claimed_answered_at=body.call_answered_at,
        now=clock.now(),
    )  # fmt: skip
    handling = handle_time.handling_of_form(form)
    return BookingFormView(
        form_id=form.form_id, opened_at=form.opened_at, call_id=form.call_id,
        handling_started_at=handling.started_at, handling_source=handling.source,
    )  # fmt: skip


@router.get("/api/bookings/{booking_ref}", response_model=BookingView)
async def api_get_booking(session: DbSession, staff: DeskStaff, booking_ref: BookingRef) -> Any:
    """One booking by its reference."""
    return await service.get_booking(session, booking_ref=booking_ref)


# --- pages (the search page, IN-2/IN-3, is in search_endpoints.py) ------------------------


@router.get("/book", response_class=HTMLResponse)
async def booking_form(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    rate_plan_id: Uuid,
    check_in: BusinessDate,
    check_out: BusinessDate,
    rooms: Rooms,
    call_id: Annotated[str, Query(max_length=64)] = "",
    # Parsed leniently (handle_time.claimed_time): an unreadable time counts as the opening.
    call_answered_at: Annotated[str, Query(max_length=40)] = "",
    booker_phone: Annotated[str, Query(max_length=40)] = "",
    member_card: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The booking form for one rate plan and stay; starts the IN-1 handling clock.

    The telephony may open it with the call's ``call_id`` and ``call_answered_at``; they are
    recorded server-side with the opening (the answer time bounded by it, handle_time.py) and
    the form carries only the record's ``form_id``. The caller found on the
    search page (``booker_phone``, ``member_card``, IN-8) fills the booker's fields, and the
    member (or the caller's last booker) the booker's name and the first room's guest: the
    agent types only what the caller changes (issue 15: a call in 30 keystrokes)."""
    offer = await service.quote(
        session, rate_plan_id=rate_plan_id, check_in=check_in, check_out=check_out, rooms=rooms
    )
    form = await handle_time.open_form(
        session, staff, call_id=call_id.strip() or None,
        claimed_answered_at=handle_time.claimed_time(call_answered_at), now=clock.now(),
    )  # fmt: skip
    fields = {
        "hotel_id": str(offer.hotel_id),
        "rate_plan_id": str(rate_plan_id),
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "rooms": str(rooms),
        "payment_mode": offer.payment_mode,
        "confirm_channel": "phone",
        "idempotency_key": str(uuid.uuid4()),  # one form, one booking, however often sent
        "form_id": str(form.form_id),  # IN-1: the opening is recorded server-side
        "call_id": form.call_id or "",
        "currency": offer.currency,  # the special price (IN-11) is typed in this currency
        "booker_phone": booker_phone.strip(),
        "member_card": member_card.strip(),
    }
    known = await callers.known_booker(session, phone=booker_phone, card=member_card)
    if known is not None:
        fields |= {"booker_name": known.name, "guest_names": known.name}
        fields["member_card"] = fields["member_card"] or known.card_no
    error = "" if offer.can_sell else offer.reason
    return _form_page(request, staff, fields, offer=offer, error=error)


@router.post("/bookings")
async def place_booking_form(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Place a booking from the form; on refusal show the form again and write nothing."""
    fields = await form_data(request)
    try:
        if not fields.get("form_id"):  # IN-1: the page always sends its form's id
            raise InvalidInput(
                _("This booking form has no id; open it again from the search."), field="form_id"
            )
        body = BookingRequest.model_validate(_request_data(fields))
        placed = await service.place_booking(session, staff=staff, request=body)
    except (ValidationError, DomainError) as exc:
        # Raised, not returned: a refused booking may have written its row before the
        # refusal, and the request's session rolls back only for a raised refusal.
        raise _refused(request, staff, fields, exc) from exc
    return see_other(request, f"/bookings/{placed.booking.booking_ref}")


@router.get("/bookings/{booking_ref}", response_class=HTMLResponse)
async def booking_page(
    request: Request, session: DbSession, staff: ReaderStaff, booking_ref: BookingRef
) -> Response:
    """A placed booking; read-only for the confirmation desk and customer service (issue 15)."""
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
    except (ValueError, ArithmeticError) as exc:  # 1e40, Infinity: decimal's own errors
        raise InvalidInput(
            _("Special price: enter an amount like 580.00 (%(currency)s).")
            % {"currency": currency},
            field="special_sell_minor",
        ) from exc


# The model's field typed in another form field: the special price is typed in major units.
_FORM_NAMES = {"special_sell_minor": "special_sell"}
NO_GUEST = N_("Enter at least one guest name.")


def _readable(exc: ValidationError | DomainError, fields: dict[str, str]) -> FieldErrors:
    errors = field_errors(exc, names=_FORM_NAMES)
    # The guest-name check (fields.py) runs only once the schema passed: a form refused for
    # another field names the missing guests too, so the agent fixes both at once.
    named = any(p.field == "guest_names" for p in errors.problems)
    if not named and not _request_data(fields)["guest_names"] and isinstance(exc, ValidationError):
        errors.problems.append(Problem("guest_names", _(NO_GUEST)))
    return errors


def _refused(
    request: Request,
    staff: Staff,
    fields: dict[str, str],
    exc: ValidationError | DomainError,
) -> FormRejected:
    status = exc.status_code if isinstance(exc, DomainError) else 422
    error = _readable(exc, fields)

    async def page(session: AsyncSession) -> Response:
        try:
            offer = await service.quote(
                session,
                rate_plan_id=uuid.UUID(fields.get("rate_plan_id", "")),
                check_in=parse_day(fields.get("check_in", "")),
                check_out=parse_day(fields.get("check_out", "")),
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
    error: str | FieldErrors = "",
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
        channel_titles=CHANNEL_TITLES,
    )
