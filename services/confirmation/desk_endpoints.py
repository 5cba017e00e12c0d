"""The desk's work on one task: claim, verify, receipt check, the hotel's answer (CF-1 … CF-7).

Each action has a form route (303 back to the task page, or the page again with the error)
and a JSON route under ``/api``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import claims, desk, desk_views, replies, task_live
from services.confirmation.auth import DESK_ROLES
from services.confirmation.schemas import NoticeWord, PathId
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.field_errors import FieldErrors, field_errors
from shared.limits import CODE_LENGTH, check_text
from shared.web import form_data, render, see_other

router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
# The action's name in the path: one of ACTIONS, else 404 (after this bound, a 422).
ActionName = Annotated[str, StringConstraints(max_length=CODE_LENGTH), AfterValidator(check_text)]
Action = Callable[[AsyncSession, uuid.UUID, Staff, dict[str, str]], Awaitable[Any]]

# The form actions: route name -> (service call, the "saved" word the page shows).
ACTIONS: dict[str, tuple[Action, str]] = {
    "claim": (lambda s, t, u, f: claims.claim(s, t, u), "claimed"),
    "release": (lambda s, t, u, f: claims.release(s, t, u), "released"),
    "verify": (lambda s, t, u, f: desk.verify_online(s, t, u, note=f.get("note", "")), "verified"),
    "receipt-check": (
        lambda s, t, u, f: desk.record_receipt_check(s, t, u, contact=f.get("contact", "")),
        "receipt-checked",
    ),
    "confirm": (
        lambda s, t, u, f: desk.record_confirmation(
            s, t, u, confirmation_no=f.get("confirmation_no", "")
        ),
        "confirmed",
    ),
    "full-house": (
        lambda s, t, u, f: desk.record_full_house(s, t, u, reason=f.get("reason", "")),
        "full-house",
    ),
    "customer-call": (
        lambda s, t, u, f: desk.record_customer_call(s, t, u, note=f.get("note", "")),
        "customer-told",
    ),
}


async def task_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    task_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    saved: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    """One task with everything the desk needs to work it; other modules' form routes render
    it again with their error."""
    view = await desk_views.task_detail(session, task_id, staff)
    return render(
        request.app.state.templates,
        request,
        "task.html",
        staff,
        status_code=status,
        detail=view,
        error=error,
        saved=saved,
        values=values or {},
        unmatched_count=await replies.unmatched_count(session),
        live_version=(await task_live.live(session, task_id)).version,
    )


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
async def show_task(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId, saved: NoticeWord = ""
) -> Response:
    """The task page: the booking, the order sheet, sends, the hotel's replies and answer."""
    return await task_page(request, session, staff, task_id, saved=saved)


@router.get("/api/tasks/{task_id}/live", response_model=task_live.TaskLive)
async def api_task_live(session: DbSession, staff: DeskStaff, task_id: PathId) -> Any:
    """The task's state and the version of its page, polled by the task page's script so the
    desk sees "sending" become "sent" and then the hotel's answer without reloading."""
    return await task_live.live(session, task_id)


@router.post("/claim-next")
async def claim_next(request: Request, session: DbSession, staff: DeskStaff) -> Response:
    """Claim the most urgent unsent task nobody holds (CF-2: worked by deadline)."""
    await form_data(request)
    task = await desk_views.next_unclaimed(session)
    if task is None:
        return see_other(request, "/?saved=nothing-to-claim")
    await claims.claim(session, task.task_id, staff)
    return see_other(request, f"/tasks/{task.task_id}?saved=claimed")


@router.post("/tasks/{task_id}/{action}")
async def task_action(
    request: Request, session: DbSession, staff: DeskStaff, task_id: PathId, action: ActionName
) -> Response:
    """One of ``ACTIONS`` from the task page's forms."""
    if action not in ACTIONS:
        raise NotFound(f"No action {action}.")
    call, saved = ACTIONS[action]
    fields = await form_data(request)
    try:
        await call(session, task_id, staff, fields)
    except DomainError as exc:
        error, status = field_errors(exc), exc.status_code
        raise FormRejected(
            lambda session: task_page(
                request, session, staff, task_id, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/tasks/{task_id}?saved={saved}")


class ActionBody(BaseModel):
    note: str = Field("", max_length=2000)
    contact: str = Field("", max_length=200)
    confirmation_no: str = Field("", max_length=200)
    reason: str = Field("", max_length=4000)


class ActionResult(BaseModel):
    task_id: uuid.UUID
    booking_ref: str
    state: str
    claimed_by: str | None
    hotel_confirmation_no: str | None
    receipt_checked_by: str | None
    verified_by: str | None


@router.post("/api/tasks/{task_id}/{action}", response_model=ActionResult)
async def api_task_action(
    session: DbSession, staff: DeskStaff, task_id: PathId, action: ActionName, body: ActionBody
) -> Any:
    """The same actions as JSON: claim, release, verify (note), receipt-check (contact),
    confirm (confirmation_no), full-house (reason), customer-call (note)."""
    if action not in ACTIONS:
        raise NotFound(f"No action {action}.")
    await ACTIONS[action][0](session, task_id, staff, body.model_dump())
    task = await claims.locked_task(session, task_id)
    return ActionResult.model_validate(task, from_attributes=True)
