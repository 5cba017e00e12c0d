"""The event pipeline while the demo loads: the relay and every service's worker, in-process.

``make run`` loads its demo before the web app and the workers start, but the demo's desks
need events to have flowed: intake sells only hotels whose contracts, allotments and rates it
has heard of; the confirmation desk's tasks come from intake's booking events; a hotel's
answer reaches the booking as an event again. So the loader runs the same relay and arq
workers ``workers.run`` runs (same Redis, same queue prefix), waits at each step for what it
needs, drains the outboxes and queues, and stops them; the real workers then take over
whatever arrives later (a send's retry, say).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from arq.worker import Worker
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from migrations import SERVICES
from shared.config import get_settings
from shared.events import operations
from shared.observability import get_logger
from workers.registry import worker_settings_factory, workers_of
from workers.relay import run_relay

log = get_logger("demo")
T = TypeVar("T")
# Generous: on a loaded laptop the first events wait for every worker's start-up.
WAIT_SECONDS = 60.0


class DemoNotReady(RuntimeError):
    """An event the demo waits for did not arrive in time (a worker failing, say)."""


@asynccontextmanager
async def running_pipeline(services: tuple[str, ...] = SERVICES) -> AsyncIterator[None]:
    """The relay and the workers of ``workers.run`` (of ``services``), as tasks of this loop,
    until exit. The tests' pipeline is this one too (tests/support/pipeline.py)."""
    stop = asyncio.Event()
    names = [name for service in services for name in workers_of(service)]
    workers = [Worker(**worker_settings_factory(name)()) for name in names]  # type: ignore[arg-type]
    tasks: list[asyncio.Task[Any]] = [asyncio.create_task(w.async_run()) for w in workers]
    tasks.append(asyncio.create_task(run_relay(stop)))
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            # arq's close cancels a job still running and re-raises its CancelledError.
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(worker.close(), timeout=5)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def wait_for(
    what: str,
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = WAIT_SECONDS,
    interval: float = 0.2,
) -> T:
    """Poll ``check`` until it returns something truthy; ``DemoNotReady`` naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise DemoNotReady(f"demo data: {what} did not happen within {timeout:.0f} s")
        await asyncio.sleep(interval)


async def drained(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Until every outbox is relayed and every queue is empty twice in a row: all events the
    demo caused have had their effects (and the events those caused, in turn)."""
    settings = get_settings()
    redis = Redis.from_url(settings.redis_url)
    queues = [name for service in SERVICES for name in workers_of(service)]

    async def idle() -> bool:
        async with sessionmaker() as session:
            for schema in SERVICES:
                if (await operations.outbox_figures(session, schema=schema)).unrelayed:
                    return False
        for name in queues:
            if await operations.queued_jobs(redis, service=name, prefix=settings.queue_prefix):
                return False
        return True

    async def twice() -> bool:
        if not await idle():
            return False
        await asyncio.sleep(0.3)
        return await idle()

    try:
        await wait_for("the events settling", twice)
    finally:
        await redis.aclose()
