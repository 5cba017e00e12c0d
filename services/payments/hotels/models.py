"""Tables of payments' hotels (issue 17), on the schema's one ``Base``; mirrored by
``migrations/payments/versions/0005_hotels.py``.

- ``stay_posting``: one row per booking, the outcome version applied (NS-3: only a newer one
  replaces it) and the ledger transactions that outcome posted, which a correction or a
  cancellation reverses (PAY-4);
- ``hotel_chase``: a call, fax or e-mail chasing a hotel for what it owes us (PAY-3).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ARRAY, CheckConstraint, Date, DateTime, Integer, String, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column

from services.payments.models import Base

CHANNELS = ("phone", "fax", "email")


class StayPosting(Base):
    """What the ledger holds for a booking's stay outcome now (PAY-4, NS-3)."""

    __tablename__ = "stay_posting"

    booking_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    hotel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    outcome_version: Mapped[int] = mapped_column(Integer, default=0)
    # stayed, no_show_provisional, no_show_final, cancelled
    outcome: Mapped[str] = mapped_column(String(30), default="")
    transaction_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HotelChase(Base):
    """One chase of a hotel for what it owes (PAY-3): who, when, how, and what it promised."""

    __tablename__ = "hotel_chase"
    __table_args__ = (
        CheckConstraint("channel IN ('phone', 'fax', 'email')", name="hotel_chase_channel"),
    )

    chase_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hotel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    chased_on: Mapped[date] = mapped_column(Date)
    chased_by: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(2000), default="")
    promised_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
