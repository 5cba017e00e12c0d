"""The ledger's two tables, mirrored from ``migrations/payments`` (``payments_0003_ledger``).

Accounts are implicit, as in Formance: an entry names its account by address
(``hotel_payable:<hotel id>``) and currency; an account's balance is the sum of its entries
(``services.payments.ledger.balances``). The database refuses an unbalanced transaction, any
UPDATE or DELETE, and entries added to a transaction after it was committed (triggers in the
migration), so the rules hold for SQL typed by hand too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Numeric,
    String,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.models import Base

ADDRESS_PATTERN = r"^[a-z_]+(:[A-Za-z0-9_.-]+)*$"


class LedgerTransaction(Base):
    """One balanced posting: its entries sum to zero in each currency. ``reverses_id`` names
    the transaction a correction cancels (at most one reversal each); ``fx_*`` records the rate
    used when the entries are in two currencies (HR-14)."""

    __tablename__ = "ledger_transaction"
    __table_args__ = (
        Index("ledger_transaction_booking", "booking_id"),
        Index("ledger_transaction_hotel_day", "hotel_id", "effective_on"),
        CheckConstraint(
            "(fx_rate IS NULL) = (fx_base IS NULL) AND (fx_rate IS NULL) = (fx_quote IS NULL)",
            name="ledger_transaction_fx_complete",
        ),
        CheckConstraint("fx_rate IS NULL OR fx_rate > 0", name="ledger_transaction_fx_positive"),
    )

    transaction_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    booking_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    booking_ref: Mapped[str | None] = mapped_column(String(40), default=None)
    hotel_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("payments.ledger_transaction.transaction_id"), unique=True, default=None
    )
    memo: Mapped[str] = mapped_column(String(500), default="")
    effective_on: Mapped[date] = mapped_column(Date)
    fx_base: Mapped[str | None] = mapped_column(String(3), default=None)
    fx_quote: Mapped[str | None] = mapped_column(String(3), default=None)
    # 1 fx_base = fx_rate fx_quote
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(20, 10), default=None)
    posted_by: Mapped[str] = mapped_column(String(120))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The database transaction that wrote it: entries may join only that one.
    written_in_xact: Mapped[int] = mapped_column(BigInteger, server_default=func.txid_current())


class LedgerEntry(Base):
    """One leg: ``amount_minor`` is positive for a debit, negative for a credit."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ledger_entry_account", "account", "currency"),
        CheckConstraint("amount_minor <> 0", name="ledger_entry_not_zero"),
        CheckConstraint(f"account ~ '{ADDRESS_PATTERN}'", name="ledger_entry_address"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ledger_entry_currency"),
    )

    entry_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(LedgerTransaction.transaction_id), index=True
    )
    account: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
