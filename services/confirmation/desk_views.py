"""What the task page shows (CF-1 … CF-8), and the next task to claim (CF-2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import replies, service
from services.confirmation.claims import CLAIM_TTL, claim_live
from services.confirmation.mail_parsing import NUMBERS_OFFERED
from services.confirmation.models import (
    ConfirmationTask,
    CustomerNotice,
    HotelContact,
    OrderDispatch,
)
from services.confirmation.schemas import TaskView
from shared.auth import Staff
from shared.clock import clock
from shared.errors import NotFound


@dataclass(frozen=True)
class TaskDetail:
    task: ConfirmationTask
    view: TaskView
    contact: HotelContact | None
    notice: CustomerNotice | None
    notice_overdue: bool
    dispatches: list[OrderDispatch]
    replies: list[Any]
    mine: bool  # the person looking holds the claim
    can_send: bool
    # CF-4: confirmation numbers the filed replies name, newest reply first, for one-key
    # acceptance on the task page.
    offered_numbers: list[str]


async def task_detail(session: AsyncSession, task_id: uuid.UUID, staff: Staff) -> TaskDetail:
    task = await session.get(ConfirmationTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound(f"No confirmation task {task_id}.", field="task_id")
    contact = await session.get(HotelContact, task.hotel_id)
    now = clock.now()
    view = service.view_task(task, contact.confirm_channel if contact else None, now)
    notice = await session.scalar(select(CustomerNotice).where(CustomerNotice.task_id == task_id))
    filed = await replies.replies_for_task(session, task_id)
    dispatches = await session.scalars(
        select(OrderDispatch)
        .where(OrderDispatch.task_id == task_id)
        .order_by(OrderDispatch.queued_at.desc())
    )
    return TaskDetail(
        task=task,
        view=view,
        contact=contact,
        notice=notice,
        notice_overdue=notice is not None and notice.state != "sent" and now > notice.deadline_at,
        dispatches=list(dispatches),
        replies=filed,
        offered_numbers=_offered(filed),
        mine=claim_live(task, now) and task.claimed_by == staff.username,
        can_send=task.state == "unsent" and not view.awaiting_verification,
    )


def _offered(filed: list[replies.ReplyView]) -> list[str]:
    offered: list[str] = []
    for reply in filed:
        offered += [number for number in reply.confirmation_numbers if number not in offered]
    return offered[:NUMBERS_OFFERED]


async def next_unclaimed(session: AsyncSession) -> ConfirmationTask | None:
    """The unsent task with the earliest deadline that nobody holds (CF-2)."""
    stale = clock.now() - CLAIM_TTL
    found: ConfirmationTask | None = await session.scalar(
        select(ConfirmationTask)
        .where(
            ConfirmationTask.state == "unsent",
            or_(
                ConfirmationTask.claimed_by.is_(None),
                ConfirmationTask.claimed_at < stale,
            ),
        )
        .order_by(ConfirmationTask.deadline_at, ConfirmationTask.booked_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return found
