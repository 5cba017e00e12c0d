"""Tables of payments' bank statements (PAY-5), on the schema's one ``Base``; mirrored by
``migrations/payments/versions/0007_bank.py``.

- ``bank_import``: one uploaded file, once (its sha256 is unique: the same file twice is
  imported once);
- ``bank_statement``: one statement of it, with the warnings shown beside it (a statement whose
  balances do not add up is kept as the bank sent it, never "fixed");
- ``bank_entry``: one booked line; a batch entry's details are entries of their own
  (``parent_id``), each matched on its own. ``state``: unmatched, matched, ignored, or batch
  (a parent whose details carry the matching).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.models import Base
from shared.i18n import N_

STATES = {
    "unmatched": N_("unmatched"),
    "matched": N_("matched"),
    "ignored": N_("ignored"),
    "batch": N_("batch"),
}


class BankImport(Base):
    __tablename__ = "bank_import"

    import_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    statements: Mapped[int] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    # Remarks on the file as a whole (a statement imported before by another file, skipped).
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BankStatement(Base):
    __tablename__ = "bank_statement"

    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    import_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(BankImport.import_id), index=True)
    account: Mapped[str] = mapped_column(String(70))
    currency: Mapped[str] = mapped_column(String(3))
    bank_statement_ref: Mapped[str] = mapped_column(String(120))
    opening_minor: Mapped[int] = mapped_column(BigInteger)
    closing_minor: Mapped[int] = mapped_column(BigInteger)
    opening_date: Mapped[date | None] = mapped_column(Date, default=None)
    closing_date: Mapped[date | None] = mapped_column(Date, default=None)
    # [{"message": catalog sentence, "params": {...}}], translated when shown.
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)


class BankEntry(Base):
    __tablename__ = "bank_entry"
    __table_args__ = (
        CheckConstraint(
            "state IN ('unmatched', 'matched', 'ignored', 'batch')", name="bank_entry_state"
        ),
    )

    entry_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(BankStatement.statement_id), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("payments.bank_entry.entry_id"), default=None, index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)  # a credit positive, a debit negative
    currency: Mapped[str] = mapped_column(String(3))
    booking_date: Mapped[date] = mapped_column(Date)
    value_date: Mapped[date | None] = mapped_column(Date, default=None)
    reference: Mapped[str] = mapped_column(String(1000), default="")
    counterparty: Mapped[str] = mapped_column(String(300), default="")
    bank_reference: Mapped[str] = mapped_column(String(120), default="")
    reversal: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(20), default="unmatched", index=True)
    expected_payment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(String(120), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    ignore_reason: Mapped[str | None] = mapped_column(String(500), default=None)

    @property
    def direction(self) -> str:
        return "in" if self.amount_minor > 0 else "out"
