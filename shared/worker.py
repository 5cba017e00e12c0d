"""Builds the arq worker settings of one service: its event jobs plus its own jobs.

``handle_events`` applies a relayed batch (``shared.events.consumer.apply_batch``) and hands
what it could not apply to single ``handle_event`` jobs, which retry with backoff and
dead-letter an event after its last try."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry, func

from shared.config import Settings
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import Envelope
from shared.events.consumer import Handler, apply_batch, make_event_job
from shared.events.enqueue import HANDLE_EVENT_JOB, HANDLE_EVENTS_JOB, EventJob, enqueue_delivering
from shared.events.failures import primary_job_id, write_dead_letter
from shared.observability import DEAD_LETTERED, configure_logging, get_logger
from shared.queue import queue_name, redis_settings

log = get_logger("worker")
BATCH_MAX_TRIES = 10_000
BATCHES_AT_ONCE = 4


def _retrying(job: Any, *, schema: str, settings: Settings) -> Any:
    """arq only retries on ``Retry``: turn any failure into one, with capped backoff; after
    the last try the event goes to the service's dead letters (``shared.events.failures``)."""

    async def handle_event(
        ctx: dict[str, Any], envelope: dict[str, Any], tries_before: int = 0
    ) -> str:
        try:
            result: str = await job(ctx, envelope)
            return result
        except Exception as exc:
            # ``tries_before``: the event's failed run in a batch counts as its first try.
            tries = ctx.get("job_try", 1) + tries_before
            if tries < settings.event_max_tries:
                raise Retry(defer=_backoff(tries, settings)) from exc
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


def _backoff(tries: int, settings: Settings) -> float:
    return float(min(2**tries, settings.event_retry_cap_seconds))


def _batching(
    service: str, schema: str, handlers: Mapping[str, Handler], settings: Settings
) -> Any:
    """The ``handle_events`` job: a batch in one transaction, the rest as single jobs."""
    queue = queue_name(service, settings.queue_prefix)
    # Waiting for the turn and applying take a third of arq's timeout each: arq's timeout
    # would fail the job without handing anything on.
    budget = settings.event_job_timeout_seconds / 3

    # A few batch transactions at a time per worker, enough to overlap their round trips:
    # arq's twenty at once would only make each twenty times longer (and blow the budget).
    turn = asyncio.Semaphore(BATCHES_AT_ONCE)

    async def handle_events(ctx: dict[str, Any], envelopes: list[dict[str, Any]]) -> str:
        parsed = [Envelope.model_validate(e) for e in envelopes]
        try:
            async with asyncio.timeout(budget):  # not wait_for: it can lose an acquired turn
                await turn.acquire()
        except TimeoutError:
            raise Retry(defer=0.05) from None  # back in the queue, well before arq's timeout
        try:
            failed, unapplied = await _apply_within(ctx, parsed, budget)
        finally:
            turn.release()
        singles = [
            EventJob(
                primary_job_id(e.event_id, service),
                queue,
                e.model_dump(mode="json"),
                kwargs={"tries_before": tries},
                defer_ms=int(_backoff(tries, settings) * 1000) if tries else 0,
            )
            for tries, group in ((1, failed), (0, unapplied))
            for e in group
        ]
        try:
            await enqueue_delivering(ctx["redis"], singles)
        except Exception as exc:  # Redis away: the whole batch again; the inbox drops repeats
            raise Retry(defer=_backoff(ctx.get("job_try", 1), settings)) from exc
        return f"{len(parsed) - len(singles)} applied, {len(singles)} handed to single jobs"

    async def _apply_within(
        ctx: dict[str, Any], parsed: list[Envelope], seconds: float
    ) -> tuple[list[Envelope], list[Envelope]]:
        try:
            async with asyncio.timeout(seconds):
                result = await apply_batch(
                    ctx["sessionmaker"],
                    service=service,
                    schema=schema,
                    handlers=handlers,
                    envelopes=parsed,
                )
            return result.failed, result.unapplied
        except Exception as exc:  # PostgreSQL away, a deadlock, the time budget…
            log.warning("event_batch_failed", service=service, error=repr(exc))
            return [], parsed

    return handle_events


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
    batch_job = func(
        _batching(service, schema, handlers, settings),
        name=HANDLE_EVENTS_JOB,
        # Waiting for the worker's turn re-queues the job (a try); failing events go on to
        # single jobs, which keep ``event_max_tries``.
        max_tries=BATCH_MAX_TRIES,
        timeout=settings.event_job_timeout_seconds,
    )
    return {
        "functions": [event_job, batch_job, *functions] if queue is None else list(functions),
        "cron_jobs": list(cron_jobs),
        "queue_name": queue_name(queue or service, settings.queue_prefix),
        "redis_settings": redis_settings(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "job_timeout": settings.event_job_timeout_seconds,
        "keep_result": 3600,
        "max_jobs": 20,
        # arq's 0.5 s default adds up to half a second to every event; a poll is one
        # ZRANGEBYSCORE on an empty queue.
        "poll_delay": 0.1,
        "handle_signals": False,
        # Cron times (the 02:00 statements, the 09:00 card mailing…) are business hours,
        # whatever zone the worker's machine is set to.
        "timezone": ZoneInfo(settings.business_timezone),
    }
