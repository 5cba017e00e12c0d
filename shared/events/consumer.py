"""The arq job that applies an event to a service, exactly once.

The event id goes into the service's inbox in the same transaction as the handler's
effect. A redelivered event finds its id there and does nothing; two copies racing wait on
the inbox's primary key, and the loser finds the id once the winner commits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.failures import clear_dead_letter, is_second_delivery
from shared.events.outbox import inbox_table
from shared.observability import HANDLER_RESULTS, event_id_var, get_logger

Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
log = get_logger("events")


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
