"""The outbox relay process: ``python -m workers.relay``."""

from __future__ import annotations

import asyncio
import signal

from prometheus_client import start_http_server

from shared.config import get_settings
from shared.db import make_engine
from shared.events.relay import OutboxRelay
from shared.observability import configure_logging
from workers.registry import EVENT_SCHEMAS


def build_relay() -> OutboxRelay:
    settings = get_settings()
    return OutboxRelay(
        engine=make_engine(settings.database_url, pool_size=2),
        dsn=settings.asyncpg_dsn,
        redis_url=settings.redis_url,
        schemas=EVENT_SCHEMAS,
        queue_prefix=settings.queue_prefix,
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
        exit_after_enqueue=settings.fault_relay_exit_after_enqueue,
    )


async def run_relay(stop: asyncio.Event) -> None:
    relay = build_relay()
    try:
        await relay.run(stop)
    finally:
        await relay.engine.dispose()


def main() -> None:
    configure_logging(get_settings().log_level)
    if get_settings().metrics_port:
        start_http_server(get_settings().metrics_port)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
