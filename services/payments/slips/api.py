"""The slips' JSON API (PAY-1, PAY-2): the same actions as the pages, amounts in minor units.

Refused input is a 422 naming the field; the maker's sign a 403; a state that does not allow
the action a 409. Nothing here commits (the request's session does, on success).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict

from services.payments.settings import PaymentsSettings
from services.payments.slips import finance, service, views
from services.payments.slips.access import COLLECT, DESK, FINANCE, LEAD
from services.payments.slips.gateways import invoicing_gateway, payment_gateway
from services.payments.slips.models import Slip
from shared.auth import Staff, require
from shared.db import DbSession
from shared.limits import PageNumber, Text, Uuid

router = APIRouter(prefix="/api/slips", tags=["payments"])
Reader = Annotated[Staff, require(*DESK)]
Desk = Annotated[Staff, require(*COLLECT)]
Lead = Annotated[Staff, require(*LEAD)]
Finance = Annotated[Staff, require(*FINANCE)]


class SlipOut(BaseModel):
    slip_id: uuid.UUID
    booking_id: uuid.UUID
    booking_ref: str
    hotel_name: str
    booker_name: str
    currency: str
    amount_due_minor: int
    collected_minor: int
    state: str
    booking_cancelled: bool
    maker: str | None
    signer: str | None
    sent_back_reason: str
    handover_no: int | None
    updated_at: datetime

    @classmethod
    def of(cls, slip: Slip) -> SlipOut:
        return cls.model_validate(slip, from_attributes=True)


class PaymentOut(BaseModel):
    payment_id: uuid.UUID
    seq: int
    method: str
    currency: str
    amount_minor: int
    credited_minor: int
    payer: str
    card_last4: str | None
    gateway_reference: str | None
    expected_payment_id: uuid.UUID | None
    transaction_id: uuid.UUID | None
    recorded_by: str


class SlipDetailOut(SlipOut):
    payments: list[PaymentOut]
    invoice_number: str | None
    refund_due: bool


class SlipList(BaseModel):
    slips: list[SlipOut]
    total: int
    page: int


class SendBackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text(500, min_length=1)  # type: ignore[valid-type]


class InvoiceOut(BaseModel):
    number: str
    currency: str
    amount_minor: int


class HandoverOut(BaseModel):
    handover_no: int
    receipt_no: str
    collector: str
    counted: dict[str, int]


State = Literal["", "open", "submitted", "signed", "handed_over", "cancelled"]


@router.get("", response_model=SlipList)
async def list_slips(
    session: DbSession, staff: Reader, state: State = "", page: PageNumber = 1
) -> Any:
    listing = await views.list_slips(session, state, page)
    return SlipList(slips=[SlipOut.of(s) for s in listing.slips], total=listing.total, page=page)


@router.get("/{slip_id}", response_model=SlipDetailOut)
async def get_slip(session: DbSession, staff: Reader, slip_id: Uuid) -> Any:
    detail = await views.slip_detail(session, slip_id)
    return SlipDetailOut(
        **SlipOut.of(detail.slip).model_dump(),
        payments=[PaymentOut.model_validate(p, from_attributes=True) for p in detail.payments],
        invoice_number=detail.invoice.number if detail.invoice else None,
        refund_due=detail.refund_due,
    )


@router.post("/{slip_id}/payments", response_model=PaymentOut, status_code=201)
async def record_payment(
    request: Request, session: DbSession, staff: Desk, slip_id: Uuid, body: service.PaymentIn
) -> Any:
    gateway = payment_gateway(request.app.state.settings)
    return await service.record_payment(session, slip_id, body, staff, gateway=gateway)


@router.post("/{slip_id}/submit", response_model=SlipOut)
async def submit(session: DbSession, staff: Desk, slip_id: Uuid) -> Any:
    return SlipOut.of(await service.submit(session, slip_id, staff))


@router.post("/{slip_id}/sign", response_model=SlipOut)
async def sign(session: DbSession, staff: Lead, slip_id: Uuid) -> Any:
    return SlipOut.of(await service.sign(session, slip_id, staff))


@router.post("/{slip_id}/send-back", response_model=SlipOut)
async def send_back(session: DbSession, staff: Lead, slip_id: Uuid, body: SendBackIn) -> Any:
    return SlipOut.of(await service.send_back(session, slip_id, staff, body.reason))


@router.post("/{slip_id}/invoice", response_model=InvoiceOut, status_code=201)
async def invoice(
    session: DbSession, staff: Finance, slip_id: Uuid, body: finance.InvoiceIn
) -> Any:
    # Read when issued: ROOMLINE_INVOICE_DIR as the environment says now.
    gateway = invoicing_gateway(PaymentsSettings())
    row = await finance.issue_invoice(session, slip_id, body, staff, gateway=gateway)
    return InvoiceOut(number=row.number, currency=row.currency, amount_minor=row.amount_minor)


@router.post("/handovers", response_model=HandoverOut, status_code=201)
async def hand_over(session: DbSession, staff: Finance, body: finance.HandoverIn) -> Any:
    row = await finance.hand_over(session, body, staff)
    return HandoverOut(
        handover_no=row.handover_no, receipt_no=row.receipt_no, collector=row.collector,
        counted={k: int(v) for k, v in row.counted.items()},
    )  # fmt: skip
