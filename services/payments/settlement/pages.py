"""Pages and API of payments' settlement (issue 17, PAY-4, PAY-5):

- ``GET /statements``: a month's statements (state, totals, filters) and the generate form;
  ``POST /statements/generate``: one hotel's or every active hotel's (finance, collect desk);
- ``GET /statements/{id}``: lines, totals, approve and reject (finance, not the maker), the
  PDF (``/pdf``) and the workbook (``/xlsx``);
- ``/api/statements``: the same as JSON.

A refused form shows the page again with its errors and changes nothing (one commit rule).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import ExpectedPayment
from services.payments.models import PayHotel
from services.payments.settlement import api, documents, service
from services.payments.settlement.api import Checker, Maker, Reader, State
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import DbSession
from shared.errors import DomainError, FormRejected, NotFound
from shared.exports import XLSX_MEDIA_TYPE
from shared.field_errors import FieldErrors, field_errors
from shared.limits import MonthText, SearchText, Text, Uuid, parse_month
from shared.web import form_data, render, see_other

router = APIRouter(tags=["payments"])
router.include_router(api.router)


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GenerateForm(_Form):
    month: MonthText
    hotel_id: Uuid | None = None


class RejectForm(_Form):
    reason: Text(500, min_length=1)  # type: ignore[valid-type]


async def _list_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    *,
    month: date,
    state: str = "",
    q: str = "",
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    generated: int | None = None,
) -> Response:
    hotels = await session.execute(
        select(PayHotel.hotel_id, PayHotel.name).order_by(PayHotel.name).limit(1000)
    )
    return render(
        request.app.state.templates,
        request,
        "settlement_statements.html",
        staff,
        status_code=status,
        statements=await service.statements_of(session, month, state, q),
        month=f"{month:%Y-%m}",
        state=state,
        q=q,
        states=service.STATES,
        hotels=list(hotels),
        error=error,
        values=values or {},
        generated=generated,
        can_generate=staff.has_any(frozenset({Role.FINANCE, Role.COLLECT_DESK})),
    )


@router.get("/statements", response_class=HTMLResponse)
async def statements_page(
    request: Request,
    session: DbSession,
    staff: Reader,
    month: Annotated[MonthText, Query()] = "",
    state: State = "",
    q: Annotated[SearchText, Query()] = "",  # type: ignore[valid-type]
    generated: Annotated[int | None, Query(ge=0, le=100000)] = None,
) -> Response:
    """A month's statements (last month by default) with their state and totals."""
    return await _list_page(
        request,
        session,
        staff,
        month=service.month_or_last(month),
        state=state,
        q=q,
        generated=generated,
    )


@router.post("/statements/generate")
async def generate_form(request: Request, session: DbSession, staff: Maker) -> Response:
    """PAY-5: generate one hotel's or every active hotel's statements of a month."""
    fields = await form_data(request)
    try:
        form = GenerateForm.model_validate(fields)
        made = await service.generate(session, staff, parse_month(form.month), form.hotel_id)
    except (DomainError, ValidationError) as exc:
        error = field_errors(exc)
        status = exc.status_code if isinstance(exc, DomainError) else 422
        month = _safe_month(fields.get("month", ""))
        raise FormRejected(
            lambda session: _list_page(
                request, session, staff, month=month, error=error, status=status, values=fields
            )
        ) from exc
    if len(made) == 1:
        return see_other(request, f"/statements/{made[0].statement_id}")
    return see_other(request, f"/statements?month={form.month}&generated={len(made)}")


def _safe_month(text: str) -> date:
    try:
        return service.month_or_last(text[:7])
    except ValueError:
        return service.last_month(clock.today())


async def _detail_page(
    request: Request,
    session: AsyncSession,
    staff: Staff,
    statement_id: uuid.UUID,
    *,
    error: str | FieldErrors = "",
    status: int = 200,
    values: dict[str, str] | None = None,
    saved: str = "",
) -> Response:
    statement = await service.load(session, statement_id)
    lines = await documents.lines_of(session, statement)
    expected = await session.scalars(
        select(ExpectedPayment)
        .where(
            ExpectedPayment.source == "statement",
            ExpectedPayment.source_id == statement.statement_id,
        )
        .order_by(ExpectedPayment.created_at)
    )
    return render(
        request.app.state.templates,
        request,
        "settlement_statement.html",
        staff,
        status_code=status,
        s=statement,
        lines=lines,
        sums=documents.sums_of(lines),
        expected=list(expected),
        states=service.STATES,
        expected_status=service.EXPECTED_STATUS,
        kind_labels=documents.KIND_LABELS,
        can_check=staff.has_any(frozenset({Role.FINANCE})) and staff.username != statement.made_by,
        error=error,
        values=values or {},
        saved=saved,
    )


@router.get("/statements/{statement_id}", response_class=HTMLResponse)
async def statement_page(
    request: Request,
    session: DbSession,
    staff: Reader,
    statement_id: Uuid,
    saved: Annotated[Literal["", "approve", "reject"], Query()] = "",
) -> Response:
    """One statement: its lines, totals, state, and approve or reject for finance."""
    return await _detail_page(request, session, staff, statement_id, saved=saved)


async def _decide(
    session: AsyncSession, statement_id: uuid.UUID, staff: Staff, decision: str, f: dict[str, str]
) -> Any:
    if decision == "approve":
        return await service.approve(session, statement_id, staff)
    form = RejectForm.model_validate(f)
    return await service.reject(session, statement_id, staff, form.reason)


@router.post("/statements/{statement_id}/{decision}")
async def decide_form(
    request: Request,
    session: DbSession,
    staff: Checker,
    statement_id: Uuid,
    decision: Literal["approve", "reject"],
) -> Response:
    """PAY-5: finance approves or rejects (with a reason) a statement it did not make."""
    fields = await form_data(request)
    try:
        await _decide(session, statement_id, staff, decision, fields)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, NotFound):
            raise
        error = field_errors(exc)
        status = exc.status_code if isinstance(exc, DomainError) else 422
        raise FormRejected(
            lambda session: _detail_page(
                request, session, staff, statement_id, error=error, status=status, values=fields
            )
        ) from exc
    return see_other(request, f"/statements/{statement_id}?saved={decision}")


@router.get("/statements/{statement_id}/pdf")
async def statement_pdf(session: DbSession, staff: Reader, statement_id: Uuid) -> Response:
    """The statement as a PDF, Chinese and English side by side."""
    statement = await service.load(session, statement_id)
    content = await documents.statement_pdf(session, statement)
    name = documents.file_stem(statement)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


@router.get("/statements/{statement_id}/xlsx")
async def statement_xlsx(session: DbSession, staff: Reader, statement_id: Uuid) -> Response:
    """The statement and its lines as an Excel workbook."""
    statement = await service.load(session, statement_id)
    content = await documents.statement_xlsx(session, statement)
    name = documents.file_stem(statement)
    return Response(
        content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )
