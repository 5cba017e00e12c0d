"""Tables of collect-on-behalf slips (PAY-1, PAY-2), mirrored from ``payments_0004_slips``.

- ``slip``: one per prepaid booking: what the guest owes (``amount_due_minor``, in the
  booking's currency), what was taken so far, and who made, signed and handed it over;
- ``slip_payment``: each sum taken (cash, card, bank transfer), once per form token;
- ``cash_handover``: cash finance counted and receipted from one desk person (PAY-2);
- ``slip_invoice``: the invoice (发票) issued for a slip, one per slip (PAY-2).

Money is integer minor units with its currency; the ledger holds the postings, these rows
say which posting belongs to which slip.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.models import Base


class CashHandover(Base):
    """Cash one desk person handed to finance, counted per currency and receipted (PAY-2)."""

    __tablename__ = "cash_handover"

    handover_no: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(40), unique=True)
    collector: Mapped[str] = mapped_column(String(120))
    counted: Mapped[dict[str, Any]] = mapped_column(JSONB)  # currency -> minor units
    note: Mapped[str] = mapped_column(String(500), default="")
    received_by: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Slip(Base):
    """A prepaid booking's collect-on-behalf slip. ``state``: open → submitted → signed
    (→ handed_over when it held cash); sent back returns it to open; cancelled when the
    booking is cancelled before signing (``booking_cancelled`` marks a later one)."""

    __tablename__ = "slip"
    __table_args__ = (
        CheckConstraint(
            "state IN ('open', 'submitted', 'signed', 'handed_over', 'cancelled')",
            name="slip_state",
        ),
        CheckConstraint("collected_minor >= 0", name="slip_collected_positive"),
    )

    slip_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    booking_ref: Mapped[str] = mapped_column(String(40), index=True)
    hotel_name: Mapped[str] = mapped_column(String(300))
    booker_name: Mapped[str] = mapped_column(String(200))
    booker_phone: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    amount_due_minor: Mapped[int] = mapped_column(BigInteger)
    collected_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(20), index=True)
    booking_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    maker: Mapped[str | None] = mapped_column(String(120), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    signer: Mapped[str | None] = mapped_column(String(120), default=None)
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    sent_back_reason: Mapped[str] = mapped_column(String(500), default="")
    handover_no: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(CashHandover.handover_no), default=None
    )
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SlipPayment(Base):
    """One sum taken against a slip. ``amount_minor`` is in ``currency`` as the payer paid;
    ``credited_minor`` is what it pays off in the slip's currency (at ``fx_rate``: 1 payment
    currency = rate slip currency, HR-14). A bank transfer posts nothing now: it waits as an
    expected payment for the bank import."""

    __tablename__ = "slip_payment"
    __table_args__ = (
        UniqueConstraint("slip_id", "seq", name="slip_payment_seq"),
        UniqueConstraint("slip_id", "form_token", name="slip_payment_token"),
        CheckConstraint("method IN ('cash', 'card', 'bank_transfer')", name="slip_payment_method"),
        CheckConstraint("amount_minor > 0 AND credited_minor > 0", name="slip_payment_positive"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slip_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Slip.slip_id), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    form_token: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    credited_minor: Mapped[int] = mapped_column(BigInteger)
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(20, 10), default=None)
    payer: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(500), default="")
    card_last4: Mapped[str | None] = mapped_column(String(4), default=None)
    gateway_reference: Mapped[str | None] = mapped_column(String(100), default=None)
    expected_payment_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class SlipInvoice(Base):
    """The invoice (发票) issued for a slip through the invoicing gateway; one per slip."""

    __tablename__ = "slip_invoice"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="slip_invoice_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    slip_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Slip.slip_id), unique=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str] = mapped_column(String(30), default="")
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    issued_by: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
