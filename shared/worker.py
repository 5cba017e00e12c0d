"""Builds the arq worker settings of one service: its event job plus its own jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arq import Retry, func

from shared.config import Settings
from shared.db import make_engine, make_sessionmaker
from shared.events.consumer import Handler, make_event_job
from shared.events.relay import HANDLE_EVENT_JOB
from shared.observability import configure_logging, get_logger
from shared.queue import queue_name, redis_settings

log = get_logger("worker")
MAX_EVENT_TRIES = 12


def _retrying(job: Any) -> Any:
    """arq only retries on ``Retry``: turn any failure into one, with capped backoff."""

    async def handle_event(ctx: dict[str, Any], envelope: dict[str, Any]) -> str:
        try:
            result: str = await job(ctx, envelope)
            return result
        except Exception as exc:
            tries = ctx.get("job_try", 1)
            if tries >= MAX_EVENT_TRIES:
                # Dead letter: the outbox row still exists; reset its relayed_at to redrive.
                log.error("event_dead_letter", event_id=envelope.get("event_id"), error=repr(exc))
                raise
            raise Retry(defer=min(2**tries, 60)) from exc

    return handle_event


def worker_settings(
    *,
    service: str,
    schema: str,
    settings: Settings,
    handlers: Mapping[str, Handler],
    functions: Sequence[Any] = (),
    cron_jobs: Sequence[Any] = (),
    queue: str | None = None,
) -> dict[str, Any]:
    """A worker of ``service``'s own queue (its events and jobs), or of a ``queue`` of its
    long jobs only (no events there): arq re-runs a killed worker's jobs only after its
    longest time limit, so slow jobs get their own queue and events stay prompt."""

    async def startup(ctx: dict[str, Any]) -> None:
        configure_logging(settings.log_level)
        ctx["settings"] = settings
        ctx["engine"] = make_engine(settings.database_url, pool_size=5)
        ctx["sessionmaker"] = make_sessionmaker(ctx["engine"])

    async def shutdown(ctx: dict[str, Any]) -> None:
        await ctx["engine"].dispose()

    event_job = func(
        _retrying(make_event_job(service, schema, handlers)),
        name=HANDLE_EVENT_JOB,
        max_tries=MAX_EVENT_TRIES,
        timeout=settings.event_job_timeout_seconds,
    )
    return {
        "functions": [event_job, *functions] if queue is None else list(functions),
        "cron_jobs": list(cron_jobs),
        "queue_name": queue_name(queue or service, settings.queue_prefix),
        "redis_settings": redis_settings(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "job_timeout": settings.event_job_timeout_seconds,
        "keep_result": 3600,
        "max_jobs": 20,
        "handle_signals": False,
    }
