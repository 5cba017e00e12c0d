"""The complaints pages and JSON (CS-3, HR-12, IN-8, SL-5):

- ``GET /complaints``: the worklist, open first with each clock (due, met, late, overdue);
- ``GET /complaints/new`` (``?member_id=`` prefills from the member, ``?hotel_q=`` narrows the
  hotels) and ``POST /complaints``: record and route a complaint;
- ``GET /complaints/{id}``: the complaint, its clocks and thread; ``POST …/findings``
  (phoned through by the department), ``…/progress`` and ``…/final`` (the member's answers),
  ``…/visit`` (a major complaint's apology visit), ``…/close`` (with the outcome);
- ``GET /complaints/summary`` and ``…/summary.xlsx``: by category and severity, how each clock
  was kept, weekly or monthly, also for the general manager;
- ``POST /api/complaints``, ``GET /api/complaints/{id}``: the same filing as JSON.

A refused form is shown again with the error beside its field; nothing is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.members import service as members
from services.members.complaints import service, summary, views
from services.members.complaints.service import (
    CATEGORY_NAMES,
    CLOCK_NAMES,
    DEPARTMENT_NAMES,
    SEVERITY_NAMES,
    STATUS_NAMES,
)
from shared.auth import Role, Staff, require
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.exports import append_row, xlsx_response
from shared.field_errors import FieldErrors, refusal
from shared.i18n import N_, _
from shared.limits import BusinessDate, Code, PageNumber, SearchText, Uuid
from shared.web import form_data, render, see_other

router = APIRouter(tags=["members-complaints"])
Desk = Annotated[Staff, require(Role.CUSTOMER_SERVICE)]
SummaryReader = Annotated[Staff, require(Role.CUSTOMER_SERVICE, Role.GENERAL_MANAGER)]
Action = Literal["findings", "progress", "final", "visit", "close"]
SAVED = {
    "filed": N_("Saved: the complaint is recorded and routed to the department."),
    "findings": N_("Saved: the department's findings are recorded."),
    "progress": N_("Saved: the progress answer is recorded."),
    "final": N_("Saved: the final answer is recorded."),
    "visit": N_("Saved: the apology visit is recorded."),
    "close": N_("Saved: the complaint is closed."),
}
STATE_NAMES = {
    "met": N_("on time"),
    "late": N_("late"),
    "overdue": N_("overdue"),
    "running": N_("due"),
    "not_owed": N_("not owed"),
}
STEP_NAMES = {
    "filed": N_("Filed and routed"),
    "findings": N_("Department findings"),
    "progress": N_("Progress answer"),
    "final": N_("Final answer"),
    "visit": N_("Apology visit"),
    "closed": N_("Closed"),
}
NAMES: dict[str, Any] = {
    "step_names": STEP_NAMES,
    "categories": CATEGORY_NAMES,
    "severities": SEVERITY_NAMES,
    "departments": DEPARTMENT_NAMES,
    "statuses": STATUS_NAMES,
    "clock_names": CLOCK_NAMES,
    "state_names": STATE_NAMES,
}


@router.get("/complaints", response_class=HTMLResponse)
async def complaints_page(
    request: Request,
    session: DbSession,
    staff: Desk,
    status: views.StatusFilter = "active",
    category: Literal["", service.Category] = "",
    severity: Literal["", service.Severity] = "",
    department: Literal["", service.Department] = "",
    q: SearchText = "",
    page: PageNumber = 1,
) -> Response:
    """Complaints, open first with each clock (CS-3, SL-5)."""
    filters = views.Filters(status, category, severity, department, q.strip())
    found = await views.list_complaints(session, filters, page)
    now = clock.now()
    return render(
        request.app.state.templates, request, "complaints_list.html", staff,
        found=found, filters=filters,
        clocks={r.complaint_id: service.clocks(r, now) for r in found.rows}, **NAMES,
    )  # fmt: skip


async def _new_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    values: dict[str, str],
    *,
    hotel_q: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
) -> Response:
    return render(
        request.app.state.templates, request, "complaints_new.html", staff, status_code=status,
        values=values, hotels=await views.hotels(session, hotel_q), hotel_q=hotel_q, error=error,
        **NAMES,
    )  # fmt: skip


@router.get("/complaints/new", response_class=HTMLResponse)
async def new_complaint_page(
    request: Request,
    session: DbSession,
    staff: Desk,
    member_id: Annotated[Uuid | None, Query()] = None,
    hotel_q: SearchText = "",
) -> Response:
    """The complaint form; from a member's page it starts with the member's details."""
    values: dict[str, str] = {"severity": "minor"}
    if member_id is not None:
        found = await members.get_member(session, member_id=member_id)
        values |= {
            "member_id": str(found.member_id),
            "complainant_name": found.name,
            "member_card": found.card_no,
            "contact_phone": (found.phones or [""])[0],
        }
    return await _new_page(request, session, staff, values, hotel_q=hotel_q.strip())


@router.post("/complaints")
async def file_complaint_form(request: Request, session: DbSession, staff: Desk) -> Response:
    """Record a complaint and route it to the department (CS-3)."""
    fields = await form_data(request)
    try:
        data = service.ComplaintIn.model_validate(
            {k: v for k, v in fields.items() if k != "hotel_q"}
        )
        row = await service.file_complaint(session, actor=staff, data=data)
    except (DomainError, ValidationError) as exc:
        error, status = refusal(exc)
        raise FormRejected(
            lambda session: _new_page(request, session, staff, fields, error=error, status=status)
        ) from exc
    return see_other(request, f"/complaints/{row.complaint_id}?saved=filed")


@router.get("/complaints/summary", response_class=HTMLResponse)
async def summary_page(
    request: Request,
    session: DbSession,
    staff: SummaryReader,
    period: summary.Period = "week",
    on: Annotated[BusinessDate | None, Query()] = None,
) -> Response:
    """Complaints by category and severity and how the clocks were kept, weekly or monthly."""
    found = await summary.summarise(session, period=period, on=on or clock.today())
    categories = {code: _(title) for code, title in CATEGORY_NAMES.items()}
    severities = {code: _(title) for code, title in SEVERITY_NAMES.items()}
    return render(
        request.app.state.templates, request, "complaints_summary.html", staff,
        summary=found, on=on or clock.today(), stages=summary.STAGES, states=summary.STATES,
        chart=summary.chart_data(found, categories, severities), **NAMES,
    )  # fmt: skip


@router.get("/complaints/summary.xlsx")
async def summary_xlsx(
    session: DbSession,
    staff: SummaryReader,
    period: summary.Period = "week",
    on: Annotated[BusinessDate | None, Query()] = None,
) -> Response:
    """The summary as an Excel workbook: categories, then clocks."""
    found = await summary.summarise(session, period=period, on=on or clock.today())
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("By category")
    append_row(sheet, [_("Category"), _("Minor"), _("Major"), _("All")])
    for code, counts in found.by_category.items():
        append_row(sheet, [_(CATEGORY_NAMES[code]), counts["minor"], counts["major"],
                           counts["minor"] + counts["major"]])  # fmt: skip
    kept = book.create_sheet(_("Clocks"))
    append_row(kept, [_("Clock"), *[_(STATE_NAMES[s]) for s in summary.STATES]])
    for stage in summary.STAGES:
        append_row(
            kept, [_(CLOCK_NAMES[stage]), *[found.by_clock[stage][s] for s in summary.STATES]]
        )
    name = f"complaints-{period}-{found.first}-{found.last}"
    return xlsx_response(book, name, bold_headers=True)


async def _complaint_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    complaint_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    action: str = "",
    saved: str = "",
) -> Response:
    row = await service.get_complaint(session, complaint_id)
    return render(
        request.app.state.templates, request, "complaints_one.html", staff, status_code=status,
        c=row, clocks=service.clocks(row, clock.now()),
        steps=await service.steps_of(session, complaint_id), today=clock.today(),
        error=error, values=values or {}, action=action,
        saved=_(SAVED[saved]) if saved in SAVED else "", **NAMES,
    )  # fmt: skip


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
async def complaint_page(
    request: Request, session: DbSession, staff: Desk, complaint_id: Uuid, saved: Code = ""
) -> Response:
    """One complaint: its clocks, answers, apology visit and thread."""
    return await _complaint_page(request, session, staff, complaint_id, saved=saved)


async def _act(
    session: AsyncSession, complaint_id: uuid.UUID, staff: Staff, action: Action, f: dict[str, str]
) -> None:
    if action == "findings":
        data = service.AnswerIn.model_validate(f)
        await service.record_findings(session, complaint_id=complaint_id, actor=staff, data=data)
    elif action in ("progress", "final"):
        data = service.AnswerIn.model_validate(f)
        await service.answer_member(
            session, complaint_id=complaint_id, actor=staff, stage=action, data=data
        )
    elif action == "visit":
        visit = service.VisitIn.model_validate(f)
        await service.record_visit(session, complaint_id=complaint_id, actor=staff, data=visit)
    else:
        closing = service.CloseIn.model_validate(f)
        await service.close_complaint(session, complaint_id=complaint_id, actor=staff, data=closing)


@router.post("/complaints/{complaint_id}/{action}")
async def complaint_action(
    request: Request, session: DbSession, staff: Desk, complaint_id: Uuid, action: Action
) -> Response:
    """Findings, an answer to the member, the apology visit or the close (CS-3)."""
    fields = await form_data(request)
    try:
        await _act(session, complaint_id, staff, action, fields)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = refusal(exc)
        raise FormRejected(
            lambda session: _complaint_page(
                request,
                session,
                staff,
                complaint_id,
                error=error,
                status=status,
                values=fields,
                action=action,
            )
        ) from exc
    return see_other(request, f"/complaints/{complaint_id}?saved={action}")


class ComplaintOut(BaseModel):
    complaint_id: uuid.UUID
    complaint_no: int
    status: str
    member_id: uuid.UUID | None
    hotel_id: uuid.UUID | None
    hotel_name: str
    category: str
    severity: str
    department: str
    filed_at: datetime
    department_due_at: datetime
    progress_due_at: datetime
    final_due_at: datetime
    findings: str
    apology_visit_due: bool
    version: int


@router.post("/api/complaints", status_code=201)
async def file_complaint_api(
    session: DbSession, staff: Desk, body: service.ComplaintIn
) -> ComplaintOut:
    """Record and route a complaint (CS-3); 422 names the refused field."""
    row = await service.file_complaint(session, actor=staff, data=body)
    return ComplaintOut.model_validate(dict(row._mapping))


@router.get("/api/complaints/{complaint_id}")
async def complaint_api(session: DbSession, staff: Desk, complaint_id: Uuid) -> ComplaintOut:
    """One complaint as JSON."""
    row = await service.get_complaint(session, complaint_id)
    return ComplaintOut.model_validate(dict(row._mapping))
