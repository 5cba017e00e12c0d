"""Events that fail (issue 12; ARCHITECTURE: events and queues).

A handler that keeps failing leaves its event in the consuming service's dead letters while
the events after it go on; a redrive applies it once; the inbox alone stops a second effect;
and a relay restarted with a failed job id still in Redis loses nothing and runs nothing
twice. The handler under test is intake's for ``contracts.conditions_published``, replaced
by one whose effect is not idempotent by itself: it adds one to a counter.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from arq import create_pool
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import deserialize_job
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.intake.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope
from shared.events.consumer import apply_once
from shared.events.contracts import ConditionsPublishedV1
from shared.events.enqueue import HANDLE_EVENTS_JOB
from shared.events.outbox import publish
from shared.queue import queue_name, redis_settings
from tests.support.infra import INFRA
from tests.support.pipeline import eventually, running_pipeline
from tests.support.servers import server_process

EVENT = ConditionsPublishedV1.name


class CountingHandler:
    """Adds one to ``testing.effect`` per call: a second run would show as 2. Raises for the
    hotels in ``poisoned``. ``calls`` counts runs, whatever their outcome."""

    def __init__(self) -> None:
        self.poisoned: set[uuid.UUID] = set()
        self.calls: Counter[uuid.UUID] = Counter()

    async def __call__(self, session: AsyncSession, envelope: Envelope) -> None:
        hotel_id = uuid.UUID(envelope.payload["hotel_id"])
        self.calls[hotel_id] += 1
        if hotel_id in self.poisoned:
            raise RuntimeError(f"poisoned hotel {hotel_id}")
        await session.execute(
            text(
                "INSERT INTO testing.effect (key, n) VALUES (:key, 1) "
                "ON CONFLICT (key) DO UPDATE SET n = testing.effect.n + 1"
            ),
            {"key": str(hotel_id)},
        )


@pytest.fixture
async def db() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(INFRA.database_url, pool_size=4)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE SCHEMA IF NOT EXISTS testing"))
        await conn.execute(text("DROP TABLE IF EXISTS testing.effect"))
        await conn.execute(text("CREATE TABLE testing.effect (key text PRIMARY KEY, n int)"))
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> CountingHandler:
    counting = CountingHandler()
    monkeypatch.setitem(HANDLERS, EVENT, counting)
    monkeypatch.setenv("ROOMLINE_EVENT_MAX_TRIES", "3")
    monkeypatch.setenv("ROOMLINE_EVENT_RETRY_CAP_SECONDS", "0.2")
    return counting


async def publish_conditions(db: async_sessionmaker[AsyncSession], *hotels: uuid.UUID) -> None:
    async with unit_of_work(db) as session:
        for hotel_id in hotels:
            payload = ConditionsPublishedV1(hotel_id=hotel_id, conditions=[])
            await publish(session, schema="contracts", payload=payload, occurred_at=clock.now())


async def effect(db: async_sessionmaker[AsyncSession], hotel_id: uuid.UUID) -> int:
    async with db() as session:
        found = await session.scalar(
            text("SELECT n FROM testing.effect WHERE key = :key"), {"key": str(hotel_id)}
        )
    return int(found or 0)


async def dead_letter(db: async_sessionmaker[AsyncSession], event_id: object) -> dict | None:
    async with db() as session:
        row = (
            await session.execute(
                text(
                    "SELECT state, tries, error, raised_at FROM intake.dead_letter "
                    "WHERE event_id = :id"
                ),
                {"id": event_id},
            )
        ).first()
    return dict(row._mapping) if row else None


async def event_id_of(db: async_sessionmaker[AsyncSession], hotel_id: uuid.UUID) -> uuid.UUID:
    async with db() as session:
        found = await session.scalar(
            text("SELECT event_id FROM contracts.outbox WHERE payload->>'hotel_id' = :h"),
            {"h": str(hotel_id)},
        )
    assert found is not None
    return uuid.UUID(str(found))


async def test_a_poison_event_is_dead_lettered_while_the_rest_flow_then_one_redrive_applies_it_once(
    db: async_sessionmaker[AsyncSession], handler: CountingHandler, login_as: Any
) -> None:
    before, poison, after = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    handler.poisoned.add(poison)
    await publish_conditions(db, before, poison, after)
    poison_event = await event_id_of(db, poison)
    async with running_pipeline(("intake",)):
        await eventually(lambda: dead_letter(db, poison_event), timeout=30)
        letter = await dead_letter(db, poison_event)
        assert letter is not None
        assert letter["state"] == "dead" and letter["tries"] == 3
        assert "poisoned hotel" in letter["error"]
        assert "test_event_failures.py" in letter["raised_at"]
        assert await effect(db, before) == 1 and await effect(db, after) == 1
        assert await effect(db, poison) == 0
        admin = await login_as("root", Role.ADMIN)
        shown = (await admin.get("/intake/api/admin/events")).json()
        assert [d["event_id"] for d in shown["letters"]] == [str(poison_event)]
        assert (
            'roomline_events_dead_letters{service="intake"} 1.0'
            in (await admin.get("/intake/metrics")).text
        )

        handler.poisoned.clear()  # the fault is mended
        redrive = f"/intake/api/admin/events/{poison_event}/redrive"
        assert (await admin.post_json(redrive, {})).status_code == 200
        await eventually(lambda: effect(db, poison), timeout=20)
        await eventually(lambda: _gone(db, poison_event), timeout=10)

        again = await admin.post_json(redrive, {})
        assert again.status_code == 404  # nothing dead to redrive: the event is applied
        await asyncio.sleep(1.5)
    assert await effect(db, poison) == 1
    assert handler.calls[poison] == 4  # three tries, one redrive
    assert (
        'roomline_events_dead_letters{service="intake"} 0.0'
        in (await admin.get("/intake/metrics")).text
    )
    async with db() as session:
        audited = await session.scalar(
            text("SELECT count(*) FROM intake.audit_log WHERE action = 'event_redrive'")
        )
    assert audited == 1


async def _gone(db: async_sessionmaker[AsyncSession], event_id: uuid.UUID) -> bool:
    return await dead_letter(db, event_id) is None


async def _envelope(db: async_sessionmaker[AsyncSession], hotel_id: uuid.UUID) -> Envelope:
    async with db() as session:
        row = (
            await session.execute(
                text("SELECT * FROM contracts.outbox WHERE payload->>'hotel_id' = :h"),
                {"h": str(hotel_id)},
            )
        ).one()
    return Envelope(source="contracts", **{k: row._mapping[k] for k in _ENVELOPE_COLUMNS})


_ENVELOPE_COLUMNS = (
    "event_id", "name", "version", "occurred_at", "payload", "aggregate", "aggregate_version",
)  # fmt: skip


async def test_the_inbox_alone_stops_a_second_effect_sequential_and_concurrent(
    db: async_sessionmaker[AsyncSession], handler: CountingHandler
) -> None:
    sequential, concurrent = uuid.uuid4(), uuid.uuid4()
    await publish_conditions(db, sequential, concurrent)

    async def deliver(hotel_id: uuid.UUID) -> str:
        return await apply_once(
            db,
            service="intake",
            schema="intake",
            handlers=HANDLERS,
            envelope=await _envelope(db, hotel_id),
        )

    assert [await deliver(sequential), await deliver(sequential)] == ["handled", "duplicate"]
    outcomes = await asyncio.gather(*(deliver(concurrent) for _ in range(4)))
    assert sorted(outcomes) == ["duplicate"] * 3 + ["handled"]
    assert await effect(db, sequential) == 1
    assert await effect(db, concurrent) == 1
    # The losers of the race waited on the inbox key and then found the id: one run each.
    assert handler.calls[concurrent] <= 4


async def test_a_relay_restarted_mid_batch_with_a_failed_job_id_in_redis_loses_and_doubles_nothing(
    db: async_sessionmaker[AsyncSession], handler: CountingHandler
) -> None:
    hotel = uuid.uuid4()
    handler.poisoned.add(hotel)
    await publish_conditions(db, hotel)
    event_id = await event_id_of(db, hotel)
    primary = f"{event_id}:intake"
    async with running_pipeline(("intake",)):
        await eventually(lambda: dead_letter(db, event_id), timeout=30)
    redis = await create_pool(redis_settings(INFRA.redis_url))
    try:
        assert await redis.exists(result_key_prefix + primary)  # arq keeps the failure
        handler.poisoned.clear()
        await _unrelay(event_id)  # the runbook's replay after Redis lost its queue
        # The relay enqueues, then dies before marking the row relayed (the fault hook).
        fault = {"ROOMLINE_FAULT_RELAY_EXIT_AFTER_ENQUEUE": "true"}
        with server_process(web=False, workers=False, env=fault) as (_, relay):
            await asyncio.to_thread(relay.wait, 30)
            assert relay.returncode == 17
        queue = queue_name("intake", _prefix())
        # Issue 19: one batch job under a fresh id, which arq cannot take for the failed one.
        (queued,) = await redis.zrange(queue, 0, -1)
        raw = await redis.get(job_key_prefix + queued.decode())
        job = deserialize_job(raw, deserializer=redis.job_deserializer)
        assert job.function == HANDLE_EVENTS_JOB
        assert [e["event_id"] for e in job.args[0]] == [str(event_id)]
        async with running_pipeline(("intake",)):
            await eventually(lambda: effect(db, hotel), timeout=20)
            await eventually(lambda: _relayed(event_id), timeout=10)
            await asyncio.sleep(1.5)
        assert not await redis.exists(job_key_prefix + f"{primary}:retry2")
        assert not await redis.exists(result_key_prefix + f"{primary}:retry2")
    finally:
        await redis.aclose()
    assert await effect(db, hotel) == 1
    assert handler.calls[hotel] == 3 + 1  # its three failed tries, then exactly one run
    assert await dead_letter(db, event_id) is None  # the success cleared it


def _prefix() -> str:
    return os.environ["ROOMLINE_QUEUE_PREFIX"]


async def _unrelay(event_id: uuid.UUID) -> None:
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        await conn.execute(
            "UPDATE contracts.outbox SET relayed_at = NULL WHERE event_id = $1", event_id
        )
    finally:
        await conn.close()


async def _relayed(event_id: uuid.UUID) -> bool:
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        return bool(
            await conn.fetchval(
                "SELECT relayed_at IS NOT NULL FROM contracts.outbox WHERE event_id = $1", event_id
            )
        )
    finally:
        await conn.close()
