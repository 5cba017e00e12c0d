"""Finding bookings (issue 15): the search box's results page and JSON, and the agent's own
lists. Thin: parse, authorise, call one function of ``service.py``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from services.intake.auth import DESK_ROLES, READ_ROLES
from services.intake.booking.placed import STATUS_TITLES
from services.intake.lookup import service
from services.intake.lookup.service import Found
from shared.auth import Staff, require
from shared.db import DbSession
from shared.i18n import N_, _
from shared.limits import PageNumber, SearchText
from shared.web import render

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
# The confirmation desk and customer service find a booking too, and open it read-only.
FinderStaff = Annotated[Staff, require(*DESK_ROLES, *READ_ROLES)]

LISTS = {
    "today": N_("My bookings today"),
    "pending": N_("My pending bookings"),
}


class FoundBooking(BaseModel):
    booking_ref: str
    hotel_name: str
    check_in: date
    check_out: date
    rooms: int
    guest_names: list[str]
    booker_name: str
    status: str


class FoundPage(BaseModel):
    bookings: list[FoundBooking]
    page: int
    has_next: bool


@router.get("/api/lookup", response_model=FoundPage)
async def api_find(
    session: DbSession, staff: FinderStaff, q: SearchText = "", page: PageNumber = 1
) -> FoundPage:
    """Bookings by reference, phone (any spelling), member card or name (Chinese or pinyin)."""
    found = await service.find(session, q, page)
    return FoundPage(
        bookings=[FoundBooking.model_validate(row, from_attributes=True) for row in found.rows],
        page=found.page,
        has_next=found.has_next,
    )


@router.get("/find", response_class=HTMLResponse)
async def find_page(
    request: Request,
    session: DbSession,
    staff: FinderStaff,
    q: SearchText = "",
    page: PageNumber = 1,
) -> Response:
    """The search box's results: each booking a link to its page (issue 15)."""
    found = await service.find(session, q, page) if q.strip() else None
    return _list_page(request, staff, found, q=q.strip(), path="/find")


@router.get("/my/today", response_class=HTMLResponse)
async def my_today(
    request: Request, session: DbSession, staff: DeskStaff, page: PageNumber = 1
) -> Response:
    """The agent's own bookings placed today."""
    found = await service.made_today(session, staff.username, page)
    return _list_page(request, staff, found, listed="today", path="/my/today")


@router.get("/my/pending", response_class=HTMLResponse)
async def my_pending(
    request: Request, session: DbSession, staff: DeskStaff, page: PageNumber = 1
) -> Response:
    """The agent's bookings not yet confirmed by the hotel, or waiting for their call back."""
    found = await service.pending(session, staff.username, page)
    return _list_page(request, staff, found, listed="pending", path="/my/pending")


def _list_page(
    request: Request,
    staff: Staff,
    found: Found | None,
    *,
    path: str,
    q: str = "",
    listed: str = "",
) -> Response:
    if listed:
        heading = _(LISTS[listed])
    elif q:
        heading = _("Bookings matching “%(q)s”") % {"q": q}
    else:
        heading = _("Find a booking")
    return render(
        request.app.state.templates,
        request,
        "find.html",
        staff,
        found=found,
        find_q=q,  # the header's box shows it (_find_booking.html)
        listed=listed,
        heading=heading,
        path=path,
        status_titles=STATUS_TITLES,
    )
