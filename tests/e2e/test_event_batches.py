"""Events relayed and applied in batches (issue 19; ARCHITECTURE: events and queues).

A batch applies in one transaction; an event whose handler raises leaves it without taking
its batch-mates' effects along, and goes on alone to its retries and dead letter. A relay
killed between enqueueing a batch and marking it relayed sends the batch again, and the
inbox lets each event take effect once. The handler is the counting one of
``test_event_failures`` (its effect is not idempotent by itself).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from arq import create_pool
from arq.constants import job_key_prefix
from arq.jobs import deserialize_job
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.handlers import HANDLERS
from shared.events import Envelope
from shared.events.consumer import apply_batch
from shared.events.enqueue import HANDLE_EVENTS_JOB
from shared.queue import queue_name, redis_settings
from tests.e2e import test_event_failures as failures
from tests.e2e.test_event_failures import (
    CountingHandler,
    _envelope,
    _prefix,
    dead_letter,
    effect,
    event_id_of,
    publish_conditions,
)
from tests.support.infra import INFRA
from tests.support.pipeline import eventually, running_pipeline
from tests.support.servers import server_process

Sessions = async_sessionmaker[AsyncSession]
db, handler = failures.db, failures.handler  # the fixtures, shared


async def _inbox(db: Sessions, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    async with db() as session:
        rows = await session.scalars(
            text("SELECT event_id FROM intake.inbox WHERE event_id = ANY(:ids)"), {"ids": ids}
        )
        return set(rows)


async def _batch(db: Sessions, envelopes: list[Envelope]) -> Any:
    return await apply_batch(
        db, service="intake", schema="intake", handlers=HANDLERS, envelopes=envelopes
    )


async def test_a_failing_event_leaves_its_batch_and_the_others_apply_once(
    db: Sessions, handler: CountingHandler
) -> None:
    hotels = [uuid.uuid4() for _ in range(5)]
    poisoned = {hotels[1], hotels[3]}
    handler.poisoned |= poisoned
    await publish_conditions(db, *hotels)
    envelopes = [await _envelope(db, h) for h in hotels]

    result = await _batch(db, envelopes)

    assert {uuid.UUID(e.payload["hotel_id"]) for e in result.failed} == poisoned
    assert result.unapplied == [] and result.outcomes == {"handled": 3}
    assert [await effect(db, h) for h in hotels] == [1, 0, 1, 0, 1]
    # A failed event's inbox row went with its round: a later delivery can still apply it.
    assert await _inbox(db, [e.event_id for e in envelopes]) == {
        e.event_id for e in envelopes if uuid.UUID(e.payload["hotel_id"]) not in poisoned
    }
    handler.poisoned.clear()
    again = await _batch(db, envelopes)  # the same batch delivered a second time
    assert again.outcomes == {"duplicate": 3, "handled": 2} and not again.failed
    assert [await effect(db, h) for h in hotels] == [1] * 5
    # Rounds that failed were rolled back: a rerun is a call, never a second effect.
    assert [handler.calls[h] for h in hotels] == [3, 2, 2, 2, 1]


async def test_in_the_pipeline_a_batch_mate_is_dead_lettered_after_its_tries_alone(
    db: Sessions, handler: CountingHandler
) -> None:
    hotels = [uuid.uuid4() for _ in range(5)]
    handler.poisoned.add(hotels[2])
    await publish_conditions(db, *hotels)  # one transaction: one relayed batch
    poison_event = await event_id_of(db, hotels[2])
    async with running_pipeline(("intake",)):
        await eventually(lambda: dead_letter(db, poison_event), timeout=30)
        await asyncio.sleep(1)
    letter = await dead_letter(db, poison_event)
    assert letter is not None and letter["state"] == "dead"
    assert letter["tries"] == 3  # ROOMLINE_EVENT_MAX_TRIES: the batch's run is the first
    assert handler.calls[hotels[2]] == 3
    assert [await effect(db, h) for h in hotels] == [1, 1, 0, 1, 1]


async def test_a_relay_killed_before_marking_its_batch_sends_it_again_and_each_applies_once(
    db: Sessions, handler: CountingHandler
) -> None:
    hotels = [uuid.uuid4() for _ in range(30)]
    await publish_conditions(db, *hotels)
    redis = await create_pool(redis_settings(INFRA.redis_url))
    try:
        fault = {"ROOMLINE_FAULT_RELAY_EXIT_AFTER_ENQUEUE": "true"}
        with server_process(web=False, workers=False, env=fault) as (_, relay):
            await asyncio.to_thread(relay.wait, 30)
            assert relay.returncode == 17
        (queued,) = await redis.zrange(queue_name("intake", _prefix()), 0, -1)
        raw = await redis.get(job_key_prefix + queued.decode())
        job = deserialize_job(raw, deserializer=redis.job_deserializer)
        assert job.function == HANDLE_EVENTS_JOB and len(job.args[0]) == len(hotels)
        async with running_pipeline(("intake",)):
            await eventually(lambda: _all_applied(db, hotels), timeout=30)
            await asyncio.sleep(1.5)  # the re-sent batch runs too, and finds the inbox
    finally:
        await redis.aclose()
    assert [await effect(db, h) for h in hotels] == [1] * len(hotels)
    assert all(handler.calls[h] == 1 for h in hotels)


async def _all_applied(db: Sessions, hotels: list[uuid.UUID]) -> bool:
    return all([await effect(db, h) == 1 for h in hotels])
