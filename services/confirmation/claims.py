"""Claiming a task: one desk user works it at a time (CF-1).

A claim lasts ``CLAIM_TTL`` after the last action on the task, so a task left claimed by
someone who went home returns to the pool by itself. Every action on a task goes through
``task_for_work``, which locks the row, refuses it while another person's claim is live, and
(re)claims it for the person acting.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation.models import ConfirmationTask
from services.confirmation.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import Conflict, NotFound
from shared.i18n import _

CLAIM_TTL = timedelta(minutes=20)


def claim_live(task: ConfirmationTask, now: datetime) -> bool:
    return (
        task.claimed_by is not None
        and task.claimed_at is not None
        and now - task.claimed_at < CLAIM_TTL
    )


def held_by_other(task: ConfirmationTask, staff: Staff, now: datetime) -> bool:
    return claim_live(task, now) and task.claimed_by != staff.username


async def locked_task(session: AsyncSession, task_id: uuid.UUID) -> ConfirmationTask:
    task = await session.scalar(
        select(ConfirmationTask).where(ConfirmationTask.task_id == task_id).with_for_update()
    )
    if task is None:
        raise NotFound(f"No confirmation task {task_id}.", field="task_id")
    return task


async def task_for_work(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff
) -> ConfirmationTask:
    """The task, locked and claimed by ``staff``; 409 naming the holder if someone else has it."""
    task = await locked_task(session, task_id)
    now = clock.now()
    if held_by_other(task, staff, now):
        assert task.claimed_at is not None
        raise Conflict(
            _(
                "%(name)s is working on booking %(ref)s (claimed %(at)s); "
                "ask them, or wait until it is released."
            )
            % {
                "name": task.claimed_by,
                "ref": task.booking_ref,
                "at": f"{clock.local(task.claimed_at):%H:%M}",
            }
        )
    task.claimed_by, task.claimed_at = staff.username, now
    return task


async def audit_task(
    session: AsyncSession,
    staff: Staff,
    action: str,
    task: ConfirmationTask,
    after: dict[str, str] | None = None,
) -> None:
    """Every desk action on a task is audited under the task, with its booking reference."""
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=action,
        entity="task",
        entity_id=task.task_id,
        after={"booking_ref": task.booking_ref, **(after or {})},
    )


async def claim(session: AsyncSession, task_id: uuid.UUID, staff: Staff) -> ConfirmationTask:
    task = await task_for_work(session, task_id, staff)
    await audit_task(session, staff, "task.claim", task)
    return task


async def release(session: AsyncSession, task_id: uuid.UUID, staff: Staff) -> ConfirmationTask:
    task = await task_for_work(session, task_id, staff)
    task.claimed_by, task.claimed_at = None, None
    await audit_task(session, staff, "task.release", task)
    return task
