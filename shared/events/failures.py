"""Events a service's handlers gave up on: dead letters, redrive and discard.

After its last try (``ROOMLINE_EVENT_MAX_TRIES``) a failing event is written to the consuming
service's ``dead_letter`` table with the error and where it was raised; the events after it
go on. An operator (``/admin/events`` of the service, or ``python -m workers.events``) then:

- **redrives** it: the row goes to state ``redrive`` and the relay, woken by NOTIFY, enqueues
  it on this service's queue under a fresh job id (``<event>:<service>:redrive<n>``): arq
  keeps a finished job's result for an hour and refuses a job id it still knows. The inbox
  still dedupes by event id, so a redrive of an event that was applied meanwhile does
  nothing. A success deletes the row in the handler's own transaction; a failure after its
  tries puts it back to ``dead`` with the tries added up.
- **discards** it with a written reason: the row goes, and the event id enters the inbox as
  handled, so a later replay from the outbox cannot apply it either.

Both are audited in the service's ``audit_log`` in the same transaction.
"""

from __future__ import annotations

import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record
from shared.auth import Staff
from shared.events import Envelope
from shared.events.outbox import NOTIFY_CHANNEL, dead_letter_table, inbox_table
from shared.observability import get_logger

log = get_logger("events.failures")
REDRIVE_MARK = ":redrive"
RETRY_MARK = ":retry"
ERROR_CHARS = 4000


def primary_job_id(event_id: object, service: str) -> str:
    """The job id the relay first gives an event on ``service``'s queue."""
    return f"{event_id}:{service}"


def is_second_delivery(job_id: str) -> bool:
    """A redrive, or a relay's retry of a job whose kept result was a failure: its success
    must clear the event's dead letter."""
    return REDRIVE_MARK in job_id or RETRY_MARK in job_id


def where_raised(exc: BaseException) -> str:
    """``path:line in function`` of the innermost frame of the traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


async def write_dead_letter(
    session: AsyncSession, *, schema: str, envelope: Envelope, exc: BaseException, tries: int
) -> None:
    """Record (or update) the event's dead letter after its last try."""
    table = dead_letter_table(schema)
    now = func.now()
    statement = insert(table).values(
        event_id=envelope.event_id,
        name=envelope.name,
        source=envelope.source,
        envelope=envelope.model_dump(mode="json"),
        error=f"{type(exc).__name__}: {exc}"[:ERROR_CHARS],
        raised_at=where_raised(exc)[:ERROR_CHARS],
        tries=tries,
        first_failed_at=now,
        last_failed_at=now,
        state="dead",
        redrives=0,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.event_id],
            set_={
                "error": statement.excluded.error,
                "raised_at": statement.excluded.raised_at,
                "tries": table.c.tries + statement.excluded.tries,
                "last_failed_at": now,
                "state": "dead",
            },
        )
    )


async def clear_dead_letter(session: AsyncSession, *, schema: str, event_id: uuid.UUID) -> None:
    """The event was applied (or found applied) by a second delivery: it is dead no more."""
    table = dead_letter_table(schema)
    await session.execute(delete(table).where(table.c.event_id == event_id))


@dataclass(frozen=True)
class DeadLetter:
    event_id: uuid.UUID
    name: str
    source: str
    error: str
    raised_at: str
    tries: int
    first_failed_at: datetime
    last_failed_at: datetime
    state: str
    redrives: int
    redriven_at: datetime | None
    envelope: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in vars(self).items()}


async def dead_letters(
    session: AsyncSession, *, schema: str, limit: int = 100, offset: int = 0
) -> list[DeadLetter]:
    """The service's dead letters, oldest failure first."""
    table = dead_letter_table(schema)
    oldest_first = (table.c.first_failed_at, table.c.event_id)
    rows = await session.execute(select(table).order_by(*oldest_first).limit(limit).offset(offset))
    return [DeadLetter(**row._mapping) for row in rows]


async def _locked(session: AsyncSession, schema: str, event_id: uuid.UUID) -> DeadLetter | None:
    table = dead_letter_table(schema)
    row = (
        await session.execute(select(table).where(table.c.event_id == event_id).with_for_update())
    ).first()
    return DeadLetter(**row._mapping) if row else None


async def wake_relay(session: AsyncSession, schema: str) -> None:
    # Delivered at commit, so the relay never looks before the request is visible.
    await session.execute(
        text("SELECT pg_notify(:channel, :schema)"),
        {
            "channel": NOTIFY_CHANNEL,
            "schema": schema,
        },
    )


async def request_redrive(
    session: AsyncSession, *, schema: str, event_ids: list[uuid.UUID], actor: Staff | str
) -> list[uuid.UUID]:
    """Ask the relay to deliver these dead events again; returns those that were dead (an
    event already asked for, redriven and waiting, or gone is left alone)."""
    asked = []
    for event_id in sorted(event_ids):  # one lock order for two operators at once
        letter = await _locked(session, schema, event_id)
        if letter is None or letter.state != "dead":
            continue
        table = dead_letter_table(schema)
        await session.execute(
            update(table)
            .where(table.c.event_id == event_id)
            .values(state="redrive", redrives=table.c.redrives + 1)
        )
        await record(
            session,
            schema=schema,
            actor=actor,
            action="event_redrive",
            entity="dead_letter",
            entity_id=event_id,
            before=_audited(letter),
            after={"state": "redrive", "redrives": letter.redrives + 1},
        )
        asked.append(event_id)
    if asked:
        await wake_relay(session, schema)
    return asked


async def dead_event_ids(session: AsyncSession, *, schema: str) -> list[uuid.UUID]:
    table = dead_letter_table(schema)
    return list(await session.scalars(select(table.c.event_id).where(table.c.state == "dead")))


async def discard(
    session: AsyncSession,
    *,
    schema: str,
    event_id: uuid.UUID,
    reason: str,
    actor: Staff | str,
) -> bool:
    """Give up on a dead event for good, with the reason; False if it is not dead now."""
    letter = await _locked(session, schema, event_id)
    if letter is None or letter.state != "dead":
        return False
    table = dead_letter_table(schema)
    await session.execute(delete(table).where(table.c.event_id == event_id))
    await session.execute(
        insert(inbox_table(schema))
        .values(event_id=event_id, name=letter.name)
        .on_conflict_do_nothing()
    )
    await record(
        session,
        schema=schema,
        actor=actor,
        action="event_discard",
        entity="dead_letter",
        entity_id=event_id,
        before=_audited(letter),
        after={"discarded": True, "reason": reason},
    )
    return True


def _audited(letter: DeadLetter) -> dict[str, Any]:
    kept = letter.as_json()
    kept.pop("envelope")
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in kept.items()}
