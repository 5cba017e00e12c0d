"""No lost and no doubled event (ARCHITECTURE: events and queues).

500 committed bookings flow intake.outbox → relay → arq → confirmation handler → inbox while
the test (a) SIGKILLs the worker and starts another, (b) restarts Redis under the relay,
(c) kills the relay between enqueueing a batch and marking it relayed, and (d) delivers one
event a second time. Afterwards exactly 500 confirmation tasks exist.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from datetime import timedelta

import asyncpg
from arq import create_pool

from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.embedded import EmbeddedRedis, free_port
from shared.events.intake import BookedNight, BookingPlacedV1
from shared.events.outbox import publish
from shared.events.relay import HANDLE_EVENT_JOB
from shared.queue import queue_name, redis_settings
from tests.support.infra import INFRA
from tests.support.pipeline import eventually
from tests.support.servers import server_process

BOOKINGS = 500


def booking_payload(n: int) -> BookingPlacedV1:
    check_in = clock.today() + timedelta(days=3 + n % 20)
    return BookingPlacedV1(
        booking_id=uuid.uuid4(),
        booking_ref=f"RLTEST{n:04X}",
        hotel_id=uuid.uuid4(),
        hotel_name="北京国贸大酒店",
        room_type_id=uuid.uuid4(),
        room_type_name="Deluxe King",
        rate_plan_id=uuid.uuid4(),
        rate_plan_name="Prepaid",
        check_in=check_in,
        check_out=check_in + timedelta(days=1),
        rooms=1,
        guest_names=["张三"],
        booker_name="李四",
        booker_phone="13800138000",
        payment_mode="prepaid",
        confirm_channel="email",
        currency="CNY",
        nights=[BookedNight(night=check_in, net_minor=50000, sell_minor=58000)],
        total_sell_minor=58000,
        urgent=False,
        placed_at=clock.now(),
        agent_username="agent",
    )


async def commit_bookings(count: int) -> None:
    engine = make_engine(INFRA.database_url, pool_size=2)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        for n in range(count):
            await publish(
                session, schema="intake", payload=booking_payload(n), occurred_at=clock.now()
            )
    await engine.dispose()


class Counts:
    def __init__(self) -> None:
        self.dsn = INFRA.database_url.replace("+asyncpg", "")

    async def scalar(self, sql: str) -> int:
        conn = await asyncpg.connect(self.dsn)
        try:
            return int(await conn.fetchval(sql))
        finally:
            await conn.close()

    async def tasks(self) -> int:
        return await self.scalar("SELECT count(*) FROM confirmation.confirmation_task")

    async def unrelayed(self) -> int:
        return await self.scalar("SELECT count(*) FROM intake.outbox WHERE relayed_at IS NULL")


async def at_least(counts: Counts, n: int) -> None:
    await eventually(lambda: _ge(counts, n), timeout=60, interval=0.05)


async def _ge(counts: Counts, n: int) -> bool:
    return await counts.tasks() >= n


async def deliver_again(redis_url: str, prefix: str) -> None:
    """(d) The same event a second time, under a new job id so arq cannot dedupe it."""
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    row = await conn.fetchrow("SELECT * FROM intake.outbox ORDER BY created_at LIMIT 1")
    await conn.close()
    pool = await create_pool(redis_settings(redis_url))
    envelope = {
        "event_id": str(row["event_id"]),
        "name": row["name"],
        "version": row["version"],
        "occurred_at": row["occurred_at"].isoformat(),
        "source": "intake",
        "payload": __import__("json").loads(row["payload"]),
    }
    await pool.enqueue_job(
        HANDLE_EVENT_JOB,
        envelope,
        _job_id=f"redelivery-{uuid.uuid4()}",
        _queue_name=queue_name("confirmation", prefix),
    )
    await pool.aclose()


async def test_no_event_lost_or_doubled_through_kills_and_restarts(tmp_path) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", free_port())  # AOF on: it survives a restart
    redis.start()
    prefix = os.environ["ROOMLINE_QUEUE_PREFIX"]
    env = {"REDIS_URL": redis.url(), "ROOMLINE_RELAY_BATCH_SIZE": "50"}
    counts = Counts()
    try:
        await commit_bookings(BOOKINGS)
        # (c) A relay that dies after enqueueing its first batch, before marking it relayed.
        with server_process(
            web=False, workers=False, env={**env, "ROOMLINE_FAULT_RELAY_EXIT_AFTER_ENQUEUE": "true"}
        ) as (_, r1):
            await asyncio.to_thread(r1.wait, 30)
            assert r1.returncode == 17
        assert await counts.unrelayed() == BOOKINGS
        with server_process(web=False, relay=False, services="confirmation", env=env) as (_, w1):
            await at_least(counts, 50)  # the orphaned batch was still delivered
            with server_process(web=False, workers=False, env=env):
                await at_least(counts, 120)
                w1.send_signal(signal.SIGKILL)  # (a) mid-stream
                w1.wait(10)
                with server_process(web=False, relay=False, services="confirmation", env=env):
                    await at_least(counts, 200)
                    redis.stop()  # (b) Redis goes away under the relay and the worker
                    await asyncio.sleep(1.5)
                    redis.start()
                    await deliver_again(redis.url(), prefix)
                    await eventually(lambda: _ge(counts, BOOKINGS), timeout=120, interval=0.2)
                    await asyncio.sleep(3)  # let any stray duplicate land before counting
        assert await counts.tasks() == BOOKINGS
        assert await counts.unrelayed() == 0
        handled = await counts.scalar(
            "SELECT count(*) FROM confirmation.inbox WHERE name = 'intake.booking_placed'"
        )
        assert handled == BOOKINGS
        distinct = await counts.scalar(
            "SELECT count(DISTINCT booking_id) FROM confirmation.confirmation_task"
        )
        assert distinct == BOOKINGS
    finally:
        redis.stop()
