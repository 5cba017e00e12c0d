"""Rate and allotment sheets imported as background jobs with progress (HR-2, HR-4, HR-14).

An upload stores the file in an ``import_job`` row, commits, and only then enqueues
``run_import_job`` on the contracts queue (a job enqueued before the commit could start before
its row exists). The job:

1. claims the row (``queued`` → ``checking``), reads the sheet and checks every row, writing
   ``rows_processed`` every ``imports.PROGRESS_EVERY`` rows in short transactions of their own,
   so the job page sees it move;
2. one bad row or more: ``refused`` with the report (row, column, why); nothing else is
   written (HR-4: a sell price below net is one such row). The report is bounded
   (``shared.sheets``: at most 200 rows, each quoting at most 60 characters of a cell, a cell
   over 1,000 characters refused unread), so one huge cell cannot make a huge report;
3. all clean: ``applying``, then every row in ONE transaction (``import_apply.apply_rows``:
   audited, announced through the outbox), in which the job row is also locked, checked and
   marked ``done``. ``rows_applied`` moves during the apply through separate short transactions.

Issue 19, first of all: in ONE transaction the sheet is COPYed into a staging table, checked
in SQL and, when every row passes, applied set-based (``imports.staging``, ``imports.bulk``:
one audit row, one ``contracts.rates_imported`` event per hotel) and the job marked ``done``.
When the SQL check cannot vouch for every row, that transaction rolls back and steps 1-3 above
run as they always did: the Python checker words the report, or accepts an unusually spelled
sheet and applies it row by row. Two runs of one job serialise on an advisory lock there.

A worker killed mid-job leaves nothing half applied: the apply never committed. arq runs the
job again after its time limit and it starts over; a job already ``done`` is never applied
twice, because the state is checked under the row lock inside the apply transaction itself.

``sweep_import_jobs`` (cron, each minute) enqueues jobs whose enqueue was lost (Redis down at
upload) and marks ``failed`` the jobs arq gave up on, so none stays "checking" for ever.

Trade-off: arq holds a job "in progress" for the longest function time limit of the worker plus
10 s, so with ``JOB_TIMEOUT_SECONDS`` here an event job of a killed contracts worker is retried
after that long rather than after the event time limit. Contracts consumes only the booking
events behind the monthly rankings (HR-11), which can wait; a queue of its own for imports
would remove the trade-off.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import Redis
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.contracts.imports import apply as import_apply
from services.contracts.imports import bulk, staging
from services.contracts.imports import sheet as imports
from services.contracts.imports.models import ImportJob
from services.contracts.models import APPLYING, CHECKING, DONE, FAILED, FINISHED, QUEUED, REFUSED
from shared import sheets
from shared.auth import Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import DomainError, NotFound
from shared.observability import get_logger
from shared.queue import queue_name

log = get_logger("contracts.import_jobs")
Sessionmaker = async_sessionmaker[AsyncSession]

JOB_FUNCTION = "run_import_job"
JOB_TIMEOUT_SECONDS = 600
JOB_MAX_TRIES = 3
LOST_ENQUEUE_AFTER = timedelta(seconds=30)
PROGRESS_SECONDS = 0.25


class AlreadyApplied(Exception):
    """Another run of the same job committed first; this one rolls back."""


# --- the desk's side: upload and status --------------------------------------------------------


async def create_job(
    session: AsyncSession, *, actor: Staff, filename: str, content: bytes
) -> ImportJob:
    """Store an uploaded sheet as a queued job. A file too big or of the wrong kind is refused
    at once (``SheetRefused``); its rows are checked by the job."""
    imports.check_upload(filename, content)
    now = clock.now()
    job = ImportJob(
        job_id=uuid.uuid4(),
        filename=filename[-255:],
        content=content,
        state=QUEUED,
        report=[],
        created_by=actor.username,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    await session.flush()
    return job


async def enqueue(redis: Redis, *, job_id: uuid.UUID, queue_prefix: str) -> None:
    """Queue the job on the contracts worker. The job id makes a second enqueue (the sweep
    after a lost one) a no-op while the first is queued or running."""
    # Shares the caller's Redis connection pool; ArqRedis only adds enqueue_job to it.
    pool = redis if isinstance(redis, ArqRedis) else ArqRedis(pool_or_conn=redis.connection_pool)
    await pool.enqueue_job(
        JOB_FUNCTION,
        str(job_id),
        _job_id=f"import:{job_id}",
        _queue_name=queue_name("contracts", queue_prefix),
    )


async def get_job(session: AsyncSession, *, job_id: uuid.UUID) -> ImportJob:
    job = await session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"No import {job_id}.", field="job_id")
    return job


async def recent_jobs(session: AsyncSession, *, limit: int = 10) -> list[ImportJob]:
    """The latest imports, newest first, for the imports page."""
    query = select(ImportJob).order_by(ImportJob.created_at.desc()).limit(limit)
    return list(await session.scalars(query))


# --- the worker's side --------------------------------------------------------------------------


async def run_import_job(ctx: dict[str, Any], job_id: str) -> str:
    """The arq job: check and apply one uploaded sheet; returns the final state."""
    return await run_import(ctx["sessionmaker"], uuid.UUID(job_id))


async def run_import(sessionmaker: Sessionmaker, job_id: uuid.UUID) -> str:
    """Check every row, then apply all or nothing, once (HR-2, HR-4)."""
    claimed = await _claim(sessionmaker, job_id)
    if claimed is None:
        return "finished already"
    filename, content, actor = claimed
    try:
        try:
            applied = await _run_staged(sessionmaker, job_id, actor, filename, content)
        except staging.NotPlain:  # a bad row (the report) or an unusual spelling: in Python
            rows = await _read_and_check(sessionmaker, job_id, filename, content)
            applied = await _apply(sessionmaker, job_id, actor, rows)
    except imports.SheetRefused as exc:
        await _finish(sessionmaker, job_id, REFUSED, report=exc.errors)
        return REFUSED
    except AlreadyApplied:
        return DONE
    except DomainError as exc:  # the hotel's file changed between the check and the apply
        changed = [imports.RowError(0, "file", exc.detail)]
        await _finish(sessionmaker, job_id, REFUSED, report=changed)
        return REFUSED
    except Exception as exc:
        log.exception("import_failed", job_id=str(job_id))
        await _finish(sessionmaker, job_id, FAILED, error=f"{exc.__class__.__name__}: {exc}"[:500])
        return FAILED
    log.info("import_done", job_id=str(job_id), rows=applied)
    return DONE


async def _claim(sessionmaker: Sessionmaker, job_id: uuid.UUID) -> tuple[str, bytes, str] | None:
    """Start (or, after a crash, restart) the job; None if it has finished already."""
    async with unit_of_work(sessionmaker) as session:
        job = await session.get(ImportJob, job_id, with_for_update=True)
        if job is None:
            log.warning("import_job_unknown", job_id=str(job_id))
            return None
        if job.finished:
            return None
        now = clock.now()
        job.state, job.started_at, job.updated_at = CHECKING, now, now
        job.rows_processed = job.rows_applied = 0
        job.report, job.error = [], ""
        content = await session.scalar(select(ImportJob.content).where(ImportJob.job_id == job_id))
        return job.filename, content or b"", job.created_by


async def _set(
    sessionmaker: Sessionmaker, job_id: uuid.UUID, values: dict[str, Any], *, durable: bool = True
) -> None:
    """Update the job in a short transaction of its own, so the job page sees it at once."""
    async with unit_of_work(sessionmaker) as session:
        if not durable:
            # A progress count lost in a crash costs nothing (the job starts over), so its
            # commit need not wait for the disk: hundreds of them would slow a large sheet.
            await session.execute(text("SET LOCAL synchronous_commit = off"))
        await session.execute(
            update(ImportJob)
            .where(ImportJob.job_id == job_id, ImportJob.state.not_in(FINISHED))
            .values(updated_at=clock.now(), **values)
        )


def _progress(
    sessionmaker: Sessionmaker, job_id: uuid.UUID, column: str
) -> Callable[[int], Awaitable[None]]:
    """Writes ``column`` at most every PROGRESS_SECONDS: the page polls once a second."""
    last = 0.0

    async def report(rows: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            await _set(sessionmaker, job_id, {column: rows}, durable=False)

    return report


async def _read_and_check(
    sessionmaker: Sessionmaker, job_id: uuid.UUID, filename: str, content: bytes
) -> list[imports.SheetRow]:
    # Parsing an .xlsx is slow and CPU-bound: in a thread, the worker keeps handling events.
    table = await asyncio.to_thread(imports.read_table, filename, content)
    total = max(len(table) - 1, 0)
    await _set(sessionmaker, job_id, {"rows_total": total})
    async with sessionmaker() as session:  # reads only: hotels, room types, rate plans
        rows = await imports.check_sheet(
            session, table, on_progress=_progress(sessionmaker, job_id, "rows_processed")
        )
    await _set(sessionmaker, job_id, {"rows_processed": total, "state": APPLYING})
    return rows


async def _run_staged(
    sessionmaker: Sessionmaker, job_id: uuid.UUID, actor: str, filename: str, content: bytes
) -> int:
    """Issue 19: COPY, check in SQL and apply set-based, all in one transaction; raises
    ``staging.NotPlain`` (having written nothing) when the Python checker must take over."""
    async with unit_of_work(sessionmaker) as session:
        # A second run of the job waits here for the first, then finds it done. An advisory
        # lock, not the job row's: the progress updates below write that row meanwhile.
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"import:{job_id}"},
        )
        if await session.scalar(select(ImportJob.state).where(ImportJob.job_id == job_id)) == DONE:
            raise AlreadyApplied
        # The sorts of a large sheet (latest row per night, nights per room type) spill to
        # disk at the default 4 MB: 365,000 nights sort in about 40 MB.
        await session.execute(text("SET LOCAL work_mem = '64MB'"))
        total = await staging.stage(session, job_id, filename, content)
        if total > imports.MAX_ROWS:
            raise staging.NotPlain  # the reader refuses it in its words
        await _set(sessionmaker, job_id, {"rows_total": total})
        rows = await staging.check(session, job_id)
        await _set(sessionmaker, job_id, {"rows_processed": total, "state": APPLYING})
        applied = await bulk.apply_staged(
            session, job_id=job_id, actor=actor, rows=rows, source=f"import {job_id}"
        )
        await staging.clear(session, job_id)
        await _mark_done(session, job_id, applied)
    return applied


async def _mark_done(session: AsyncSession, job_id: uuid.UUID, applied: int) -> None:
    # Locked and checked in the same transaction as the rows: a retried or duplicated run
    # waits here for the first to commit, then rolls its own rows back (applied once).
    state = await session.scalar(
        select(ImportJob.state).where(ImportJob.job_id == job_id).with_for_update()
    )
    if state == DONE:
        raise AlreadyApplied
    now = clock.now()
    await session.execute(
        update(ImportJob)
        .where(ImportJob.job_id == job_id)
        .values(state=DONE, applied=applied, rows_applied=applied, finished_at=now, updated_at=now)
    )


async def _apply(
    sessionmaker: Sessionmaker, job_id: uuid.UUID, actor: str, rows: list[imports.SheetRow]
) -> int:
    async with unit_of_work(sessionmaker) as session:
        applied = await import_apply.apply_rows(
            session,
            actor=actor,
            rows=rows,
            source=f"import {job_id}",
            on_progress=_progress(sessionmaker, job_id, "rows_applied"),
        )
        await _mark_done(session, job_id, applied)
    return applied


async def _finish(
    sessionmaker: Sessionmaker,
    job_id: uuid.UUID,
    state: str,
    *,
    report: list[imports.RowError] | None = None,
    error: str = "",
) -> None:
    values: dict[str, Any] = {
        "state": state,
        "report": sheets.report_rows(report or []),  # bounded: ≤ REPORT_MAX_ROWS short rows
        "error": error,
        "rows_applied": 0,  # the apply (if it started) rolled back
        "finished_at": clock.now(),
    }
    if state == REFUSED:
        values["rows_processed"] = ImportJob.rows_total  # every row was checked
    await _set(sessionmaker, job_id, values)


async def sweep_import_jobs(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue jobs still queued after ``LOST_ENQUEUE_AFTER`` and fail jobs that have
    not moved for longer than arq would keep them running; returns how many it touched."""
    sessionmaker: Sessionmaker = ctx["sessionmaker"]
    now = clock.now()
    stalled_since = now - timedelta(seconds=JOB_TIMEOUT_SECONDS + 60)
    async with unit_of_work(sessionmaker) as session:
        stalled = await session.execute(
            update(ImportJob)
            .where(ImportJob.state.in_((CHECKING, APPLYING)), ImportJob.updated_at < stalled_since)
            .values(
                state=FAILED,
                error="the import stopped (time limit or worker crash); nothing was imported",
                rows_applied=0,
                finished_at=now,
                updated_at=now,
            )
            .returning(ImportJob.job_id)
        )
        failed = list(stalled.scalars())
        lost = list(
            await session.scalars(
                select(ImportJob.job_id).where(
                    ImportJob.state == QUEUED, ImportJob.updated_at < now - LOST_ENQUEUE_AFTER
                )
            )
        )
    for job_id in lost:
        await enqueue(ctx["redis"], job_id=job_id, queue_prefix=ctx["settings"].queue_prefix)
    if failed or lost:
        log.warning("import_jobs_swept", failed=len(failed), requeued=len(lost))
    return len(failed) + len(lost)
