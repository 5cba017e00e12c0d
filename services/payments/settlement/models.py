"""Tables of payments' settlement (issue 17, PAY-4, PAY-5), on the schema's one ``Base``;
mirrored by ``migrations/payments/versions/0006_settlement.py``.

A ``settlement_statement`` is one hotel's month in one currency: what we owe it (payables),
what it owes us (commission and no-show fees), the deposit drawn, and the net. Its
``settlement_line`` rows are the ledger transactions it was read from, one each, and add up to
its totals. States: draft → approved → settled, or superseded by a later revision.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.models import Base

__all__ = ["Base", "SettlementLine", "SettlementStatement"]


class SettlementStatement(Base):
    __tablename__ = "settlement_statement"
    __table_args__ = (
        UniqueConstraint(
            "hotel_id", "month", "currency", "revision", name="settlement_statement_revision"
        ),
        CheckConstraint(
            "state IN ('draft', 'approved', 'settled', 'superseded')",
            name="settlement_statement_state",
        ),
        CheckConstraint("month = date_trunc('month', month)", name="settlement_statement_month"),
    )

    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    hotel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    hotel_name: Mapped[str] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    month: Mapped[date] = mapped_column(Date)  # the month's first day
    revision: Mapped[int] = mapped_column(Integer)
    payables_minor: Mapped[int] = mapped_column(BigInteger)
    commission_minor: Mapped[int] = mapped_column(BigInteger)
    no_show_fee_minor: Mapped[int] = mapped_column(BigInteger)
    receivables_minor: Mapped[int] = mapped_column(BigInteger)
    deposit_drawn_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)  # > 0: we pay; < 0: the hotel pays
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    made_by: Mapped[str] = mapped_column(String(120))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(120), default=None)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Each approval nets the month's accounts in its own ledger transaction (keyed by the
    # count); a rejection or a supersession reverses it.
    approvals: Mapped[int] = mapped_column(Integer, default=0)
    netting_transaction_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    rejected_by: Mapped[str | None] = mapped_column(String(120), default=None)
    rejected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    rejected_reason: Mapped[str] = mapped_column(String(500), default="")
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(default=None)


class SettlementLine(Base):
    """One ledger transaction of the hotel's accounts in the month, each amount on its
    account's normal side: ``payable_minor`` credits to what we owe, ``commission_minor`` and
    ``no_show_fee_minor`` debits to what the hotel owes, ``deposit_minor`` deposit drawn."""

    __tablename__ = "settlement_line"
    __table_args__ = (
        UniqueConstraint("statement_id", "transaction_id", name="settlement_line_once"),
    )

    line_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(SettlementStatement.statement_id, ondelete="CASCADE"), index=True
    )
    transaction_id: Mapped[uuid.UUID] = mapped_column()
    effective_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    booking_ref: Mapped[str | None] = mapped_column(String(40), default=None)
    memo: Mapped[str] = mapped_column(String(500), default="")
    payable_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    commission_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    no_show_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    deposit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
