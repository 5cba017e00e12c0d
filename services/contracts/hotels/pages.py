"""The hotel-resources desk's HTML pages: hotel list, new hotel, and the hotel's file.

Form posts redirect (303) back to the hotel page with a notice on success. Bad input re-renders
the form with the typed values and a message naming the field (422, or the domain error's own
status, e.g. 409 for HR-4), after rolling the session back so nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.hotels import complaints, photos, service
from services.contracts.hotels.repository import PAGE_SIZE
from services.contracts.hotels.schemas import (
    FIELD_LABELS,
    AllotmentIn,
    HotelIn,
    HotelStatusIn,
    RatePlanIn,
    RatesForm,
    RoomTypeIn,
)
from services.contracts.models import Hotel
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import PageNumber
from shared.money import exponent
from shared.web import form_data, form_lists, render, see_other

router = APIRouter(include_in_schema=False)
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
FormAction = Callable[[dict[str, Any], Hotel], Awaitable[str]]

# Notices after a redirect are chosen by code, so a link cannot put arbitrary text on the page.
# Translated when shown (the person's language).
NOTICES = {
    "created": N_("Hotel created and published to the booking desk."),
    "photo": N_("Saved: photo added to the hotel's file."),
    "room_type": N_("Saved: room type added and published to the booking desk."),
    "rate_plan": N_("Saved: rate plan added and published to the booking desk."),
    "allotment": N_("Saved: allotment set and published to the booking desk."),
    "rates": N_("Saved: prices set and published to the booking desk."),
    "suspended": N_("Saved: hotel suspended; the booking desk can no longer sell it."),
    "active": N_("Saved: hotel active; the booking desk can sell it."),
    "prospective": N_("Saved: hotel filed as prospective (not sellable)."),
    "member_request": N_("Saved: one more member asked for this hotel."),  # HR-13
}
CALENDAR_NIGHTS = 14


@dataclass(frozen=True, slots=True)
class GridRow:
    label: str
    kind: str  # "rooms" or "price": styles the row
    cells: list[str]


def _amount(minor: int, currency: str) -> str:
    value = Decimal(minor).scaleb(-exponent(currency))
    return (
        f"{value:,.0f}"
        if value == value.to_integral_value()
        else f"{value:,.{exponent(currency)}f}"
    )


def _grid(file: service.HotelFile, calendar: service.HotelCalendar) -> list[GridRow]:
    """Rows of the next-nights table: rooms per room type, then sell and net per rate plan."""
    currency, rows = file.hotel.currency, []
    for room_type in file.room_types:
        rooms = [calendar.rooms.get((room_type.room_type_id, n)) for n in calendar.nights]
        cells = ["–" if r is None else str(r) for r in rooms]
        label = _("%(room_type)s: rooms") % {"room_type": room_type.name}
        rows.append(GridRow(label, "rooms", cells))
        for plan in (p for p in file.rate_plans if p.room_type_id == room_type.room_type_id):
            prices = [calendar.prices.get((plan.rate_plan_id, n)) for n in calendar.nights]
            for index, what in ((1, _("%(rate_plan)s: sell")), (0, _("%(rate_plan)s: net"))):
                cells = ["–" if p is None else _amount(p[index], currency) for p in prices]
                rows.append(GridRow(what % {"rate_plan": plan.name}, "price", cells))
    return rows


async def _hotel_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    file = await service.hotel_file(session, hotel_id=hotel_id)
    calendar = await service.hotel_calendar(
        session, hotel_id=hotel_id, first_night=clock.today(), nights=CALENDAR_NIGHTS
    )
    return render(
        request.app.state.templates,
        request,
        "hotel.html",
        staff,
        status_code=status,
        hotel=file.hotel,
        room_types=file.room_types,
        rate_plans=file.rate_plans,
        nights=calendar.nights,
        grid=_grid(file, calendar),
        photos=await photos.photos_of(session, hotel_id),
        complaints=await complaints.hotel_complaints(session, hotel_id=hotel_id),
        **{"values": {}, "failed": "", **context},
    )


@router.get("/", response_class=HTMLResponse)
async def hotel_list(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[PageNumber, Query()] = 1,
) -> Response:
    """Hotels, searchable by city, district or name, 50 to a page."""
    hotels, total = await service.search_hotels(session, text=q, page=page)
    return render(
        request.app.state.templates,
        request,
        "hotels.html",
        staff,
        hotels=hotels,
        q=q,
        page=page,
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("/hotels/new", response_class=HTMLResponse)
async def hotel_new(request: Request, staff: DeskStaff) -> Response:
    """The new-hotel form."""
    return render(request.app.state.templates, request, "hotel_new.html", staff, values={})


@router.post("/hotels")
async def hotel_create(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Create a hotel from the form."""
    values = await form_data(request)
    try:
        hotel = await service.create_hotel(
            session, actor=staff, data=HotelIn.model_validate(values)
        )
    except (ValidationError, DomainError) as exc:
        error, status = _error_of(exc)
        form = render(
            request.app.state.templates,
            request,
            "hotel_new.html",
            staff,
            status_code=status,
            values=values,
            error=error,
        )
        raise FormRejected(form) from exc
    return _back_to_hotel(request, hotel.hotel_id, "created")


@router.get("/hotels/{hotel_id}", response_class=HTMLResponse)
async def hotel_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    hotel_id: uuid.UUID,
    notice: str = "",
) -> Response:
    """A hotel's file: room types, rate plans and the next 14 nights' allotment and prices."""
    shown = _(NOTICES[notice]) if notice in NOTICES else ""
    return await _hotel_page(request, session, staff, hotel_id, notice=shown)


def _error_of(exc: Exception) -> tuple[FieldErrors, int]:
    assert isinstance(exc, ValidationError | DomainError)
    return refusal(exc, labels={k: _(v) for k, v in FIELD_LABELS.items()})


def _back_to_hotel(request: Request, hotel_id: uuid.UUID, notice: str) -> Response:
    return see_other(request, f"/hotels/{hotel_id}?notice={notice}")


async def _post_to_hotel(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    *,
    form: str,
    action: FormAction,
) -> Response:
    """Run one hotel-page form: redirect with a notice, or show the form again with the error."""
    hotel = await service.get_hotel(session, hotel_id=hotel_id)
    values: dict[str, Any] = {**await form_data(request), **await form_lists(request, "weekdays")}
    try:
        notice = await action(values, hotel)
    except (ValidationError, DomainError) as exc:
        error, status = _error_of(exc)
        raise FormRejected(
            lambda session: _hotel_page(
                request,
                session,
                staff,
                hotel_id,
                status=status,
                error=error,
                failed=form,
                values=values,
            )
        ) from exc
    return _back_to_hotel(request, hotel_id, notice)


@router.post("/hotels/{hotel_id}/room-types")
async def room_type_add(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Add a room type from the hotel page."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        data = RoomTypeIn.model_validate(values)
        await service.add_room_type(session, actor=staff, hotel_id=hotel.hotel_id, data=data)
        return "room_type"

    return await _post_to_hotel(request, session, staff, hotel_id, form="room_type", action=action)


@router.post("/hotels/{hotel_id}/rate-plans")
async def rate_plan_add(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Add a rate plan to one of the hotel's room types."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        data = RatePlanIn.model_validate(values)
        await service.add_rate_plan(session, actor=staff, hotel_id=hotel.hotel_id, data=data)
        return "rate_plan"

    return await _post_to_hotel(request, session, staff, hotel_id, form="rate_plan", action=action)


@router.post("/hotels/{hotel_id}/allotments")
async def allotment_set(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Set a room type's allotment over a range of nights (HR-2)."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        data = AllotmentIn.model_validate(values)
        await service.set_allotment(session, actor=staff, data=data, hotel_id=hotel.hotel_id)
        return "allotment"

    return await _post_to_hotel(request, session, staff, hotel_id, form="allotment", action=action)


@router.post("/hotels/{hotel_id}/rates")
async def rates_set(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Set a rate plan's net and sell prices over a range of nights (HR-4: sell >= net)."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        typed = RatesForm.model_validate(values, context={"currency": hotel.currency})
        await service.set_rates(
            session, actor=staff, data=typed.to_input(), hotel_id=hotel.hotel_id
        )
        return "rates"

    return await _post_to_hotel(request, session, staff, hotel_id, form="rates", action=action)


@router.post("/hotels/{hotel_id}/member-requests")
async def member_request_add(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Count one more member asking for this prospective hotel (HR-13)."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        await service.count_member_request(session, actor=staff, hotel_id=hotel.hotel_id)
        return "member_request"

    return await _post_to_hotel(request, session, staff, hotel_id, form="status", action=action)


@router.post("/hotels/{hotel_id}/status")
async def hotel_status_set(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: uuid.UUID
) -> Response:
    """Suspend the hotel (not sellable, HR-10) or make it active again."""

    async def action(values: dict[str, Any], hotel: Hotel) -> str:
        data = HotelStatusIn.model_validate(values)
        await service.set_hotel_status(
            session,
            actor=staff,
            hotel_id=hotel.hotel_id,
            status=data.status,
            summary=data.summary,
        )
        return data.status

    return await _post_to_hotel(request, session, staff, hotel_id, form="status", action=action)
