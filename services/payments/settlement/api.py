"""The statements' JSON API (PAY-4, PAY-5): list a month's, read one with its lines,
generate, approve (finance, not the maker: 403) and reject with a reason. Bodies and queries
are bounded; a bad one is a 422 naming the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.payments.settlement import documents, service
from services.payments.settlement.models import SettlementLine, SettlementStatement
from shared.auth import Role, Staff, require
from shared.db import DbSession
from shared.limits import MonthText, Text, Uuid, parse_month

router = APIRouter(prefix="/api/statements", tags=["payments"])
# FINANCE and the collect desk generate and read, team leads read, FINANCE approves (PAY-5).
Reader = Annotated[Staff, require(Role.FINANCE, Role.COLLECT_DESK, Role.TEAM_LEAD)]
Maker = Annotated[Staff, require(Role.FINANCE, Role.COLLECT_DESK)]
Checker = Annotated[Staff, require(Role.FINANCE)]
State = Literal["", "draft", "approved", "settled", "superseded"]


class StatementView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    statement_id: str
    reference: str
    hotel_id: str
    hotel_name: str
    currency: str
    month: str
    revision: int
    state: str
    payables_minor: int
    commission_minor: int
    no_show_fee_minor: int
    receivables_minor: int
    deposit_drawn_minor: int
    net_minor: int
    made_by: str
    approved_by: str | None
    rejected_reason: str
    note: str

    @classmethod
    def of(cls, s: SettlementStatement) -> StatementView:
        return cls(
            **{name: getattr(s, name) for name in cls.model_fields if name not in _TEXT_IDS},
            statement_id=str(s.statement_id),
            hotel_id=str(s.hotel_id),
            month=f"{s.month:%Y-%m}",
        )


_TEXT_IDS = ("statement_id", "hotel_id", "month")


class LineView(BaseModel):
    transaction_id: str
    effective_on: date
    kind: str
    booking_ref: str | None
    payable_minor: int
    commission_minor: int
    no_show_fee_minor: int
    deposit_minor: int

    @classmethod
    def of(cls, line: SettlementLine) -> LineView:
        return cls(
            transaction_id=str(line.transaction_id),
            effective_on=line.effective_on,
            kind=line.kind,
            booking_ref=line.booking_ref,
            payable_minor=line.payable_minor,
            commission_minor=line.commission_minor,
            no_show_fee_minor=line.no_show_fee_minor,
            deposit_minor=line.deposit_minor,
        )


class StatementDetail(StatementView):
    lines: list[LineView]


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    month: MonthText
    hotel_id: Uuid | None = None


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(500, min_length=1)  # type: ignore[valid-type]


@router.get("")
async def list_statements(
    session: DbSession,
    staff: Reader,
    month: Annotated[MonthText, Query()] = "",
    state: State = "",
) -> list[StatementView]:
    """A month's statements (last month by default)."""
    found = await service.statements_of(session, service.month_or_last(month), state, "")
    return [StatementView.of(s) for s in found]


@router.get("/{statement_id}")
async def read_statement(session: DbSession, staff: Reader, statement_id: Uuid) -> StatementDetail:
    statement = await service.load(session, statement_id)
    lines = await documents.lines_of(session, statement)
    view = StatementView.of(statement)
    return StatementDetail(**view.model_dump(), lines=[LineView.of(line) for line in lines])


@router.post("", status_code=201)
async def generate_statements(
    body: GenerateBody, session: DbSession, staff: Maker
) -> list[StatementView]:
    made = await service.generate(session, staff, parse_month(body.month), body.hotel_id)
    return [StatementView.of(s) for s in made]


@router.post("/{statement_id}/approve")
async def approve(session: DbSession, staff: Checker, statement_id: Uuid) -> StatementView:
    """PAY-5: approve; the maker gets 403."""
    return StatementView.of(await service.approve(session, statement_id, staff))


@router.post("/{statement_id}/reject")
async def reject(
    body: RejectBody, session: DbSession, staff: Checker, statement_id: Uuid
) -> StatementView:
    """Back to draft with ``{"reason": …}``."""
    return StatementView.of(await service.reject(session, statement_id, staff, body.reason))
