"""Tables of the payments schema (outbox, inbox and audit log come from shared).

The schema is created only by migrations (``migrations/payments``). Each feature package keeps
its own tables in its own ``models.py`` on this ``Base``; the app imports them all, so the
drift test sees every table."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.payments.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


# Read models of other services' events (issue 12: ``source_version`` orders the updates).


class PayBooking(Base):
    """A booking as intake last told us: what a slip collects (PAY-1) and what a stay outcome
    posts against (PAY-4)."""

    __tablename__ = "pay_booking"

    booking_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    booking_ref: Mapped[str] = mapped_column(String(40), unique=True)
    booking_version: Mapped[int] = mapped_column(Integer)
    hotel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    hotel_name: Mapped[str] = mapped_column(String(300))
    check_in: Mapped[date] = mapped_column(Date)
    check_out: Mapped[date] = mapped_column(Date)
    rooms: Mapped[int] = mapped_column(Integer)
    booker_name: Mapped[str] = mapped_column(String(200))
    booker_phone: Mapped[str] = mapped_column(String(40))
    member_card: Mapped[str] = mapped_column(String(40), default="")
    agent_username: Mapped[str] = mapped_column(String(120))
    payment_mode: Mapped[str] = mapped_column(String(40))  # prepaid, pay_at_hotel, ...
    currency: Mapped[str] = mapped_column(String(3))
    total_sell_minor: Mapped[int] = mapped_column(BigInteger)
    total_net_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(40))  # intake's: placed, requested, cancelled
    source_version: Mapped[int] = mapped_column(BigInteger, server_default="0")


class PayHotel(Base):
    """A hotel's name and currency (``hotel_published``) and the contract terms in effect
    (``contract_effective``): how it settles (PAY-3, PAY-4)."""

    __tablename__ = "pay_hotel"

    hotel_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    payment_arrangement: Mapped[str | None] = mapped_column(String(40), default=None)
    commission_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    monthly_settlement: Mapped[bool] = mapped_column(Boolean, default=False)
    deposit_agreed_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    guaranteed: Mapped[bool] = mapped_column(Boolean, default=False)
    no_show_fee: Mapped[str] = mapped_column(String(20), default="none")
    no_show_fee_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    hotel_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    terms_version: Mapped[int] = mapped_column(BigInteger, server_default="0")


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
    bank_entry_id: Mapped[int | None] = mapped_column(BigInteger, default=None, unique=True)
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    matched_by: Mapped[str | None] = mapped_column(String(120), default=None)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
