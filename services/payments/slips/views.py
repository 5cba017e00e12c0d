"""What the slips pages read: the list by state, one slip with its money and history, the
desk people whose signed cash waits for finance, and a handover's receipt (PAY-1, PAY-2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import ExpectedPayment
from services.payments.settings import SCHEMA
from services.payments.slips.models import CashHandover, Slip, SlipInvoice, SlipPayment
from shared.audit import audit_table
from shared.errors import NotFound
from shared.i18n import N_

PAGE_SIZE = 50
HISTORY = {
    "slip_opened": N_("Slip opened"),
    "slip_amount_changed": N_("Booking changed: amount due updated"),
    "slip_booking_cancelled": N_("Booking cancelled"),
    "slip_payment_recorded": N_("Money recorded"),
    "slip_submitted": N_("Submitted for review"),
    "slip_signed": N_("Signed"),
    "slip_sent_back": N_("Sent back"),
    "slip_handed_over": N_("Cash handed over to finance"),
    "slip_invoiced": N_("Invoice issued"),
}


@dataclass(frozen=True)
class SlipPage:
    slips: list[Slip]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


async def list_slips(session: AsyncSession, state: str, page: int) -> SlipPage:
    query = select(Slip)
    if state:
        query = query.where(Slip.state == state)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = await session.scalars(
        query.order_by(Slip.updated_at.desc(), Slip.booking_ref)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return SlipPage(list(rows), total, page)


@dataclass(frozen=True)
class SlipDetail:
    slip: Slip
    payments: list[SlipPayment]
    bank_status: dict[uuid.UUID, str]  # expected payment -> open, matched, cancelled
    invoice: SlipInvoice | None
    handover: CashHandover | None
    history: list[Any]

    @property
    def taken_minor(self) -> int:
        return sum(p.credited_minor for p in self.payments)

    @property
    def outstanding_minor(self) -> int:
        return self.slip.amount_due_minor - self.taken_minor

    @property
    def refund_due(self) -> bool:
        return self.slip.booking_cancelled and self.taken_minor > 0

    @property
    def takers(self) -> set[str]:
        return {p.recorded_by for p in self.payments}


async def slip_detail(session: AsyncSession, slip_id: uuid.UUID) -> SlipDetail:
    slip = await session.get(Slip, slip_id)
    if slip is None:
        raise NotFound(N_("No such slip."))
    payments = list(
        await session.scalars(
            select(SlipPayment).where(SlipPayment.slip_id == slip_id).order_by(SlipPayment.seq)
        )
    )
    expected_ids = [p.expected_payment_id for p in payments if p.expected_payment_id]
    bank = await session.execute(
        select(ExpectedPayment.expected_payment_id, ExpectedPayment.status).where(
            ExpectedPayment.expected_payment_id.in_(expected_ids)
        )
    )
    log = audit_table(SCHEMA)
    history = await session.execute(
        select(log)
        .where(log.c.entity == "slip", log.c.entity_id == str(slip_id))
        .order_by(log.c.audit_id)
    )
    return SlipDetail(
        slip=slip,
        payments=payments,
        bank_status={row[0]: row[1] for row in bank},
        invoice=await session.scalar(select(SlipInvoice).where(SlipInvoice.slip_id == slip_id)),
        handover=await session.get(CashHandover, slip.handover_no) if slip.handover_no else None,
        history=list(history.mappings()),
    )


async def collectors(session: AsyncSession) -> list[str]:
    """Desk people with signed cash waiting for finance."""
    has_cash = select(SlipPayment.slip_id).where(SlipPayment.method == "cash")
    rows = await session.scalars(
        select(Slip.maker)
        .where(Slip.state == "signed", Slip.slip_id.in_(has_cash), Slip.maker.is_not(None))
        .distinct()
        .order_by(Slip.maker)
    )
    return [name for name in rows if name]


async def handover_receipt(
    session: AsyncSession, handover_no: int
) -> tuple[CashHandover, list[Slip]]:
    row = await session.get(CashHandover, handover_no)
    if row is None:
        raise NotFound(N_("No such handover."))
    slips = await session.scalars(
        select(Slip).where(Slip.handover_no == handover_no).order_by(Slip.booking_ref)
    )
    return row, list(slips)
