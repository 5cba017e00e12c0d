"""``GET /api/callers``: the booking form's caller panel asks who is calling (IN-8, IN-10)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query

from services.intake.auth import DESK_ROLES
from services.intake.bounds import FreeText
from services.intake.callers import service as callers
from services.intake.callers.service import CallerContext
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import Uuid

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
_NAME_SEPARATORS = re.compile(r"[\n,;，；、]+")  # as the booking form splits guest names


@router.get("/api/callers", response_model=CallerContext)
async def api_caller(
    session: DbSession,
    staff: DeskStaff,
    phone: Annotated[str, Query(max_length=40)] = "",
    card: Annotated[str, Query(max_length=40)] = "",
    hotel_id: Uuid | None = None,
    guests: FreeText | None = None,  # the names typed so far, as the form splits them
) -> CallerContext:
    """The caller by phone or member card: member, compensation prompt (IN-8), recent
    bookings, and frequent guests of ``hotel_id`` with the VIP request (IN-10)."""
    # No names typed yet: every frequent guest of the caller at the hotel is shown.
    names = [n for n in _NAME_SEPARATORS.split(guests or "") if n.strip()] or None
    return await callers.caller_context(
        session, phone=phone, card=card, hotel_id=hotel_id, guests=names
    )
