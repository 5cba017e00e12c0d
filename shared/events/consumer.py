"""The arq jobs that apply events to a service, exactly once.

The event id goes into the service's inbox in the same transaction as the handler's
effect. A redelivered event finds its id there and does nothing; two copies racing wait on
the inbox's primary key, and the loser finds the id once the winner commits.

The relay sends a batch (``apply_batch``): one transaction claims all its ids in the inbox
with one insert, runs the handlers in order and clears any dead letters of what it applied.
A handler that raises rolls the transaction back; the batch runs again without that event
(a few rounds at most), and the event goes to a single ``handle_event`` job of its own,
which retries with backoff and dead-letters it (``shared.worker``). So a failing event
costs its batch-mates one more run, never their effect, and none runs twice: the inbox
rows of a rolled-back round are rolled back with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.failures import clear_dead_letter, is_second_delivery
from shared.events.outbox import inbox_table
from shared.observability import HANDLER_RESULTS, event_id_var, get_logger

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
log = get_logger("events")
# Rounds a batch is run in, each without the events that failed in the one before.
BATCH_ROUNDS = 3


async def apply_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    service: str,
    schema: str,
    handlers: Mapping[str, Handler],
    envelope: Envelope,
    second_delivery: bool = False,
) -> str:
    """Run the handler for ``envelope`` unless this service already handled it. A
    ``second_delivery`` (a redrive) also clears the event's dead letter, in the same
    transaction as the effect."""
    token = event_id_var.set(str(envelope.event_id))
    try:
        async with unit_of_work(sessionmaker) as session:
            claimed = await session.execute(
                insert(inbox_table(schema))
                .values(event_id=envelope.event_id, name=envelope.name)
                .on_conflict_do_nothing()
                .returning(inbox_table(schema).c.event_id)
            )
            if claimed.first() is None:
                outcome = "duplicate"
            elif (handler := handlers.get(envelope.name)) is None:
                outcome = "ignored"
            else:
                await handler(session, envelope)
                outcome = "handled"
            if second_delivery:
                await clear_dead_letter(session, schema=schema, event_id=envelope.event_id)
        HANDLER_RESULTS.labels(service, envelope.name, outcome).inc()
        log.info("event_" + outcome, event_name=envelope.name, service=service)
        return outcome
    except Exception:
        HANDLER_RESULTS.labels(service, envelope.name, "failed").inc()
        log.exception("event_failed", event_name=envelope.name, service=service)
        raise
    finally:
        event_id_var.reset(token)


def make_event_job(service: str, schema: str, handlers: Mapping[str, Handler]) -> Any:
    """The ``handle_event`` arq job function for one service's worker."""

    async def handle_event(ctx: dict[str, Any], envelope: dict[str, Any]) -> str:
        return await apply_once(
            ctx["sessionmaker"],
            service=service,
            schema=schema,
            handlers=handlers,
            envelope=Envelope.model_validate(envelope),
            second_delivery=is_second_delivery(ctx.get("job_id") or ""),
        )

    handle_event.__qualname__ = "handle_event"
    return handle_event


class HandlerFailed(Exception):
    """A handler raised for ``envelope`` inside a batch."""

    def __init__(self, envelope: Envelope) -> None:
        super().__init__(str(envelope.event_id))
        self.envelope = envelope


@dataclass
class BatchResult:
    """What a batch came to: ``failed`` raised in its handler; ``unapplied`` were not
    applied for another reason (the batch's transaction failed): both go to single jobs."""

    outcomes: dict[str, int] = field(default_factory=dict)
    failed: list[Envelope] = field(default_factory=list)
    unapplied: list[Envelope] = field(default_factory=list)


async def apply_batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    service: str,
    schema: str,
    handlers: Mapping[str, Handler],
    envelopes: Sequence[Envelope],
) -> BatchResult:
    """Apply ``envelopes`` in order in one transaction, each unless already handled."""
    result = BatchResult()
    pending = list({e.event_id: e for e in envelopes}.values())
    for _ in range(BATCH_ROUNDS):
        if not pending:
            return result
        try:
            outcomes = await _apply_round(sessionmaker, schema, handlers, pending)
        except HandlerFailed as failed:
            HANDLER_RESULTS.labels(service, failed.envelope.name, "failed").inc()
            result.failed.append(failed.envelope)
            pending = [e for e in pending if e.event_id != failed.envelope.event_id]
            continue
        for envelope, outcome in zip(pending, outcomes, strict=True):
            HANDLER_RESULTS.labels(service, envelope.name, outcome).inc()
            result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
        log.info("event_batch_applied", service=service, **result.outcomes)
        return result
    result.unapplied = pending
    return result


async def _apply_round(
    sessionmaker: async_sessionmaker[AsyncSession],
    schema: str,
    handlers: Mapping[str, Handler],
    envelopes: Sequence[Envelope],
) -> list[str]:
    ordered = sorted(envelopes, key=lambda e: e.event_id)
    async with unit_of_work(sessionmaker) as session:
        # In id order: two batches sharing events (a relay re-sent one) lock them alike.
        claimed = set(
            await session.scalars(
                text(
                    f"INSERT INTO {schema}.inbox (event_id, name) "
                    "SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:names AS text[])) "
                    "ON CONFLICT DO NOTHING RETURNING event_id"
                ),
                {"ids": [e.event_id for e in ordered], "names": [e.name for e in ordered]},
            )
        )
        outcomes = [await _apply_claimed(session, handlers, e, claimed) for e in envelopes]
        applied = [e.event_id for e, o in zip(envelopes, outcomes, strict=True) if o != "duplicate"]
        if applied:
            # An event applied on a later delivery (a replay) is dead no more.
            await session.execute(
                text(f"DELETE FROM {schema}.dead_letter WHERE event_id = ANY(:ids)"),
                {"ids": applied},
            )
    return outcomes


async def _apply_claimed(
    session: AsyncSession, handlers: Mapping[str, Handler], envelope: Envelope, claimed: set[Any]
) -> str:
    if envelope.event_id not in claimed:
        return "duplicate"
    if (handler := handlers.get(envelope.name)) is None:
        return "ignored"
    token = event_id_var.set(str(envelope.event_id))
    try:
        await handler(session, envelope)
    except Exception as exc:
        log.exception("event_failed_in_batch", event_name=envelope.name)
        raise HandlerFailed(envelope) from exc
    finally:
        event_id_var.reset(token)
    return "handled"
