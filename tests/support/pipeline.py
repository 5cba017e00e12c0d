"""The event pipeline inside a test: the relay and every service's worker as asyncio tasks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from arq.worker import Worker

from migrations import SERVICES
from workers.registry import worker_settings_factory, workers_of
from workers.relay import run_relay


@asynccontextmanager
async def running_pipeline(services: tuple[str, ...] = SERVICES) -> AsyncIterator[None]:
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
            await worker.close()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 20.0, interval: float = 0.1
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with its last value otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")
