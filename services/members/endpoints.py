"""The members desk's JSON API (CS-1, IN-8). Thin: parse, authorise, call one service function.

Pages are in ``pages.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.members import service as members
from services.members.auth import MEMBER_ROLES
from services.members.service import (
    ComplaintFlagIn,
    MemberEdit,
    MemberId,
    MemberIn,
    MemberPage,
    MemberView,
)
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber, SearchText

router = APIRouter()
MemberStaff = Annotated[Staff, require(*MEMBER_ROLES)]


@router.get("/api/members", response_model=MemberPage)
async def api_list_members(
    session: DbSession, staff: MemberStaff, q: SearchText = "", page: PageNumber = 1
) -> MemberPage:
    """Members by card number, name or phone, 50 a page."""
    return await members.list_members(session, q=q, page=page)


@router.post("/api/members", status_code=201, response_model=MemberView)
async def api_create_member(session: DbSession, staff: MemberStaff, body: MemberIn) -> MemberView:
    """Create a member (CS-1); a card number already in use is refused (409)."""
    return await members.create_member(session, actor=staff, data=body)


@router.get("/api/members/{member_id}", response_model=MemberView)
async def api_get_member(session: DbSession, staff: MemberStaff, member_id: MemberId) -> MemberView:
    """One member."""
    return await members.get_member(session, member_id=member_id)


@router.put("/api/members/{member_id}", response_model=MemberView)
async def api_update_member(
    session: DbSession, staff: MemberStaff, member_id: MemberId, body: MemberEdit
) -> MemberView:
    """Change a member's profile or card (CS-1); ``version_no`` must be the one read."""
    return await members.update_member(session, actor=staff, member_id=member_id, data=body)


@router.put("/api/members/{member_id}/complaint", response_model=MemberView)
async def api_flag_complaint(
    session: DbSession, staff: MemberStaff, member_id: MemberId, body: ComplaintFlagIn
) -> MemberView:
    """Flag an open major complaint: compensation is offered at the next booking (IN-8)."""
    return await members.set_complaint(session, actor=staff, member_id=member_id, data=body)


@router.delete("/api/members/{member_id}/complaint", response_model=MemberView)
async def api_clear_complaint(
    session: DbSession, staff: MemberStaff, member_id: MemberId
) -> MemberView:
    """Clear the complaint flag once compensation was given (IN-8)."""
    return await members.clear_complaint(session, actor=staff, member_id=member_id)
