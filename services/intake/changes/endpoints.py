"""JSON API of booking changes (IN-5). Thin: parse, authorise, call one service function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from services.intake.auth import DESK_ROLES
from services.intake.bounds import BookingRef
from services.intake.changes import service as changes
from services.intake.changes.schemas import (
    CancelRequest,
    ChangedBooking,
    ChangePage,
    ModifyRequest,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.post("/api/bookings/{booking_ref}/modify", response_model=ChangedBooking)
async def api_modify_booking(
    session: DbSession, staff: DeskStaff, booking_ref: BookingRef, body: ModifyRequest
) -> Any:
    """Modify a booking (IN-5); 409 when the version is stale or a night cannot be sold."""
    return await changes.modify_booking(session, staff=staff, booking_ref=booking_ref, request=body)


@router.post("/api/bookings/{booking_ref}/cancel", response_model=ChangedBooking)
async def api_cancel_booking(
    session: DbSession, staff: DeskStaff, booking_ref: BookingRef, body: CancelRequest
) -> Any:
    """Cancel a booking with a reason (IN-5); its rooms go back to the allotment."""
    return await changes.cancel_booking(session, staff=staff, booking_ref=booking_ref, request=body)


@router.get("/api/bookings/{booking_ref}/changes", response_model=ChangePage)
async def api_booking_changes(
    session: DbSession, staff: DeskStaff, booking_ref: BookingRef, page: PageNumber = 1
) -> Any:
    """A booking's history of changes, newest first (IN-5)."""
    return await changes.history(session, booking_ref=booking_ref, page=page, page_size=50)
