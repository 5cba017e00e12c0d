"""What an operator sees of and does to a service's events, shared by each service's
``/admin/events`` page (``shared.events.admin``) and ``python -m workers.events``.

The figures come from the service's own schema (its outbox and dead letters) and its own
arq queue; the actions wrap ``shared.events.failures`` so both entry points refuse the
same things with the same ``DomainError``.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record
from shared.auth import Staff
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events import failures
from shared.events.outbox import dead_letter_table
from shared.observability import EVENTS_DEAD_LETTERS, OUTBOX_OLDEST_UNRELAYED
from shared.queue import queue_name

REASON_MIN_CHARS = 3
REASON_MAX_CHARS = 500


@dataclass(frozen=True)
class OutboxFigures:
    unrelayed: int
    oldest_unrelayed_seconds: float


async def outbox_figures(session: AsyncSession, *, schema: str) -> OutboxFigures:
    """Unrelayed outbox rows and the age of the oldest (0 when none), by the database's
    clock, the one that stamped ``created_at``."""
    row = (
        await session.execute(
            text(
                "SELECT count(*) AS unrelayed, "
                "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest "
                f"FROM {schema}.outbox WHERE relayed_at IS NULL"
            )
        )
    ).one()
    return OutboxFigures(int(row.unrelayed), max(0.0, float(row.oldest)))


async def dead_letter_count(session: AsyncSession, *, schema: str) -> int:
    """Dead letters not resolved yet, in any state: a resolved one is deleted."""
    table = dead_letter_table(schema)
    return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def queued_jobs(redis: Redis, *, service: str, prefix: str) -> int:
    """Jobs waiting in the service's arq queue (a sorted set)."""
    return int(await redis.zcard(queue_name(service, prefix)))


async def refresh_event_gauges(session: AsyncSession, *, schema: str) -> None:
    """The service's event gauges, brought up to date before /metrics answers."""
    EVENTS_DEAD_LETTERS.labels(schema).set(await dead_letter_count(session, schema=schema))
    figures = await outbox_figures(session, schema=schema)
    OUTBOX_OLDEST_UNRELAYED.labels(schema).set(figures.oldest_unrelayed_seconds)


def checked_reason(reason: str) -> str:
    """A discard's reason, trimmed; 3 to 500 characters of printable text."""
    kept = reason.strip()
    if not REASON_MIN_CHARS <= len(kept) <= REASON_MAX_CHARS:
        raise InvalidInput(
            f"原因须为 {REASON_MIN_CHARS}–{REASON_MAX_CHARS} 个字符 / "
            f"The reason must be {REASON_MIN_CHARS} to {REASON_MAX_CHARS} characters.",
            field="reason",
        )
    # Category C* (control, format, unassigned): invisible text in an audit trail misleads.
    if any(unicodedata.category(ch).startswith("C") for ch in kept):
        raise InvalidInput(
            "原因不能包含控制字符 / The reason must not contain control characters.",
            field="reason",
        )
    return kept


async def _refuse(session: AsyncSession, schema: str, event_id: uuid.UUID) -> None:
    """Say why an action on ``event_id`` found no dead letter in state ``dead``."""
    table = dead_letter_table(schema)
    state = await session.scalar(select(table.c.state).where(table.c.event_id == event_id))
    if state is None:
        raise NotFound(f"没有此死信事件 / No dead letter with event id {event_id}.")
    raise Conflict(
        f"该事件状态为 {state}，不是 dead / The event is {state}, not dead; "
        "it is already being delivered again."
    )


async def redrive_one(
    session: AsyncSession, *, schema: str, event_id: uuid.UUID, actor: Staff | str
) -> None:
    """Redrive one dead event, or say why it cannot be (404 gone, 409 not dead)."""
    asked = await failures.request_redrive(
        session, schema=schema, event_ids=[event_id], actor=actor
    )
    if not asked:
        await _refuse(session, schema, event_id)


async def redrive_all(session: AsyncSession, *, schema: str, actor: Staff | str) -> int:
    """Redrive every event in state ``dead``; returns how many were asked for."""
    dead = await failures.dead_event_ids(session, schema=schema)
    asked = await failures.request_redrive(session, schema=schema, event_ids=dead, actor=actor)
    return len(asked)


async def discard_one(
    session: AsyncSession,
    *,
    schema: str,
    event_id: uuid.UUID,
    reason: str,
    actor: Staff | str,
) -> None:
    """Discard one dead event with a checked reason, or say why it cannot be."""
    kept = checked_reason(reason)
    if not await failures.discard(
        session, schema=schema, event_id=event_id, reason=kept, actor=actor
    ):
        await _refuse(session, schema, event_id)


async def replay_since(
    session: AsyncSession, *, schema: str, since: datetime, actor: Staff | str
) -> int:
    """After Redis lost data: mark the outbox rows created since ``since`` unrelayed, so the
    relay enqueues them again (consumers' inboxes drop what they already applied)."""
    result = await session.execute(
        text(
            f"UPDATE {schema}.outbox SET relayed_at = NULL "
            "WHERE created_at >= :since AND relayed_at IS NOT NULL"
        ),
        {"since": since},
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    after: dict[str, Any] = {"since": since.isoformat(), "rows": count}
    await record(
        session,
        schema=schema,
        actor=actor,
        action="outbox_replay",
        entity="outbox",
        entity_id=since.isoformat()[:80],
        after=after,
    )
    await failures.wake_relay(session, schema)  # now, not at its next poll
    return count
