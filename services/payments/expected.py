"""Money we expect at the bank (PAY-5), and what matching a bank entry to it posts.

A slip paid by bank transfer, a hotel's settlement owed to us and our settlement owed to a hotel
each become an ``ExpectedPayment``. When the bank statement shows the money, ``settle`` posts it
once — an incoming payment debits the bank and credits ``clears_account``; an outgoing one
debits ``clears_account`` and credits the bank — keyed by the expected payment, so a second
match of the same expectation is refused and a replay posts nothing more.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.bank.models import BankEntry
from services.payments.ledger import chart
from services.payments.ledger.postings import Posting, post, transfer
from services.payments.models import Base
from shared.clock import clock
from shared.errors import Conflict, NotFound


class ExpectedPayment(Base):
    """Money we expect to see at the bank (PAY-5): a bank transfer a guest promised on a slip,
    a hotel's settlement owed to us (``in``), or our settlement to a hotel (``out``). A bank
    entry matched to it posts the money against ``clears_account`` exactly once."""

    __tablename__ = "expected_payment"
    __table_args__ = (
        Index("expected_payment_open", "status", "currency", "amount_minor"),
        CheckConstraint("amount_minor > 0", name="expected_payment_positive"),
        CheckConstraint("direction IN ('in', 'out')", name="expected_payment_direction"),
    )

    expected_payment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    direction: Mapped[str] = mapped_column(String(3))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(60), index=True)
    source: Mapped[str] = mapped_column(String(20))  # slip, statement
    source_id: Mapped[uuid.UUID] = mapped_column()
    clears_account: Mapped[str] = mapped_column(String(120))
    hotel_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    booking_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, matched, cancelled
    # The bank entry it was matched to (services/payments/bank, migration 0007).
    bank_entry_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(BankEntry.entry_id), default=None, unique=True
    )
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    matched_by: Mapped[str | None] = mapped_column(String(120), default=None)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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
