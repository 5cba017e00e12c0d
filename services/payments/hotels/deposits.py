"""Finance's money moves on the hotel side: a deposit placed with a hotel (PAY-3) and a refund
paid to a guest. Each is audited and posted once per form (the form's ``request_id`` is in the
idempotency key, so a double click posts one transaction).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.hotels.outcomes import refunds_payable
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of
from services.payments.ledger.models import LedgerTransaction
from services.payments.ledger.postings import Posted, Posting, post, transfer
from services.payments.models import PayBooking, PayHotel
from shared import audit
from shared.auth import Role, Staff, ensure_role
from shared.errors import Conflict, NotFound
from shared.i18n import N_

SCHEMA = "payments"
RefundMethod = Literal["bank", "cash"]
# Where a refund's money leaves from: the bank, or the cash finance holds.
REFUND_FROM: dict[str, str] = {"bank": "bank", "cash": "cash_with_finance"}
REFUND_METHODS = {"bank": N_("Bank transfer"), "cash": N_("Cash")}
TOO_MUCH_REFUND = N_("This is more than the guest is owed.")
NOTHING_OWED = N_("Nothing is owed to this guest.")


@dataclass(frozen=True)
class DepositInput:
    amount_minor: int
    paid_on: date
    note: str
    request_id: uuid.UUID


async def deposit_balance(session: AsyncSession, hotel_id: uuid.UUID, currency: str) -> int:
    """What the hotel holds of ours now (PAY-3)."""
    return await balance_of(session, chart.deposit_held(hotel_id), currency)


async def record_deposit(
    session: AsyncSession, hotel_id: uuid.UUID, deposit: DepositInput, staff: Staff
) -> Posted:
    """PAY-3: finance paid a deposit to the hotel: Dr deposit held, Cr bank."""
    ensure_role(staff, Role.FINANCE)
    hotel = await session.get(PayHotel, hotel_id)
    if hotel is None:
        raise NotFound(f"no hotel {hotel_id}")
    posted = await post(
        session,
        Posting(
            idempotency_key=f"deposit:{hotel_id}:{deposit.request_id}",
            kind="deposit_paid",
            legs=transfer(
                chart.deposit_held(hotel_id), "bank", deposit.amount_minor, hotel.currency
            ),
            hotel_id=hotel_id,
            memo=deposit.note or "deposit paid to the hotel",
            effective_on=deposit.paid_on,
        ),
        actor=staff.username,
    )
    if posted.created:
        await audit.record(
            session, schema=SCHEMA, actor=staff, action="deposit_paid", entity="hotel",
            entity_id=hotel_id, after={"amount_minor": deposit.amount_minor,
            "currency": hotel.currency, "paid_on": deposit.paid_on.isoformat(),
            "transaction_id": str(posted.transaction_id)},
        )  # fmt: skip
    return posted


async def refund_owed(session: AsyncSession, booking: PayBooking) -> int:
    """What we owe the booking's guest back (refunds payable's credit balance)."""
    return -await balance_of(session, refunds_payable(booking.booking_id), booking.currency)


async def pay_refund(
    session: AsyncSession,
    booking_ref: str,
    *,
    amount_minor: int,
    method: RefundMethod,
    request_id: uuid.UUID,
    staff: Staff,
) -> Posted:
    """Finance paid the guest back: Dr refunds payable, Cr bank (or finance's cash); never
    more than is owed."""
    ensure_role(staff, Role.FINANCE)
    booking = await session.scalar(
        select(PayBooking).where(PayBooking.booking_ref == booking_ref).with_for_update()
    )
    if booking is None:
        raise NotFound(f"no booking {booking_ref}")
    key = f"refund:{booking.booking_id}:{request_id}"
    owed = await refund_owed(session, booking)
    posting = Posting(
        idempotency_key=key,
        kind="refund_paid",
        legs=transfer(
            refunds_payable(booking.booking_id), REFUND_FROM[method], amount_minor, booking.currency
        ),
        booking_id=booking.booking_id,
        booking_ref=booking.booking_ref,
        hotel_id=booking.hotel_id,
        memo=f"refund paid ({method})",
    )
    already = await _already_posted(session, posting, staff)
    if already is not None:
        return already
    if owed <= 0:
        raise Conflict(NOTHING_OWED, field="amount")
    if amount_minor > owed:
        raise Conflict(TOO_MUCH_REFUND, field="amount")
    posted = await post(session, posting, actor=staff.username)
    await audit.record(
        session, schema=SCHEMA, actor=staff, action="refund_paid", entity="booking",
        entity_id=booking.booking_ref, before={"owed_minor": owed},
        after={"paid_minor": amount_minor, "method": method,
               "transaction_id": str(posted.transaction_id)},
    )  # fmt: skip
    return posted


async def _already_posted(session: AsyncSession, posting: Posting, staff: Staff) -> Posted | None:
    """The same form sent twice: its first posting, not a refusal for an already-paid refund."""
    found = await session.scalar(
        select(LedgerTransaction.transaction_id).where(
            LedgerTransaction.idempotency_key == posting.idempotency_key
        )
    )
    if found is None:
        return None
    return await post(session, posting, actor=staff.username)
