"""The rewards JSON API (CS-2): the same redeem, approve, reject and withdraw as the pages.

Refused input is a 422 naming the field; beyond the member's active points a 409; the desk's
approve, and the maker's own, a 403; a redemption already decided a 409. Nothing here commits.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter

from services.members.rewards import service
from services.members.rewards.access import DECIDE, DESK, READ
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import Uuid

router = APIRouter(prefix="/api/rewards", tags=["members"])
Reader = Annotated[Staff, require(*READ)]
Desk = Annotated[Staff, require(*DESK)]
Manager = Annotated[Staff, require(*DECIDE)]


@router.get("", response_model=list[service.RewardView])
async def list_rewards(session: DbSession, staff: Reader) -> Any:
    """The rewards catalogue."""
    return await service.list_rewards(session)


@router.post("/redemptions", response_model=service.RedemptionView, status_code=201)
async def redeem(session: DbSession, staff: Desk, body: service.RedemptionIn) -> Any:
    """CS-2: a redemption form; the member's points are locked."""
    redemption_id = await service.redeem(session, actor=staff, data=body)
    return await service.get_redemption(session, redemption_id)


@router.get("/redemptions/{redemption_id}", response_model=service.RedemptionView)
async def get_redemption(session: DbSession, staff: Reader, redemption_id: Uuid) -> Any:
    """One redemption."""
    return await service.get_redemption(session, redemption_id)


@router.post("/redemptions/{redemption_id}/approve", response_model=service.RedemptionView)
async def approve(
    session: DbSession,
    staff: Manager,
    redemption_id: Uuid,
    body: service.DecisionIn | None = None,
) -> Any:
    """CS-2: the general manager approves; the locked points are spent."""
    data = body or service.DecisionIn()
    await service.approve(session, actor=staff, redemption_id=redemption_id, data=data)
    return await service.get_redemption(session, redemption_id)


@router.post("/redemptions/{redemption_id}/reject", response_model=service.RedemptionView)
async def reject(
    session: DbSession, staff: Manager, redemption_id: Uuid, body: service.RejectionIn
) -> Any:
    """CS-2: the general manager rejects; the locked points are released."""
    await service.reject(session, actor=staff, redemption_id=redemption_id, data=body)
    return await service.get_redemption(session, redemption_id)


@router.post("/redemptions/{redemption_id}/withdraw", response_model=service.RedemptionView)
async def withdraw(session: DbSession, staff: Desk, redemption_id: Uuid) -> Any:
    """The desk withdraws a redemption still awaiting approval; the points are released."""
    await service.withdraw(session, actor=staff, redemption_id=redemption_id)
    return await service.get_redemption(session, redemption_id)
