"""The full-house notices of the booking desk (CF-3): the agent's open ones and "Called the
customer". Thin: parse, authorise, call one function of ``full_house.py``. The banner itself
is on the search page (``search_endpoints.search_page``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.intake.auth import DESK_ROLES
from services.intake.bounds import BookingRef
from services.intake.hotel_answers import full_house
from services.intake.hotel_answers.full_house import FullHouseNotice
from shared.auth import Staff, require
from shared.db import DbSession
from shared.web import see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/api/full-house", response_model=list[FullHouseNotice])
async def api_open_notices(session: DbSession, staff: DeskStaff) -> list[FullHouseNotice]:
    """Your bookings the hotel refused as full house that you have not yet called about (CF-3)."""
    return await full_house.open_notices(session, staff=staff)


@router.post("/api/full-house/{booking_ref}/acknowledgement", response_model=FullHouseNotice)
async def api_acknowledge(
    session: DbSession, staff: DeskStaff, booking_ref: BookingRef
) -> FullHouseNotice:
    """Record that you called the customer with alternatives (CF-3); repeating changes nothing."""
    return await full_house.acknowledge(session, staff=staff, booking_ref=booking_ref)


@router.post("/full-house/{booking_ref}/acknowledge")
async def acknowledge_form(
    request: Request, session: DbSession, staff: DeskStaff, booking_ref: BookingRef
) -> Response:
    """ "Called the customer" from the search page's banner or the booking page. A refusal
    (not his booking, no such notice) is the usual error page; nothing is written."""
    done = await full_house.acknowledge(session, staff=staff, booking_ref=booking_ref)
    return see_other(request, f"/?called={done.booking_ref}")
