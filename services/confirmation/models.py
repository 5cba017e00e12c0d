"""Tables of the confirmation schema (outbox, inbox and audit log come from shared).

The schema is created only by migrations (``migrations/confirmation``); these mirror it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.confirmation.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


class HotelContact(Base):
    """How to reach a hotel with an order sheet: a projection of contracts.hotel_published."""

    __tablename__ = "hotel_contact"

    hotel_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    confirm_channel: Mapped[str] = mapped_column(String(10))
    fax: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConfirmationTask(Base):
    """One booking (or later, one change of it) to send to the hotel and confirm (CF-1)."""

    __tablename__ = "confirmation_task"

    task_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    booking_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(12), default="new")
    booking_ref: Mapped[str] = mapped_column(String(40))
    hotel_id: Mapped[uuid.UUID]
    hotel_name: Mapped[str] = mapped_column(String(400))
    room_type_name: Mapped[str] = mapped_column(String(120))
    rate_plan_name: Mapped[str] = mapped_column(String(120))
    check_in: Mapped[date] = mapped_column(Date)
    check_out: Mapped[date] = mapped_column(Date)
    rooms: Mapped[int] = mapped_column(Integer)
    guest_names: Mapped[list[str]] = mapped_column(JSONB)
    payment_mode: Mapped[str] = mapped_column(String(20))
    confirm_channel: Mapped[str] = mapped_column(String(10))
    special_requests: Mapped[str] = mapped_column(Text, default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(12), default="unsent")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # IN-5 / CF-8: the booking version the task sends (1 = new), and for a change what
    # changed and why, for the desk to read before sending (changes.py).
    booking_version: Mapped[int] = mapped_column(Integer, default=1)
    change_summary: Mapped[str] = mapped_column(Text, default="")
    change_reason: Mapped[str] = mapped_column(Text, default="")
