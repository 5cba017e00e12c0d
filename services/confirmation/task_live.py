"""The task page's live state (issue 15): what the page's script polls so the desk sees
"sending" turn into "sent", then "confirmed" or "full", without reloading (CF-1, CF-4, CF-7).

``version`` changes whenever anything the task page shows changes: the task's state and
answer, its claim, the verification (CF-5), the fax receipt check (CF-7), a send's progress,
a reply filed to it (CF-4) and the customer's notice (CF-6). The page renders with it; the
script fetches the page again only when the polled version differs, so an idle page costs
one small query every few seconds.
"""

from __future__ import annotations

import hashlib
import uuid

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.claims import claim_live
from services.confirmation.models import (
    ConfirmationTask,
    CustomerNotice,
    HotelReply,
    OrderDispatch,
)
from shared.clock import clock
from shared.errors import NotFound


class TaskLive(BaseModel):
    task_id: uuid.UUID
    booking_ref: str
    state: str
    hotel_confirmation_no: str | None
    version: str


async def _dispatches(session: AsyncSession, task_id: uuid.UUID) -> str:
    row = (
        await session.execute(
            select(
                func.count(),
                func.string_agg(OrderDispatch.state, ","),
                func.max(func.coalesce(OrderDispatch.finished_at, OrderDispatch.queued_at)),
                func.sum(OrderDispatch.attempts),
            ).where(OrderDispatch.task_id == task_id)
        )
    ).one()
    return "|".join(str(value) for value in row)


async def live(session: AsyncSession, task_id: uuid.UUID) -> TaskLive:
    """The task's state and the version of everything its page shows."""
    task = await session.get(ConfirmationTask, task_id, populate_existing=True)
    if task is None:
        raise NotFound(f"No confirmation task {task_id}.", field="task_id")
    replies = await session.scalar(
        select(func.count()).select_from(HotelReply).where(HotelReply.task_id == task_id)
    )
    notice = await session.scalar(
        select(CustomerNotice.state + ":" + CustomerNotice.last_error).where(
            CustomerNotice.task_id == task_id
        )
    )
    parts = (
        task.state,
        task.hotel_confirmation_no,
        task.answered_at,
        task.claimed_by if claim_live(task, clock.now()) else None,
        task.verified_at,
        task.last_error_at,
        task.sent_at,
        task.receipt_checked_at,
        await _dispatches(session, task_id),
        replies,
        notice,
    )
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return TaskLive(
        task_id=task.task_id,
        booking_ref=task.booking_ref,
        state=task.state,
        hotel_confirmation_no=task.hotel_confirmation_no,
        version=digest[:16],
    )
