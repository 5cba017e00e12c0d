"""Money we expect at the bank (PAY-5), and what matching a bank entry to it posts.

A slip paid by bank transfer, a hotel's settlement owed to us and our settlement owed to a hotel
each become an ``ExpectedPayment``. When the bank statement shows the money, ``settle`` posts it
once — an incoming payment debits the bank and credits ``clears_account``; an outgoing one
debits ``clears_account`` and credits the bank — keyed by the expected payment, so a second
match of the same expectation is refused and a replay posts nothing more.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.ledger import chart
from services.payments.ledger.postings import Posting, post, transfer
from services.payments.models import ExpectedPayment
from shared.clock import clock
from shared.errors import Conflict, NotFound


async def expect(
    session: AsyncSession,
    *,
    direction: str,
    currency: str,
    amount_minor: int,
    reference: str,
    source: str,
    source_id: uuid.UUID,
    clears_account: str,
    hotel_id: uuid.UUID | None = None,
    booking_id: uuid.UUID | None = None,
) -> ExpectedPayment:
    expected = ExpectedPayment(
        expected_payment_id=uuid.uuid4(),
        direction=direction,
        currency=currency,
        amount_minor=amount_minor,
        reference=reference,
        source=source,
        source_id=source_id,
        clears_account=clears_account,
        hotel_id=hotel_id,
        booking_id=booking_id,
        status="open",
    )
    session.add(expected)
    await session.flush()
    return expected


async def open_expected(session: AsyncSession, *, limit: int = 500) -> list[ExpectedPayment]:
    rows = await session.scalars(
        select(ExpectedPayment)
        .where(ExpectedPayment.status == "open")
        .order_by(ExpectedPayment.created_at)
        .limit(limit)
    )
    return list(rows)


async def settle(
    session: AsyncSession,
    expected_payment_id: uuid.UUID,
    *,
    bank_entry_id: int,
    booked_on: date,
    actor: str,
) -> ExpectedPayment:
    """Match ``bank_entry_id`` to the expectation and post the money (once)."""
    expected = await session.get(ExpectedPayment, expected_payment_id, with_for_update=True)
    if expected is None:
        raise NotFound(f"no expected payment {expected_payment_id}")
    if expected.status != "open":
        raise Conflict(f"the payment {expected.reference} is already {expected.status}")
    bank = chart.address("bank")
    debit, credit = (
        (bank, expected.clears_account)
        if expected.direction == "in"
        else (expected.clears_account, bank)
    )
    kind = {"slip": "bank_receipt", "statement": "settlement_collected"}.get(
        expected.source, "bank_receipt"
    )
    if expected.direction == "out":
        kind = "settlement_paid"
    posted = await post(
        session,
        Posting(
            idempotency_key=f"expected:{expected.expected_payment_id}",
            kind=kind,  # type: ignore[arg-type]
            legs=transfer(debit, credit, expected.amount_minor, expected.currency),
            booking_id=expected.booking_id,
            hotel_id=expected.hotel_id,
            memo=f"bank: {expected.reference}",
            effective_on=booked_on,
        ),
        actor=actor,
    )
    expected.status = "matched"
    expected.bank_entry_id = bank_entry_id
    expected.transaction_id = posted.transaction_id
    expected.matched_by = actor
    expected.matched_at = clock.now()
    return expected
