"""The rates-and-inventory calendar of a hotel (HR-2, IN-2): room types x the next 28 nights
with rooms, room status, stop-sell, minimum stay, closed to arrival / departure and release,
and a bulk-edit form over a range and chosen weekdays; plus ``PUT /api/restrictions``.

A bulk edit sets only the fields filled in: blank number fields and "keep" choices leave each
night's value as it is. Bad input re-renders the page with the typed values and a message
(422, or 404 for a room type of another hotel) after rolling back, so nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.grid import restrictions
from services.contracts.grid.restrictions import DEFAULTS, RestrictionsIn
from services.contracts.hotels import repository, service
from services.contracts.hotels.schemas import MAX_RANGE_NIGHTS
from shared.auth import Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_, _
from shared.limits import Uuid
from shared.web import form_data, form_lists, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
CALENDAR_NIGHTS = 28
# Short, so 28 nights fit a 1366 px screen; the cell's colour says the same (calendar.html).
STATUS_LABELS = {"available": N_("avail"), "on_request": N_("req"), "full": N_("FULL")}


class RestrictionsOut(BaseModel):
    room_type_id: uuid.UUID
    nights: int


@dataclass(frozen=True, slots=True)
class CalendarRow:
    label: str
    # "rooms" starts a room type's block; the others style its restriction rows ("flags": CTA
    # and CTD, stacked in the cell when both are set, so a night's column stays narrow).
    kind: str
    cells: list[str]
    # Per cell, what colours it: the room status ("available", "on_request", "full"), "stop"
    # for a stop-sell night, "" for none. Empty: no colour in the row.
    marks: list[str] = field(default_factory=list)


def _rows(
    room_type: Any, nights: list[Any], rooms: dict[Any, int], set_: dict[Any, Any]
) -> list[CalendarRow]:
    """A room type's block of the grid: rooms, then one row per restriction."""
    key = room_type.room_type_id

    def value(night: Any, name: str) -> Any:
        return set_.get((key, night), DEFAULTS)[name]

    def flag(night: Any) -> str:
        marks = ("CTA", "closed_to_arrival"), ("CTD", "closed_to_departure")
        return "/".join(mark for mark, name in marks if value(night, name)) or "–"

    room_cells = [str(rooms[(key, n)]) if (key, n) in rooms else "–" for n in nights]
    statuses = [value(n, "room_status") for n in nights]
    stops = ["stop" if value(n, "stop_sell") else "" for n in nights]
    return [
        CalendarRow(_("%(room_type)s: rooms") % {"room_type": room_type.name}, "rooms", room_cells),
        CalendarRow(_("status"), "status", [_(STATUS_LABELS[s]) for s in statuses], statuses),
        CalendarRow(_("stop-sell"), "stop", [_("STOP") if s else "" for s in stops], stops),
        CalendarRow(_("min stay"), "rule", [str(value(n, "min_stay")) for n in nights]),
        CalendarRow(_("CTA / CTD"), "flags", [flag(n) for n in nights]),
        CalendarRow(_("release (days)"), "rule", [str(value(n, "release_days")) for n in nights]),
    ]


async def _page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    hotel_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | FieldErrors = "",
    values: dict[str, Any] | None = None,
    notice: str = "",
) -> Response:
    hotel = await service.get_hotel(session, hotel_id=hotel_id)
    room_types = await repository.room_types(session, hotel_id)
    first = clock.today()
    calendar = await service.hotel_calendar(
        session, hotel_id=hotel_id, first_night=first, nights=CALENDAR_NIGHTS
    )
    last = first + timedelta(days=CALENDAR_NIGHTS - 1)
    set_ = await restrictions.restrictions_of(
        session, [t.room_type_id for t in room_types], first, last
    )
    rows = [row for t in room_types for row in _rows(t, calendar.nights, calendar.rooms, set_)]
    return render(
        request.app.state.templates,
        request,
        "calendar.html",
        staff,
        status_code=status,
        hotel=hotel,
        room_types=room_types,
        nights=calendar.nights,
        rows=rows,
        statuses=restrictions.ROOM_STATUSES,
        error=error,
        notice=notice,
        values=values or {},
    )


@router.get("/hotels/{hotel_id}/calendar", response_class=HTMLResponse)
async def calendar_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    hotel_id: Uuid,
    saved: Annotated[int, Query(ge=0, le=MAX_RANGE_NIGHTS)] = 0,
) -> Response:
    """The hotel's next 28 nights: rooms and sales restrictions per room type (IN-2)."""
    notice = (
        _("Saved: %(n)s night(s) set and published to the booking desk.") % {"n": saved}
        if saved
        else ""
    )
    return await _page(request, session, staff, hotel_id, notice=notice)


async def _posted(request: Request) -> dict[str, Any]:
    """The form as a ``RestrictionsIn`` body: blank fields dropped (kept as they are)."""
    return {**await form_data(request), **await form_lists(request, "weekdays")}


@router.post("/hotels/{hotel_id}/calendar")
async def calendar_set(
    request: Request, session: DbSession, staff: DeskStaff, hotel_id: Uuid
) -> Response:
    """Set restrictions on the chosen weekdays of a range of nights, from the calendar page."""
    await service.get_hotel(session, hotel_id=hotel_id)
    values = await _posted(request)
    try:
        data = RestrictionsIn.model_validate(values)
        nights = await restrictions.set_restrictions(
            session, actor=staff, data=data, hotel_id=hotel_id
        )
    except (ValidationError, DomainError) as exc:
        error = field_errors(exc)
        code = 422 if isinstance(exc, ValidationError) else exc.status_code
        raise FormRejected(
            lambda session: _page(
                request, session, staff, hotel_id, status=code, error=error, values=values
            )
        ) from exc
    return see_other(request, f"/hotels/{hotel_id}/calendar?saved={nights}")


@router.put("/api/restrictions", tags=["contracts"])
async def api_restrictions(
    data: RestrictionsIn, session: DbSession, staff: DeskStaff
) -> RestrictionsOut:
    """Set a room type's restrictions on the chosen weekdays of an inclusive range (IN-2)."""
    nights = await restrictions.set_restrictions(session, actor=staff, data=data)
    return RestrictionsOut(room_type_id=data.room_type_id, nights=nights)
