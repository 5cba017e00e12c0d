"""The inbound SMTP server for hotels' replies, alone: ``python -m workers.smtp_inbound``.

Listens on ``ROOMLINE_INBOUND_SMTP_HOST:ROOMLINE_INBOUND_SMTP_PORT`` (CF-4). The all-in-one
process (``workers.run``) runs the same ``serve_inbound`` unless given ``--no-smtp``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from services.confirmation.inbound import start_inbound_server
from services.confirmation.settings import ConfirmationSettings
from shared.db import make_engine, make_sessionmaker
from shared.observability import configure_logging, get_logger

log = get_logger("smtp_inbound")
# Sessions in flight may finish their DATA this long after a stop; then we leave anyway.
CLOSE_GRACE_SECONDS = 5.0


async def serve_inbound(
    stop: asyncio.Event, *, settings: ConfirmationSettings | None = None, required: bool = True
) -> None:
    """Serve mail until ``stop``. A port that cannot be bound raises when ``required``;
    otherwise it is logged and the caller's other parts keep running (the all-in-one
    process keeps its web app up: a second local instance must not take it down)."""
    settings = settings or ConfirmationSettings()
    engine = make_engine(settings.database_url, pool_size=2)
    try:
        try:
            server = await start_inbound_server(settings, make_sessionmaker(engine))
        except OSError as exc:
            log.error("inbound_smtp_not_started", port=settings.inbound_smtp_port, error=repr(exc))
            if required:
                raise
            await stop.wait()
            return
        try:
            await stop.wait()
        finally:
            server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), timeout=CLOSE_GRACE_SECONDS)
            log.info("inbound_smtp_stopped")
    finally:
        await engine.dispose()


async def run() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve_inbound(stop, required=True)


def main() -> None:
    configure_logging(ConfirmationSettings().log_level)
    asyncio.run(run())


if __name__ == "__main__":
    main()
