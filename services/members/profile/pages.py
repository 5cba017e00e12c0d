"""The profile package's routes: the inquiry screen's JSON (CS-1). The screen itself is the
member page, ``GET /members/{member_id}`` (``services/members/pages.py``), which reads the
same view (``services.members.profile.inquiry``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.members.auth import MEMBER_ROLES
from services.members.profile.inquiry import Inquiry, inquiry
from services.members.service import MemberId
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber

router = APIRouter(tags=["members-profile"])
MemberStaff = Annotated[Staff, require(*MEMBER_ROLES)]


@router.get("/api/members/{member_id}/inquiry", response_model=Inquiry)
async def api_inquiry(
    session: DbSession,
    staff: MemberStaff,
    member_id: MemberId,
    points_page: PageNumber = 1,
    bookings_page: PageNumber = 1,
) -> Inquiry:
    """A member's call answered in one view: profile, card history, points, bookings (CS-1)."""
    return await inquiry(
        session, member_id=member_id, points_page=points_page, bookings_page=bookings_page
    )
