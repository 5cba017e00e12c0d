"""Commit-to-handled event throughput and p99 latency, against bare arq jobs in the same run.

``python -m bench.events [N]``. Ours: each booking event is committed to intake's outbox in its
own transaction, relayed, and handled by the confirmation worker (inbox + task insert). Raw: the
same number of bare arq jobs enqueued directly and handled by a no-op function. Then ours again,
paced at half its measured rate, for the p99 goal (under 1 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from typing import Any

from arq import create_pool
from arq.worker import Worker, func

from bench.common import bench_infra, p99, report

RAW_LATENCIES: list[float] = []
RAW_DONE: list[float] = []


async def _noop(ctx: dict[str, Any], sent_at: float) -> None:
    now = time.time()
    RAW_LATENCIES.append(now - sent_at)
    RAW_DONE.append(now)


async def run_raw(redis_url: str, count: int) -> dict[str, float]:
    from shared.queue import redis_settings

    settings = redis_settings(redis_url)
    worker = Worker(
        functions=[func(_noop, name="noop")],
        redis_settings=settings,
        queue_name="bench:raw",
        max_jobs=20,
        handle_signals=False,
        keep_result=60,
    )
    task = asyncio.create_task(worker.async_run())
    pool = await create_pool(settings)
    started = time.time()
    for _ in range(count):
        await pool.enqueue_job("noop", time.time(), _queue_name="bench:raw")
    while len(RAW_DONE) < count:
        await asyncio.sleep(0.01)
    elapsed = max(RAW_DONE) - started
    await worker.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await pool.aclose()
    return {"per_second": count / elapsed, "p99": p99(RAW_LATENCIES)}


async def publish_bookings(count: int, *, rate: float | None) -> None:
    import os

    from shared.clock import clock
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from shared.events.outbox import publish
    from tests.e2e.test_event_delivery import booking_payload
    from tests.support.infra import INFRA  # noqa: F401  (env already exported)

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=4)
    sessionmaker = make_sessionmaker(engine)
    for n in range(count):
        async with unit_of_work(sessionmaker) as session:
            await publish(
                session, schema="intake", payload=booking_payload(n), occurred_at=clock.now()
            )
        if rate:
            await asyncio.sleep(1 / rate)
    await engine.dispose()


async def measure_ours(count: int, *, rate: float | None) -> dict[str, float]:
    import os

    import asyncpg

    from tests.support.pipeline import running_pipeline

    dsn = os.environ["DATABASE_URL"].replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    await conn.execute("TRUNCATE intake.outbox, confirmation.inbox, confirmation.confirmation_task")
    async with running_pipeline(services=("confirmation",)):
        await publish_bookings(count, rate=rate)
        while await conn.fetchval("SELECT count(*) FROM confirmation.confirmation_task") < count:
            await asyncio.sleep(0.05)
    rows = await conn.fetch(
        "SELECT extract(epoch FROM t.created_at - o.created_at) AS latency, "
        "extract(epoch FROM t.created_at) AS done, extract(epoch FROM o.created_at) AS sent "
        "FROM confirmation.confirmation_task t JOIN intake.outbox o "
        "ON o.payload->>'booking_id' = t.booking_id::text"
    )
    await conn.close()
    latencies = [float(r["latency"]) for r in rows]
    elapsed = max(float(r["done"]) for r in rows) - min(float(r["sent"]) for r in rows)
    return {"per_second": count / elapsed, "p99": p99(latencies)}


async def measure(redis_url: str, count: int) -> None:
    raw = await run_raw(redis_url, count)
    ours = await measure_ours(count, rate=None)
    report(f"events: {count} commit-to-handled (flat out)", ours, raw)
    paced_rate = ours["per_second"] / 2
    paced = await measure_ours(max(count // 2, 50), rate=paced_rate)
    print(
        f"  paced at {paced_rate:.0f}/s (half of ours): p99 {paced['p99'] * 1000:.0f} ms "
        f"(goal: under 1000 ms)"
    )


def main(count: int) -> None:
    with bench_infra() as infra:
        asyncio.run(measure(infra.redis_url, count))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
