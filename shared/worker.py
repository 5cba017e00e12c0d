"""Builds the arq worker settings of one service: its event job plus its own jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry, func

from shared.config import Settings
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope
from shared.events.consumer import Handler, make_event_job
from shared.events.failures import write_dead_letter
from shared.events.relay import HANDLE_EVENT_JOB
from shared.observability import DEAD_LETTERED, configure_logging, get_logger
from shared.queue import queue_name, redis_settings

log = get_logger("worker")


def _retrying(job: Any, *, schema: str, settings: Settings) -> Any:
    """arq only retries on ``Retry``: turn any failure into one, with capped backoff; after
    the last try the event goes to the service's dead letters (``shared.events.failures``)."""

    async def handle_event(ctx: dict[str, Any], envelope: dict[str, Any]) -> str:
        try:
            result: str = await job(ctx, envelope)
            return result
        except Exception as exc:
            tries = ctx.get("job_try", 1)
            if tries < settings.event_max_tries:
                raise Retry(defer=min(2**tries, settings.event_retry_cap_seconds)) from exc
            await _bury(ctx, schema, envelope, exc, tries)
            raise

    return handle_event


async def _bury(
    ctx: dict[str, Any], schema: str, envelope: dict[str, Any], exc: Exception, tries: int
) -> None:
    parsed = Envelope.model_validate(envelope)
    log.error("event_dead_letter", event_id=str(parsed.event_id), error=repr(exc), tries=tries)
    # If even this fails (PostgreSQL away), arq keeps the failed result and the outbox row
    # stays: the runbook's replay brings the event back.
    async with unit_of_work(ctx["sessionmaker"]) as session:
        await write_dead_letter(session, schema=schema, envelope=parsed, exc=exc, tries=tries)
    DEAD_LETTERED.labels(schema, parsed.name).inc()


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
        _retrying(make_event_job(service, schema, handlers), schema=schema, settings=settings),
        name=HANDLE_EVENT_JOB,
        max_tries=settings.event_max_tries,
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
        # Cron times (the 02:00 statements, the 09:00 card mailing…) are business hours,
        # whatever zone the worker's machine is set to.
        "timezone": ZoneInfo(settings.business_timezone),
    }
