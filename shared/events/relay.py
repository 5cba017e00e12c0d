"""The outbox relay: moves committed outbox rows to each subscribing service's arq queue.

Rows are claimed in batches with ``FOR UPDATE SKIP LOCKED`` so several relays can run at
once. A batch becomes ``handle_events`` jobs for each subscribing service (its events in
outbox order, ``EVENTS_PER_JOB`` a job), all enqueued in one Redis round trip
(``shared.events.enqueue``), and its rows are marked relayed with one UPDATE in the
transaction that claimed them; if the relay dies in between, the rows are relayed again in
new batch jobs and the consumer's inbox stops a second effect (``shared.events.consumer``).
The relay also enqueues the dead letters operators asked to redrive.

Nothing NOTIFYs per commit (that serialises commits, see ``shared.events.outbox``): the
relay probes every outbox's partial index ``outbox_unrelayed`` (and the dead letters' redrive
index) in one query every ``wake_seconds``, and drains the schemas that have work. A redrive
request still NOTIFYs, which only saves it the rest of one probe interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from arq import create_pool
from arq.connections import ArqRedis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.events.enqueue import HANDLE_EVENT_JOB, HANDLE_EVENTS_JOB, EventJob, enqueue_many
from shared.events.failures import REDRIVE_MARK, primary_job_id
from shared.events.outbox import NOTIFY_CHANNEL
from shared.events.subscriptions import subscribers
from shared.observability import (
    EVENTS_RELAYED,
    OUTBOX_LAG,
    OUTBOX_PENDING,
    QUEUE_DEPTH,
    get_logger,
)
from shared.queue import queue_name, redis_settings

log = get_logger("relay")
# A consumer applies a job's events in one transaction: small enough that a few run side by
# side well inside the job's time limit, large enough to spare most commits.
EVENTS_PER_JOB = 50
__all__ = ["HANDLE_EVENT_JOB", "OutboxRelay"]


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        dsn: str,
        redis_url: str,
        schemas: Sequence[str],
        queue_prefix: str = "roomline",
        batch_size: int = 200,
        poll_seconds: float = 1.0,
        wake_seconds: float = 0.05,
        exit_after_enqueue: bool = False,
    ) -> None:
        self.engine = engine
        self.dsn = dsn
        self.redis_url = redis_url
        self.schemas = list(schemas)
        self.queue_prefix = queue_prefix
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.wake_seconds = min(wake_seconds, poll_seconds)
        self.exit_after_enqueue = exit_after_enqueue
        self._wake = asyncio.Event()
        self._pool: ArqRedis | None = None

    async def _arq(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(redis_settings(self.redis_url))
        return self._pool

    async def relay_batch(self, schema: str) -> int:
        """Relay up to one batch from ``schema``'s outbox; returns how many rows were sent."""
        pool = await self._arq()
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT event_id, name, version, payload, occurred_at, aggregate, "
                        f"aggregate_version FROM {schema}.outbox WHERE relayed_at IS NULL "
                        "ORDER BY created_at, event_id "
                        "LIMIT :limit FOR UPDATE SKIP LOCKED"
                    ),
                    {"limit": self.batch_size},
                )
            ).all()
            jobs = self._jobs(schema, rows)
            # Raises if Redis refuses: the rows stay unrelayed and the next round retries.
            # Every batch job has a fresh id, so arq never refuses one as known.
            await enqueue_many(pool, jobs)
            for job in jobs:
                EVENTS_RELAYED.labels(schema, job.queue).inc(len(job.envelope))
            if rows and self.exit_after_enqueue:
                os._exit(17)  # fault injection (tests only): die before marking rows relayed
            if rows:
                await conn.execute(
                    text(
                        f"UPDATE {schema}.outbox SET relayed_at = now() WHERE event_id = ANY(:ids)"
                    ),
                    {"ids": [row.event_id for row in rows]},
                )
        return len(rows)

    def _jobs(self, schema: str, rows: Sequence[Any]) -> list[EventJob]:
        """One batch job per subscribing service, its events in outbox order."""
        batches: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            envelope = {
                "event_id": str(row.event_id),
                "name": row.name,
                "version": row.version,
                "occurred_at": row.occurred_at.isoformat(),
                "source": schema,
                "payload": row.payload,
                "aggregate": row.aggregate,
                "aggregate_version": row.aggregate_version,
            }
            for service in subscribers(row.name):
                batches.setdefault(service, []).append(envelope)
        return [
            EventJob(
                f"{service}:batch:{uuid.uuid4()}",
                queue_name(service, self.queue_prefix),
                envelopes[start : start + EVENTS_PER_JOB],
                function=HANDLE_EVENTS_JOB,
            )
            for service, envelopes in batches.items()
            for start in range(0, len(envelopes), EVENTS_PER_JOB)
        ]

    async def redrive_batch(self, schema: str) -> int:
        """Enqueue the dead letters an operator asked to redrive (``shared.events.failures``)
        on ``schema``'s own queue, each under a fresh job id."""
        pool = await self._arq()
        async with self.engine.begin() as conn:
            rows = (
                await conn.execute(
                    text(
                        f"SELECT event_id, envelope, redrives FROM {schema}.dead_letter "
                        "WHERE state = 'redrive' ORDER BY first_failed_at "
                        "LIMIT :limit FOR UPDATE SKIP LOCKED"
                    ),
                    {"limit": self.batch_size},
                )
            ).all()
            jobs = [
                EventJob(
                    f"{primary_job_id(row.event_id, schema)}{REDRIVE_MARK}{row.redrives}",
                    queue_name(schema, self.queue_prefix),
                    row.envelope,
                )
                for row in rows
            ]
            # Already known ids are fine here: each redrive has its own number.
            await enqueue_many(pool, jobs)
            if rows:
                await conn.execute(
                    text(
                        f"UPDATE {schema}.dead_letter SET state = 'redriven', "
                        "redriven_at = now() WHERE event_id = ANY(:ids)"
                    ),
                    {"ids": [row.event_id for row in rows]},
                )
                log.info("events_redriven", service=schema, count=len(rows))
        return len(rows)

    async def drain(self) -> int:
        """Relay until every outbox is empty; returns the number of rows relayed."""
        return await self._drain(self.schemas, self.schemas)

    async def _drain(self, relaying: Sequence[str], redriving: Sequence[str]) -> int:
        total = 0
        for schema in redriving:
            total += await self.redrive_batch(schema)
        for schema in relaying:
            while (sent := await self.relay_batch(schema)) > 0:
                total += sent
                if sent < self.batch_size:
                    break
        return total

    async def probe(self) -> tuple[list[str], list[str]]:
        """The schemas with unrelayed outbox rows and those with redrives asked, in one
        query over the two partial indexes (a few microseconds each when empty)."""
        checks = [
            f"SELECT '{schema}', '{kind}' WHERE EXISTS (SELECT 1 FROM {schema}.{where})"
            for schema in self.schemas
            for kind, where in (
                ("relay", "outbox WHERE relayed_at IS NULL"),
                ("redrive", "dead_letter WHERE state = 'redrive'"),
            )
        ]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(text(" UNION ALL ".join(checks)))).all()
        relaying = [schema for schema, kind in rows if kind == "relay"]
        return relaying, [schema for schema, kind in rows if kind == "redrive"]

    async def record_lag(self) -> None:
        async with self.engine.connect() as conn:
            for schema in self.schemas:
                row = (
                    await conn.execute(
                        text(
                            "SELECT count(*) AS pending, "
                            "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS lag "
                            f"FROM {schema}.outbox WHERE relayed_at IS NULL"
                        )
                    )
                ).one()
                OUTBOX_PENDING.labels(schema).set(row.pending)
                OUTBOX_LAG.labels(schema).set(float(row.lag))
        pool = await self._arq()
        for schema in self.schemas:
            queue = queue_name(schema, self.queue_prefix)
            QUEUE_DEPTH.labels(queue).set(await pool.zcard(queue))

    async def _listen(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                conn = await asyncpg.connect(self.dsn)
                try:
                    await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
                    while not stop.is_set() and not conn.is_closed():
                        await asyncio.sleep(1)
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("relay_listen_failed", error=str(exc))
                await asyncio.sleep(1)

    async def run(self, stop: asyncio.Event) -> None:
        listener = asyncio.create_task(self._listen(stop))
        lag_recorded = 0.0
        try:
            while not stop.is_set():
                # Cleared before probing: a NOTIFY that lands mid-drain wakes the next round.
                self._wake.clear()
                try:
                    if await self._drain(*await self.probe()):
                        continue
                    if time.monotonic() - lag_recorded >= self.poll_seconds:
                        await self.record_lag()
                        lag_recorded = time.monotonic()
                except Exception as exc:  # Redis or PostgreSQL away: keep trying, lose nothing
                    log.warning("relay_batch_failed", error=repr(exc))
                    await asyncio.sleep(self.poll_seconds)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.wake_seconds)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
            if self._pool is not None:
                await self._pool.aclose()
