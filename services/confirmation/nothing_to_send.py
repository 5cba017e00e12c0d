"""A booking cancelled before anything was sent: its tasks close with "nothing to send"
(issue 15; CF-1, CF-8).

CF-1 makes every new booking, modification and cancellation a task "sent to the hotel". When
no order about the booking has reached the hotel yet, the hotel holds nothing for it: sending
the new booking and then its cancellation would only make the hotel book and unbook a room.
So, when intake's cancellation arrives and none of the booking's tasks is past "unsent" (none
sending, sent, confirmed or full, none ever sent), every unsent task of the booking closes in
state ``closed`` with ``close_reason`` ``nothing_to_send``, and the cancellation's own task is
recorded closed the same way (so the desk's archive shows what happened). CF-8's "read the
remarks before sending" has nothing to read: nothing will be sent.

If anything was sent (or is being sent: a queued send may already be at the hotel's fax), the
cancellation is a task for the desk as before, and the hotel gets the cancellation notice.

Events arrive in any order and may be redelivered. A transaction-scoped advisory lock per
booking serialises its events, so a "new" or "modify" task arriving after the cancellation
was closed finds the closed cancellation and is itself recorded closed (``insert_task_values``
in ``service``). A redelivered cancellation finds nothing unsent and its task already there:
it changes nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.models import ConfirmationTask
from services.confirmation.settings import SCHEMA
from shared import audit
from shared.events.confirmation import TaskClosedV1
from shared.events.outbox import publish

NOTHING_TO_SEND = "nothing_to_send"
CLOSED = "closed"
SYSTEM_ACTOR = "system:cancellation"


async def lock_booking(session: AsyncSession, booking_id: uuid.UUID) -> None:
    """Serialise this booking's events until the transaction ends (they may run at once)."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(str(booking_id), 0)))
    )


async def _tasks(session: AsyncSession, booking_id: uuid.UUID) -> list[ConfirmationTask]:
    found = await session.scalars(
        select(ConfirmationTask)
        .where(ConfirmationTask.booking_id == booking_id)
        .order_by(ConfirmationTask.created_at)
        .with_for_update()
    )
    return list(found)


def _nothing_sent(tasks: list[ConfirmationTask]) -> bool:
    """No order about the booking went, or is going, to the hotel; nor did it answer."""
    return all(
        task.state in ("unsent", CLOSED) and task.sent_at is None and task.answered_at is None
        for task in tasks
    )


async def booking_closed(session: AsyncSession, booking_id: uuid.UUID) -> bool:
    """The booking's cancellation was closed with nothing to send (a late "new" or "modify"
    task for it is recorded closed too)."""
    found = await session.scalar(
        select(ConfirmationTask.task_id).where(
            ConfirmationTask.booking_id == booking_id,
            ConfirmationTask.kind == "cancel",
            ConfirmationTask.close_reason == NOTHING_TO_SEND,
        )
    )
    return found is not None


def closed_values(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "state": CLOSED, "close_reason": NOTHING_TO_SEND}


async def close_unsent(session: AsyncSession, booking_id: uuid.UUID, now: datetime) -> bool:
    """Close the booking's unsent tasks if nothing about it was sent; False (and no change)
    if something was, so the cancellation goes to the hotel as a task of its own."""
    tasks = await _tasks(session, booking_id)
    if not _nothing_sent(tasks):
        return False
    for task in tasks:
        if task.state == CLOSED:
            continue
        task.state, task.close_reason = CLOSED, NOTHING_TO_SEND
        task.claimed_by, task.claimed_at = None, None
        await publish(  # SL-3: the task is no longer unsent
            session,
            schema=SCHEMA,
            payload=TaskClosedV1(
                task_id=task.task_id,
                booking_ref=task.booking_ref,
                kind=task.kind,
                reason=NOTHING_TO_SEND,
                closed_at=now,
            ),
            occurred_at=now,
        )
        await _audit(session, task)
    return True


async def _audit(session: AsyncSession, task: ConfirmationTask) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=SYSTEM_ACTOR,
        action="task.close",
        entity="task",
        entity_id=task.task_id,
        before={"state": "unsent"},
        after={"booking_ref": task.booking_ref, "state": CLOSED, "reason": NOTHING_TO_SEND},
    )
