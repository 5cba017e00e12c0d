"""Follow Asterisk's queue_log into the metrics service: ``python -m workers.queue_log_tail``.

Reads ``ROOMLINE_QUEUE_LOG_PATH`` (SL-1); the all-in-one process (``workers.run``) runs the
same ``follow_queue_log`` when that setting is given and metrics is among its services.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from services.metrics.settings import MetricsSettings
from services.metrics.tailer import QueueLogTailer
from shared.db import make_engine, make_sessionmaker
from shared.observability import configure_logging, get_logger

log = get_logger("queue_log_tail")


async def follow_queue_log(stop: asyncio.Event, settings: MetricsSettings | None = None) -> None:
    settings = settings or MetricsSettings()
    engine = make_engine(settings.database_url, pool_size=2)
    tailer = QueueLogTailer(
        Path(settings.queue_log_path), make_sessionmaker(engine), source=settings.queue_log_source
    )
    log.info("queue_log_following", path=settings.queue_log_path)
    try:
        await tailer.run(stop, interval=settings.queue_log_poll_seconds)
    finally:
        await engine.dispose()


async def run() -> None:
    settings = MetricsSettings()
    if not settings.queue_log_path:
        raise SystemExit("Set ROOMLINE_QUEUE_LOG_PATH to the queue_log to follow.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await follow_queue_log(stop, settings)


def main() -> None:
    configure_logging(MetricsSettings().log_level)
    asyncio.run(run())


if __name__ == "__main__":
    main()
