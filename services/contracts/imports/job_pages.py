"""Sheet imports as background jobs: queueing an upload, its page and its status (HR-2, HR-4).

Routes (all for the hotel-resources desk and its director; ``import_pages`` includes them):

- ``GET /imports/{job_id}``: the job's page: a progress bar with its percentage, refreshed from
  the status once a second by a small script, then "Imported N rows" or the report table
  (row, column, why);
- ``GET /api/imports/{job_id}``: the job's status as JSON (``ImportJobOut``).

``submit`` is what both uploads (``POST /imports``, ``POST /api/imports``) call.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from redis.exceptions import RedisError

from services.contracts.auth import DESK_ROLES
from services.contracts.imports import jobs as import_jobs
from services.contracts.imports.models import ImportJob
from services.contracts.models import APPLYING, CHECKING, DONE, FAILED, QUEUED, REFUSED
from shared import sheets
from shared.auth import Staff, require
from shared.db import DbSession, unit_of_work
from shared.i18n import N_, _
from shared.limits import Uuid
from shared.observability import get_logger
from shared.web import render

router = APIRouter(tags=["contracts"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
log = get_logger("contracts.import_job_pages")


class ImportRowError(BaseModel):
    row: int  # as the spreadsheet numbers it; 0 is the file as a whole
    field: str
    message: str


class ImportQueuedOut(BaseModel):
    job_id: uuid.UUID
    state: str
    status_url: str
    page_url: str


class ImportJobOut(BaseModel):
    job_id: uuid.UUID
    filename: str
    state: str  # queued, checking, applying, done, refused or failed
    finished: bool
    progress: int  # percent: checking is the first half, applying the second
    summary: str  # what the page shows under the bar
    rows_total: int
    rows_processed: int
    rows_applied: int
    applied: int | None
    report: list[ImportRowError]
    error: str
    created_by: str
    created_at: datetime
    finished_at: datetime | None


def summary(job: ImportJob) -> str:
    """One line saying where the job is, in the words (and the language) the page shows."""
    if job.state == import_jobs.DONE:
        count = job.applied or 0
        # One msgid per number, not ngettext: the kit's --check cannot read plural entries yet.
        if count == 1:
            return _("Imported %(count)s row; published to the booking desk.") % {"count": count}
        return _("Imported %(count)s rows; published to the booking desk.") % {"count": count}
    if job.state == import_jobs.REFUSED:
        problems = len(job.report)
        if problems == 1:
            text = _(
                "Nothing was imported: %(count)s problem in the file. "
                "Correct it and upload the file again."
            )
        else:
            text = _(
                "Nothing was imported: %(count)s problems in the file. "
                "Correct them and upload it again."
            )
        return text % {"count": problems}
    if job.state == import_jobs.FAILED:
        return _("The import failed (%(error)s). Nothing was imported; upload the file again.") % {
            "error": job.error
        }
    if job.state == import_jobs.CHECKING and not job.rows_total:
        return _("Reading the file.")
    if job.state == import_jobs.CHECKING:
        return _("Checking rows: %(done)s of %(total)s.") % {
            "done": f"{job.rows_processed:,}",
            "total": f"{job.rows_total:,}",
        }
    if job.state == import_jobs.APPLYING:
        return _("Applying rows: %(done)s of %(total)s.") % {
            "done": f"{job.rows_applied:,}",
            "total": f"{job.rows_total:,}",
        }
    return _("Waiting for the import worker.")


# A job's state as the pages name it (the stored value is the English word).
JOB_STATES = {
    QUEUED: N_("queued"),
    CHECKING: N_("checking"),
    APPLYING: N_("applying"),
    DONE: N_("done"),
    REFUSED: N_("refused"),
    FAILED: N_("failed"),
}


def job_state(state: str) -> str:
    return _(JOB_STATES[state]) if state in JOB_STATES else state


def _report(job: ImportJob) -> list[ImportRowError]:
    """The stored report as served, bounded again: a report stored before the bounds
    (shared.sheets) still shows at most REPORT_MAX_ROWS rows of short messages."""
    stored = job.report[: sheets.REPORT_MAX_ROWS]
    shown = (sheets.RowError(r["row"], r["field"], r["message"]) for r in stored)
    return [ImportRowError(row=e.row, field=e.field, message=e.message) for e in shown]


def job_out(job: ImportJob) -> ImportJobOut:
    return ImportJobOut(
        job_id=job.job_id,
        filename=job.filename,
        state=job.state,
        finished=job.finished,
        progress=job.progress,
        summary=summary(job),
        rows_total=job.rows_total,
        rows_processed=job.rows_processed,
        rows_applied=job.rows_applied,
        applied=job.applied,
        report=_report(job),
        error=job.error,
        created_by=job.created_by,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


async def submit(request: Request, staff: Staff, filename: str, content: bytes) -> ImportJob:
    """Store the sheet as a job, commit, then queue it (``SheetRefused`` for a file too big
    or of the wrong kind). Not the request's session: that commits after the endpoint
    returns, and a worker could pick the job up before its row exists."""
    async with unit_of_work(request.app.state.sessionmaker) as session:
        job = await import_jobs.create_job(session, actor=staff, filename=filename, content=content)
    try:
        await import_jobs.enqueue(
            request.app.state.redis,
            job_id=job.job_id,
            queue_prefix=request.app.state.settings.queue_prefix,
        )
    except RedisError:
        # The job is on file; the worker's sweep queues it within a minute or two.
        log.warning("import_enqueue_failed", job_id=str(job.job_id))
    return job


def queued_out(request: Request, job: ImportJob) -> ImportQueuedOut:
    root = request.scope.get("root_path", "")
    return ImportQueuedOut(
        job_id=job.job_id,
        state=job.state,
        status_url=f"{root}/api/imports/{job.job_id}",
        page_url=f"{root}/imports/{job.job_id}",
    )


@router.get("/imports/{job_id}", include_in_schema=False)
async def import_job_page(
    request: Request, job_id: uuid.UUID, session: DbSession, staff: DeskStaff
) -> Response:
    """An import's progress, then its outcome."""
    job = await import_jobs.get_job(session, job_id=job_id)
    return render(
        request.app.state.templates,
        request,
        "import_job.html",
        staff,
        job=job,
        summary=summary(job),
    )


@router.get("/api/imports/{job_id}")
async def api_import_job(job_id: Uuid, session: DbSession, staff: DeskStaff) -> ImportJobOut:
    """An import job's state, progress and, once refused, its report."""
    return job_out(await import_jobs.get_job(session, job_id=job_id))
