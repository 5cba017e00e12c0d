"""The group desk's JSON API (IN-9): corporate accounts, group bookings, the worklist.

Accounts are read by the whole booking desk and changed by team leads. A refused placement
is rolled back and its reason kept on the draft (in a transaction of its own, after the
rollback: ``shared.db.after_rollback``) so the worklist shows why the group is still unfinished.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.auth import DESK_ROLES
from services.intake.bounds import Filter
from services.intake.groups import accounts as group_accounts
from services.intake.groups import service as groups
from services.intake.groups.accounts import AccountEdit, AccountIn, AccountPage, AccountView
from services.intake.groups.service import GroupRequest, RoomingIn, lines_of
from services.intake.groups.worklist import GroupView, Worklist, get_group, group_worklist
from shared.auth import Role, Staff, require
from shared.db import DbSession, after_rollback
from shared.errors import DomainError
from shared.limits import PageNumber, SearchText, Uuid

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
LeadStaff = Annotated[Staff, require(Role.TEAM_LEAD)]  # IN-9: team leads keep the accounts


@router.get("/api/group-accounts", response_model=AccountPage)
async def api_accounts(
    session: DbSession, staff: DeskStaff, q: SearchText = "", page: PageNumber = 1
) -> AccountPage:
    """Corporate accounts by company name, 50 a page (IN-9)."""
    return await group_accounts.list_accounts(session, q=q, page=page)


@router.post("/api/group-accounts", status_code=201, response_model=AccountView)
async def api_create_account(session: DbSession, staff: LeadStaff, body: AccountIn) -> AccountView:
    """Open a corporate account with its negotiated terms (IN-9)."""
    return await group_accounts.create_account(session, actor=staff, data=body)


@router.get("/api/group-accounts/{account_id}", response_model=AccountView)
async def api_account(session: DbSession, staff: DeskStaff, account_id: Uuid) -> AccountView:
    """One corporate account."""
    return await group_accounts.get_account(session, account_id=account_id)


@router.put("/api/group-accounts/{account_id}", response_model=AccountView)
async def api_update_account(
    session: DbSession, staff: LeadStaff, account_id: Uuid, body: AccountEdit
) -> AccountView:
    """Change an account's terms; ``version_no`` must be the one read."""
    return await group_accounts.update_account(
        session, actor=staff, account_id=account_id, data=body
    )


@router.get("/api/groups", response_model=Worklist)
async def api_worklist(
    session: DbSession, staff: DeskStaff, status: Filter = "open", page: PageNumber = 1
) -> Worklist:
    """Group bookings, yesterday's unfinished first (IN-9)."""
    return await group_worklist(session, status=status, page=page)


@router.post("/api/groups", status_code=201, response_model=GroupView)
async def api_open_group(session: DbSession, staff: DeskStaff, body: GroupRequest) -> GroupView:
    """Open a group with its rooming list; with ``place`` book all its rooms too, or nothing."""
    opened = await groups.open_group(session, staff=staff, request=body, lines=lines_of(body.rooms))
    if body.place:
        return await groups.place_group(session, staff=staff, group_id=opened.group_id)
    return opened


@router.get("/api/groups/{group_id}", response_model=GroupView)
async def api_group(session: DbSession, staff: DeskStaff, group_id: Uuid) -> GroupView:
    """One group booking with its rooming list and bookings."""
    return await get_group(session, group_id=group_id)


@router.put("/api/groups/{group_id}/rooming", response_model=GroupView)
async def api_replace_rooming(
    session: DbSession, staff: DeskStaff, group_id: Uuid, body: RoomingIn
) -> GroupView:
    """Replace a draft's rooming list, all rows or none (IN-9)."""
    return await groups.replace_rooming(
        session, staff=staff, group_id=group_id, lines=lines_of(body.rooms)
    )


@router.post("/api/groups/{group_id}/place", response_model=GroupView)
async def api_place_group(session: DbSession, staff: DeskStaff, group_id: Uuid) -> GroupView:
    """Book every room of a complete draft in one transaction: all rooms or none (IN-9)."""
    try:
        return await groups.place_group(session, staff=staff, group_id=group_id)
    except DomainError as exc:
        keep_refusal(session, staff, group_id, exc)
        raise


@router.post("/api/groups/{group_id}/cancel", response_model=GroupView)
async def api_cancel_group(session: DbSession, staff: DeskStaff, group_id: Uuid) -> GroupView:
    """Drop a draft group."""
    return await groups.cancel_group(session, staff=staff, group_id=group_id)


def keep_refusal(session: AsyncSession, staff: Staff, group_id: Uuid, exc: DomainError) -> None:
    """Once the refused placement is rolled back, record why on the draft (its own commit)."""
    reason = exc.sentence  # shown on the group page: no rule ID

    async def note(session: AsyncSession) -> None:
        await groups.note_refusal(session, staff=staff, group_id=group_id, reason=reason)

    after_rollback(session, note)
