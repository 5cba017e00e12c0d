"""The event pipeline inside a test: the relay and every service's worker as asyncio tasks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

# The pipeline the demo loader runs is the tests' pipeline too.
from workers.demo_pipeline import running_pipeline

__all__ = ["eventually", "running_pipeline"]


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
