"""Internal communication forms' JSON API and pages (IN-7). Thin: parse, authorise, call one
function of ``memos.py``, map the result."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.bounds import BookingRef, Filter
from services.intake.memos import service as memos
from services.intake.memos.schemas import (
    DEPARTMENTS,
    PROBLEMS,
    RAISABLE_PROBLEMS,
    STATUSES,
    MemoPage,
    MemoRequest,
    MemoView,
    ReplyRequest,
)
from services.intake.settings import IntakeSettings
from shared.auth import Staff, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, InvalidInput
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import PageNumber, Uuid
from shared.web import form_data, render, see_other

router = APIRouter()
MemoStaff = Annotated[Staff, require(*memos.MEMO_ROLES)]
Page = PageNumber
# Marked for the catalog, translated where shown.
STATUS_FILTERS = {"": N_("Any status"), "active": N_("Open or in progress"), **STATUSES}
LABELS = {
    "problem": N_("Problem"),
    "department": N_("Route to"),
    "booking_ref": N_("Booking reference"),
    "description": N_("Description"),
    "due_in_hours": N_("Due in (hours)"),
    "body": N_("Reply"),
    "status": N_("New status"),
}
NOTICES = {"raised": N_("Memo raised and routed."), "replied": N_("Saved.")}


def _refusal(exc: ValidationError | DomainError) -> tuple[FieldErrors, int]:
    return refusal(exc, labels={field: _(label) for field, label in LABELS.items()})


def _checked_filters(department: str, status: str) -> None:
    if department and department not in DEPARTMENTS:
        message = _("Department: unknown department %(name)r.") % {"name": department}
        raise InvalidInput(message, field="department")
    if status not in STATUS_FILTERS:
        raise InvalidInput(_("Status: unknown status %(name)r.") % {"name": status}, field="status")


# --- JSON API ------------------------------------------------------------------------------


@router.get("/api/memos", response_model=MemoPage)
async def api_list(
    session: DbSession,
    staff: MemoStaff,
    department: Filter = "",
    status: Filter = "",
    overdue: bool = False,
    page: Page = 1,
) -> MemoPage:
    """Internal memos you may see, filtered by department, status, overdue (IN-7)."""
    _checked_filters(department, status)
    return await memos.list_memos(
        session, staff=staff, department=department, status=status, overdue=overdue, page=page
    )


@router.post("/api/memos", status_code=201, response_model=MemoView)
async def api_raise(
    request: Request, session: DbSession, staff: MemoStaff, body: MemoRequest
) -> MemoView:
    """Raise a special problem for a department (IN-7)."""
    settings: IntakeSettings = request.app.state.settings
    return await memos.raise_memo(session, staff=staff, settings=settings, request=body)


@router.get("/api/memos/{memo_id}", response_model=MemoView)
async def api_get(session: DbSession, staff: MemoStaff, memo_id: Uuid) -> MemoView:
    """One memo with its replies and status changes."""
    return await memos.get_memo(session, staff=staff, memo_id=memo_id)


@router.post("/api/memos/{memo_id}/replies", response_model=MemoView)
async def api_respond(
    session: DbSession, staff: MemoStaff, memo_id: Uuid, body: ReplyRequest
) -> MemoView:
    """Reply, claim, answer, close or reopen a memo (IN-7)."""
    return await memos.respond(session, staff=staff, memo_id=memo_id, request=body)


# --- pages ---------------------------------------------------------------------------------


@router.get("/memos", response_class=HTMLResponse)
async def list_page(
    request: Request,
    session: DbSession,
    staff: MemoStaff,
    department: Filter = "",
    status: Filter = "",
    overdue: bool = False,
    page: Page = 1,
) -> Response:
    """Internal memos: filter by department, status and overdue (IN-7)."""
    _checked_filters(department, status)
    found = await memos.list_memos(
        session, staff=staff, department=department, status=status, overdue=overdue, page=page
    )
    filters = {"department": department, "status": status, "overdue": "1" if overdue else ""}
    return render(
        request.app.state.templates,
        request,
        "memos.html",
        staff,
        memos=found,
        filters=filters,
        filtered=bool(department or status or overdue),
        status_filters=STATUS_FILTERS,
        **_labels(),
    )


@router.get("/memos/new", response_class=HTMLResponse)
async def new_page(request: Request, staff: MemoStaff, booking_ref: BookingRef = "") -> Response:
    """The form to raise a special problem for a department (a booking page may link here
    with ``?booking_ref=``)."""
    return _new_form(request, staff, values={"booking_ref": booking_ref[:12]})


@router.post("/memos")
async def raise_form(request: Request, session: DbSession, staff: MemoStaff) -> Response:
    """Raise a memo from the form; refused input re-shows the form and writes nothing."""
    fields = await form_data(request)
    settings: IntakeSettings = request.app.state.settings
    try:
        body = MemoRequest.model_validate(fields)
        raised = await memos.raise_memo(session, staff=staff, settings=settings, request=body)
    except (ValidationError, DomainError) as exc:
        raise FormRejected(_new_form(request, staff, fields, *_refusal(exc))) from exc
    return see_other(request, f"/memos/{raised.memo_id}?saved=raised")


@router.get("/memos/{memo_id}", response_class=HTMLResponse)
async def memo_page(
    request: Request, session: DbSession, staff: MemoStaff, memo_id: Uuid, saved: Filter = ""
) -> Response:
    """One memo: its problem, thread of replies and status changes, and what you may do."""
    notice = _(NOTICES[saved]) if saved in NOTICES else ""
    return await _memo_page(request, session, staff, memo_id, notice=notice)


@router.post("/memos/{memo_id}/replies")
async def respond_form(
    request: Request, session: DbSession, staff: MemoStaff, memo_id: Uuid
) -> Response:
    """Reply and/or change status from the memo page; a refusal re-shows the page."""
    fields = await form_data(request)
    try:
        body = ReplyRequest.model_validate(fields)
        await memos.respond(session, staff=staff, memo_id=memo_id, request=body)
    except (ValidationError, DomainError) as exc:
        error, status = _refusal(exc)
    else:
        return see_other(request, f"/memos/{memo_id}?saved=replied")
    raise FormRejected(
        lambda session: _memo_page(
            request, session, staff, memo_id, error=error, status=status, values=fields
        )
    )


def _labels() -> dict[str, Any]:
    return {"problems": PROBLEMS, "departments": DEPARTMENTS, "statuses": STATUSES}


def _new_form(
    request: Request,
    staff: Staff,
    values: dict[str, str],
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    settings: IntakeSettings = request.app.state.settings
    return render(
        request.app.state.templates,
        request,
        "memo_new.html",
        staff,
        status_code=status,
        values=values,
        error=error,
        default_due_hours=settings.memo_due_hours,
        **{**_labels(), "problems": RAISABLE_PROBLEMS},  # complaints come from members only
    )


async def _memo_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    memo_id: Uuid,
    *,
    notice: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    found = await memos.get_memo(session, staff=staff, memo_id=memo_id)
    return render(
        request.app.state.templates,
        request,
        "memo.html",
        staff,
        status_code=status,
        memo=found,
        allowed=memos.allowed_statuses(staff, found),
        notice=notice,
        error=error,
        values=values or {},
        **_labels(),
    )
