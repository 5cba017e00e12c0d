"""The desk's routes (NS-1 … NS-6):

- ``GET /``: the worklist grouped by hotel with each case's due time (``?business_date=``:
  every case of that night audit); ``GET /cases/{id}``: one case;
- ``POST /cases/{id}/calls`` (NS-2, NS-4), ``/provisional`` (NS-1), ``/second-check`` (NS-5:
  the desk's roles only; anyone else 403), ``/correct`` (NS-3);
- ``GET /suggestions``: the bookers' suggestions for the general manager (NS-4);
- ``GET /lookup?booking_ref=`` and ``GET /api/records/{booking_ref}``: a booking's no-show
  record, read-only, for agents and sales (NS-5).

Every POST is audited by ``cases``; a refused form shows again with its errors and changes
nothing (one commit rule: the request's session commits only on success).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.auth import DESK_ROLES
from services.noshow.desk import cases, views
from shared.auth import Role, Staff, ensure_role, require
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.field_errors import FieldErrors, field_errors
from shared.i18n import N_, _
from shared.limits import BusinessDate, Code, Name, Note, Text, Uuid
from shared.web import form_data, render, see_other

router = APIRouter(tags=["noshow"])
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]
Manager = Annotated[Staff, require(Role.GENERAL_MANAGER, *DESK_ROLES)]
# NS-5: agents and sales (hotel resources) read no-show records; the desk too.
Reader = Annotated[Staff, require(Role.AGENT, Role.HOTEL_RESOURCES, *DESK_ROLES)]
Reason = Literal[
    "", "changed_plans", "stayed_elsewhere", "hotel_error", "name_mismatch",
    "cancelled_without_telling", "other",
]  # fmt: skip


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CallForm(_Form):
    reached: bool = False
    reason_category: Reason = ""
    reminder_given: bool = False
    suggestion: Note = ""  # type: ignore[valid-type]
    note: Note = ""  # type: ignore[valid-type]


class ProvisionalForm(_Form):
    note: Note = ""  # type: ignore[valid-type]


class SecondCheckForm(_Form):
    hotel_contact: Name  # type: ignore[valid-type]
    hotel_said: Text(4000, min_length=1)  # type: ignore[valid-type]
    guest_stayed: Literal["yes", "no"]


class CorrectForm(_Form):
    note: Text(4000, min_length=1)  # type: ignore[valid-type]


async def _case_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    case_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    return render(
        request.app.state.templates,
        request,
        "noshow_case.html",
        staff,
        status_code=status,
        detail=await views.case_detail(session, case_id),
        reasons=cases.REASONS,
        states=cases.STATES,
        history_labels=cases.HISTORY,
        error=error,
        values=values or {},
        saved=saved,
    )


@router.get("/", response_class=HTMLResponse)
async def worklist_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    business_date: BusinessDate | None = None,
) -> Response:
    """The worklist grouped by hotel, with the half-working-day clock (NS-1, NS-6)."""
    return render(
        request.app.state.templates,
        request,
        "noshow_worklist.html",
        staff,
        groups=await views.worklist(session, business_date),
        business_date=business_date,
        states=cases.STATES,
        reasons=cases.REASONS,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, session: DbSession, staff: DeskStaff, case_id: Uuid, saved: Code = ""
) -> Response:
    """One case: the booking, the hotel's word, the calls, the checks and the history."""
    return await _case_page(request, session, staff, case_id, saved=saved)


Action = Callable[[AsyncSession, uuid.UUID, Staff, dict[str, str]], Awaitable[Any]]


async def _call(session: AsyncSession, case_id: uuid.UUID, staff: Staff, f: dict[str, str]) -> Any:
    form = CallForm.model_validate(f)
    call = cases.CallInput(**form.model_dump())
    return await cases.record_call(session, case_id, call, staff)


async def _provisional(
    session: AsyncSession, case_id: uuid.UUID, staff: Staff, f: dict[str, str]
) -> Any:
    form = ProvisionalForm.model_validate(f)
    return await cases.mark_provisional(session, case_id, staff, note=form.note)


async def _second_check(
    session: AsyncSession, case_id: uuid.UUID, staff: Staff, f: dict[str, str]
) -> Any:
    ensure_role(staff, *DESK_ROLES)  # NS-5: the second check is the desk's alone
    form = SecondCheckForm.model_validate(f)
    check = cases.HotelCheckInput(
        hotel_contact=form.hotel_contact,
        hotel_said=form.hotel_said,
        guest_stayed=form.guest_stayed == "yes",
    )
    return await cases.second_check(session, case_id, check, staff)


async def _correct(
    session: AsyncSession, case_id: uuid.UUID, staff: Staff, f: dict[str, str]
) -> Any:
    form = CorrectForm.model_validate(f)
    return await cases.correct_to_stayed(session, case_id, staff, note=form.note)


ACTIONS: dict[str, Action] = {
    "calls": _call,
    "provisional": _provisional,
    "second-check": _second_check,
    "correct": _correct,
}
# Fields whose inputs are a group (radios) with no one label of their own on the page.
GROUP_LABELS = {"guest_stayed": N_("Did the guest stay?")}
ActionName = Literal["calls", "provisional", "second-check", "correct"]


@router.post("/cases/{case_id}/{action}")
async def case_action(
    request: Request, session: DbSession, staff: DeskStaff, case_id: Uuid, action: ActionName
) -> Response:
    """One of the case page's forms; refused input shows the page again with its errors."""
    fields = await form_data(request)
    try:
        await ACTIONS[action](session, case_id, staff, fields)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        error = field_errors(exc, labels={k: _(v) for k, v in GROUP_LABELS.items()})
        status = exc.status_code if isinstance(exc, DomainError) else 422
        raise FormRejected(
            lambda session: _case_page(
                request, session, staff, case_id, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/cases/{case_id}?saved={action}")


@router.get("/suggestions", response_class=HTMLResponse)
async def suggestions_page(request: Request, session: DbSession, staff: Manager) -> Response:
    """NS-4: what bookers suggested on the desk's calls, for the general manager."""
    return render(
        request.app.state.templates,
        request,
        "noshow_suggestions.html",
        staff,
        rows=await views.suggestions(session),
        reasons=cases.REASONS,
    )


@router.get("/lookup", response_class=HTMLResponse)
async def lookup_page(
    request: Request, session: DbSession, staff: Reader, booking_ref: Code = ""
) -> Response:
    """NS-5: a booking's no-show record, read-only."""
    row = await views.lookup(session, booking_ref) if booking_ref else None
    return render(
        request.app.state.templates,
        request,
        "noshow_lookup.html",
        staff,
        booking_ref=booking_ref,
        row=row,
        states=cases.STATES,
        reasons=cases.REASONS,
    )


class NoShowRecord(BaseModel):
    booking_ref: str
    hotel_name: str
    check_in: date
    state: str
    reason_category: str
    corrected: bool
    outcome_version: int


@router.get("/api/records/{booking_ref}", response_model=NoShowRecord)
async def api_record(session: DbSession, staff: Reader, booking_ref: Code) -> Any:
    """NS-5: a booking's no-show record as JSON, read-only; 404 when it has none."""
    row = await views.lookup(session, booking_ref)
    if row is None:
        raise NotFound("This booking has no no-show record.")
    return NoShowRecord(
        booking_ref=row.booking.booking_ref,
        hotel_name=row.booking.hotel_name,
        check_in=row.booking.check_in,
        state=row.case.state,
        reason_category=row.case.reason_category,
        corrected=row.case.corrected,
        outcome_version=row.case.outcome_version,
    )
