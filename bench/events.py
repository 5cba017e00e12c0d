"""Commit-to-handled event throughput and p99 latency, against bare queues in the same run.

``python -m bench.events [N]``. Ours: each booking event is committed to intake's outbox in its
own transaction, relayed, and handled by the confirmation worker (inbox + task insert). Raw:
the same number of messages sent one at a time and handled by a no-op, through bare arq at its
defaults, bare arq polling every 0.05 s, and a bare Redis Streams consumer group (XREADGROUP
COUNT 100, XACK). Ours is compared with the best bare arq figure (the goal: at least half),
then run again paced at half its rate, for the p99 goal (under 1 s). Machine load and CPU
steal are printed beside every figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
import time
from typing import Any

from arq import create_pool
from arq.worker import Worker, func

from bench.common import Machine, bench_infra, p99, report

WRITERS = 8
RAW_LATENCIES: list[float] = []
RAW_DONE: list[float] = []


def _handled(sent_at: float) -> None:
    now = time.time()
    RAW_LATENCIES.append(now - sent_at)
    RAW_DONE.append(now)


def _raw_figures(count: int, started: float, machine: Machine) -> dict[str, Any]:
    figures = {
        "per_second": count / (max(RAW_DONE) - started),
        "p99": p99(RAW_LATENCIES),
        "machine": machine.line(),
    }
    RAW_LATENCIES.clear()
    RAW_DONE.clear()
    return figures


async def _noop(ctx: dict[str, Any], sent_at: float) -> None:
    _handled(sent_at)


async def run_raw_arq(redis_url: str, count: int, *, poll_delay: float) -> dict[str, Any]:
    from shared.queue import redis_settings

    settings = redis_settings(redis_url)
    queue = f"bench:raw:{poll_delay}"
    worker = Worker(
        functions=[func(_noop, name="noop")],
        redis_settings=settings,
        queue_name=queue,
        max_jobs=20,
        handle_signals=False,
        keep_result=60,
        poll_delay=poll_delay,
    )
    task = asyncio.create_task(worker.async_run())
    pool = await create_pool(settings)
    machine, started = Machine(), time.time()
    for _ in range(count):
        await pool.enqueue_job("noop", time.time(), _queue_name=queue)
    while len(RAW_DONE) < count:
        await asyncio.sleep(0.01)
    figures = _raw_figures(count, started, machine)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await pool.aclose()
    return figures


async def _stream_consumer(redis: Any, stream: str, count: int) -> None:
    while len(RAW_DONE) < count:
        answer = await redis.xreadgroup("g", "c1", {stream: ">"}, count=100, block=100)
        for _, messages in answer or []:
            for _id, fields in messages:
                _handled(float(fields[b"sent_at"]))
            await redis.xack(stream, "g", *[message_id for message_id, _ in messages])


async def run_raw_streams(redis_url: str, count: int) -> dict[str, Any]:
    from redis.asyncio import Redis

    producer, consumer = Redis.from_url(redis_url), Redis.from_url(redis_url)
    stream = "bench:raw:stream"
    await producer.delete(stream)
    await producer.xgroup_create(stream, "g", id="0", mkstream=True)
    reading = asyncio.create_task(_stream_consumer(consumer, stream, count))
    machine, started = Machine(), time.time()
    for _ in range(count):
        await producer.xadd(stream, {"sent_at": repr(time.time())})
    await reading
    figures = _raw_figures(count, started, machine)
    await producer.aclose()
    await consumer.aclose()
    return figures


def _publisher(count: int, rate: float | None) -> None:
    asyncio.run(publish_bookings(count, rate=rate))


async def publish_bookings(count: int, *, rate: float | None) -> None:
    """``count`` booking events, each committed in its own transaction by one of ``WRITERS``
    connections, as concurrent bookings are: one connection alone would measure only the
    durable commit's latency (fsync is on). It runs in a process of its own, as the web
    app does beside the relay and the workers."""
    import os

    from shared.db import make_engine, make_sessionmaker

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=WRITERS)
    sessionmaker = make_sessionmaker(engine)
    pause = WRITERS / rate if rate else 0.0
    await asyncio.gather(
        *(_writer(sessionmaker, range(w, count, WRITERS), pause) for w in range(WRITERS))
    )
    await engine.dispose()


async def _writer(sessionmaker: Any, numbers: range, pause: float) -> None:
    from shared.clock import clock
    from shared.db import unit_of_work
    from shared.events.outbox import publish
    from tests.e2e.test_event_delivery import booking_payload

    for n in numbers:
        async with unit_of_work(sessionmaker) as session:
            await publish(
                session, schema="intake", payload=booking_payload(n), occurred_at=clock.now()
            )
        if pause:
            await asyncio.sleep(pause)


async def measure_ours(count: int, *, rate: float | None) -> dict[str, Any]:
    import os

    import asyncpg

    from tests.support.pipeline import running_pipeline

    dsn = os.environ["DATABASE_URL"].replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    # CASCADE: order_dispatch (and whatever comes to reference the tasks) goes with them.
    await conn.execute(
        "TRUNCATE intake.outbox, confirmation.inbox, confirmation.confirmation_task CASCADE"
    )
    machine = Machine()
    async with running_pipeline(services=("confirmation",)):
        publisher = multiprocessing.get_context("spawn").Process(
            target=_publisher, args=(count, rate)
        )
        publisher.start()
        await asyncio.to_thread(publisher.join)
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
    return {"per_second": count / elapsed, "p99": p99(latencies), "machine": machine.line()}


def _line(name: str, figures: dict[str, Any]) -> str:
    return (
        f"  {name:24}: {figures['per_second']:8.1f}/s   p99 {figures['p99'] * 1000:7.1f} ms"
        f"   {figures['machine']}"
    )


async def measure(redis_url: str, count: int) -> None:
    bare = {
        "bare arq, defaults": await run_raw_arq(redis_url, count, poll_delay=0.5),
        "bare arq, poll 0.05 s": await run_raw_arq(redis_url, count, poll_delay=0.05),
        "bare Redis Streams": await run_raw_streams(redis_url, count),
    }
    ours = await measure_ours(count, rate=None)
    print(f"\nevents: {count} sent one at a time, sent-to-handled")
    for name, figures in bare.items():
        print(_line(name, figures))
    print(_line("roomline (commit→handled)", ours))
    best = max(bare["bare arq, defaults"], bare["bare arq, poll 0.05 s"], key=_rate)
    report("events: roomline against the best bare arq", ours, best)
    print("  (goal: at least 50%)")
    paced_rate = ours["per_second"] / 2
    paced = await measure_ours(max(count // 2, 50), rate=paced_rate)
    print(
        f"  paced at {paced_rate:.0f}/s (half of ours): p99 {paced['p99'] * 1000:.0f} ms "
        f"(goal: under 1000 ms)   {paced['machine']}"
    )


def _rate(figures: dict[str, Any]) -> float:
    return float(figures["per_second"])


def main(count: int) -> None:
    with bench_infra() as infra:
        asyncio.run(measure(infra.redis_url, count))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
