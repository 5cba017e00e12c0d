"""Everything in one process: the web app, every service's worker, and the relay.

``python -m workers.run --port 8000``; ``--no-workers`` / ``--no-relay`` / ``--no-web`` /
``--no-smtp`` leave a part out, so the same command scales out as separate processes. The
inbound SMTP server for hotels' replies (CF-4, ``workers.smtp_inbound``) runs when the
confirmation service is among ``--services`` and ``ROOMLINE_INBOUND_SMTP_ENABLED`` is true.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from typing import Any

import uvicorn
from arq.worker import Worker

from migrations import SERVICES
from services.confirmation.settings import ConfirmationSettings
from services.metrics.settings import MetricsSettings
from shared.config import get_settings
from shared.observability import configure_logging, get_logger
from workers.queue_log_tail import follow_queue_log
from workers.registry import worker_settings_factory, workers_of
from workers.relay import run_relay
from workers.smtp_inbound import serve_inbound

log = get_logger("run")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-web", action="store_true")
    parser.add_argument("--no-workers", action="store_true")
    parser.add_argument("--no-relay", action="store_true")
    parser.add_argument("--no-smtp", action="store_true", help="no inbound SMTP server")
    parser.add_argument(
        "--services",
        default=",".join(SERVICES),
        help="comma-separated services whose workers to run",
    )
    return parser.parse_args(argv)


async def supervise_worker(name: str, stop: asyncio.Event) -> None:
    """Run one service's arq worker until ``stop``; if it dies (Redis restarted, say) start
    a fresh one."""
    while not stop.is_set():
        worker = Worker(**worker_settings_factory(name)())  # type: ignore[arg-type]
        running = asyncio.create_task(worker.async_run())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running.done() and not stop.is_set():
            log.warning("worker_restarting", service=name, error=repr(running.exception()))
            await asyncio.sleep(1)
        running.cancel()
        with contextlib.suppress(BaseException):
            await running
        with contextlib.suppress(Exception):
            await asyncio.wait_for(worker.close(), timeout=5)


def wants_smtp(args: argparse.Namespace) -> bool:
    """The inbound SMTP server belongs to the confirmation service (CF-4)."""
    if args.no_smtp or "confirmation" not in args.services.split(","):
        return False
    return ConfirmationSettings().inbound_smtp_enabled


async def run(args: argparse.Namespace, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[Any]] = []
    server: uvicorn.Server | None = None
    if not args.no_web:
        config = uvicorn.Config(
            "workers.web:app",
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        server = uvicorn.Server(config)
        tasks.append(asyncio.create_task(server.serve()))
    if not args.no_workers:
        for service in [s for s in args.services.split(",") if s]:
            for name in workers_of(service):
                tasks.append(asyncio.create_task(supervise_worker(name, stop)))
    if not args.no_relay:
        tasks.append(asyncio.create_task(run_relay(stop)))
    smtp = wants_smtp(args)
    if smtp:
        tasks.append(asyncio.create_task(serve_inbound(stop, required=False)))
    # SL-1: the telephony's queue_log, when there is one to follow.
    queue_log = "metrics" in args.services.split(",") and bool(MetricsSettings().queue_log_path)
    if queue_log and not args.no_workers:
        tasks.append(asyncio.create_task(follow_queue_log(stop)))
    log.info(
        "started",
        web=not args.no_web,
        workers=0 if args.no_workers else args.services,
        relay=not args.no_relay,
        smtp=smtp,
        queue_log=queue_log and not args.no_workers,
    )
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    if server is not None:
        server.should_exit = True
    for task in tasks:
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=10)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception():
            log.error("part_failed", error=repr(task.exception()))


def main(argv: list[str] | None = None) -> None:
    configure_logging(get_settings().log_level)
    # uvicorn's own loop choice does not apply: the server is served inside this loop. uvloop
    # (from uvicorn[standard]) is the faster loop for the booking hot path (issue 19).
    try:
        import uvloop
    except ImportError:  # a platform without it (Windows): the standard loop
        asyncio.run(run(parse_args(argv)))
    else:
        uvloop.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
