"""Sending order sheets (CF-1) and customer confirmations (CF-6), and a send's progress.

Every send works on a task the person holds (``claims.task_for_work``: locked, claimed, 409
while someone else holds it). The job is enqueued only after the request's session has committed the
queued dispatch (``shared.db.after_commit``), so the worker never looks for a row that is not
there yet; if Redis is down at that moment the dispatch stays queued and the worker's sweep
enqueues it within a minute or two.

- ``POST /tasks/{task_id}/send`` and ``POST /tasks/{task_id}/customer-notice/send`` (forms):
  303 back to the task page, or the page again with the refusal;
- ``POST /api/tasks/{task_id}/send`` and ``…/customer-notice/send``: 202 with the dispatch;
- ``GET /api/dispatches/{dispatch_id}``: state, tries and last error (not the document).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import claims, sending
from services.confirmation.auth import DESK_ROLES
from services.confirmation.desk_endpoints import task_page
from services.confirmation.models import OrderDispatch
from services.confirmation.schemas import PathId
from services.confirmation.settings import ConfirmationSettings
from shared.auth import Staff, require
from shared.db import DbSession, after_commit
from shared.errors import DomainError, FormRejected
from shared.field_errors import field_errors
from shared.observability import get_logger
from shared.web import form_data, see_other

router = APIRouter(tags=["confirmation"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Queue = Callable[[AsyncSession, uuid.UUID, Staff, ConfirmationSettings], Awaitable[OrderDispatch]]
log = get_logger("confirmation.send_endpoints")


class DispatchQueuedOut(BaseModel):
    dispatch_id: uuid.UUID
    state: str
    status_url: str


class DispatchOut(BaseModel):
    dispatch_id: uuid.UUID
    task_id: uuid.UUID
    booking_ref: str
    audience: str  # hotel or customer
    channel: str  # email, fax or sms
    transport: str
    address: str
    subject: str
    document_name: str | None
    state: str  # queued, sent or failed
    attempts: int
    last_error: str
    message_id: str | None
    queued_by: str
    queued_at: datetime
    sent_at: datetime | None
    finished_at: datetime | None


async def _hotel_order(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, settings: ConfirmationSettings
) -> OrderDispatch:
    task = await claims.task_for_work(session, task_id, staff)
    return await sending.queue_hotel_order(session, task, staff=staff, settings=settings)


async def _customer_notice(
    session: AsyncSession, task_id: uuid.UUID, staff: Staff, settings: ConfirmationSettings
) -> OrderDispatch:
    task = await claims.task_for_work(session, task_id, staff)
    notice = await sending.customer_notice_of(session, task_id)
    return await sending.queue_customer_notice(
        session, notice, task, staff=staff, settings=settings
    )


async def _queue_and_enqueue(
    request: Request, session: AsyncSession, staff: Staff, task_id: uuid.UUID, queue: Queue
) -> OrderDispatch:
    """Queue the dispatch; its job is enqueued once the request's session has committed."""
    settings: ConfirmationSettings = request.app.state.settings
    dispatch = await queue(session, task_id, staff, settings)
    dispatch_id = dispatch.dispatch_id

    async def enqueue() -> None:
        try:
            await sending.enqueue_dispatch(
                request.app.state.redis, dispatch_id, settings.queue_prefix
            )
        except RedisError:
            log.warning("dispatch_enqueue_failed", dispatch_id=str(dispatch_id))

    after_commit(session, enqueue)
    return dispatch


async def _form_send(
    request: Request, session: AsyncSession, staff: Staff, task_id: uuid.UUID, queue: Queue
) -> Response:
    await form_data(request)  # the CSRF field was checked by ``require``
    try:
        await _queue_and_enqueue(request, session, staff, task_id, queue)
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
        raise FormRejected(
            lambda session: task_page(request, session, staff, task_id, error=error, status=status)
        ) from exc
    saved = "queued" if queue is _hotel_order else "customer-queued"
    return see_other(request, f"/tasks/{task_id}?saved={saved}")


def _queued_out(request: Request, dispatch: OrderDispatch) -> DispatchQueuedOut:
    root = request.scope.get("root_path", "")
    return DispatchQueuedOut(
        dispatch_id=dispatch.dispatch_id,
        state=dispatch.state,
        status_url=f"{root}/api/dispatches/{dispatch.dispatch_id}",
    )


@router.post("/tasks/{task_id}/send")
async def send_order(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId
) -> Response:
    """Send the order sheet to the hotel by its fax or email (CF-1)."""
    return await _form_send(request, session, staff, task_id, _hotel_order)


@router.post("/tasks/{task_id}/customer-notice/send")
async def send_customer_notice(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId
) -> Response:
    """Send the customer's confirmation the way they asked (CF-6)."""
    return await _form_send(request, session, staff, task_id, _customer_notice)


@router.post("/api/tasks/{task_id}/send", status_code=202)
async def api_send_order(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId
) -> DispatchQueuedOut:
    """Queue the order sheet for the hotel (CF-1); poll ``status_url`` for the outcome."""
    dispatch = await _queue_and_enqueue(request, session, staff, task_id, _hotel_order)
    return _queued_out(request, dispatch)


@router.post("/api/tasks/{task_id}/customer-notice/send", status_code=202)
async def api_send_customer_notice(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId
) -> DispatchQueuedOut:
    """Queue the customer's confirmation (CF-6); poll ``status_url`` for the outcome."""
    dispatch = await _queue_and_enqueue(request, session, staff, task_id, _customer_notice)
    return _queued_out(request, dispatch)


@router.get("/api/dispatches/{dispatch_id}")
async def api_dispatch(session: DbSession, staff: DeskStaff, dispatch_id: PathId) -> DispatchOut:
    """A send's state, tries and last error."""
    dispatch = await sending.get_dispatch(session, dispatch_id)
    return DispatchOut.model_validate(dispatch, from_attributes=True)
