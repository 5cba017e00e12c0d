"""Tables of the payments schema (outbox, inbox and audit log come from shared).

The schema is created only by migrations (``migrations/payments``). Each feature package keeps
its own tables in its own ``models.py`` on this ``Base``; the app imports them all, so the
drift test sees every table."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
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
