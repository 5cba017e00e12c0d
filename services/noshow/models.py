"""Tables of the noshow schema (outbox, inbox and audit log come from shared).

The schema is created only by migrations (``migrations/noshow``); these mirror it. Bookings
and hotels' contract terms are read models filled from intake's, confirmation's and
contracts' events; everything else is the desk's own record of what happened to each stay.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.noshow.settings import SCHEMA
from shared.machine_credentials import CredentialColumns, live_name_index


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


class StayBooking(Base):
    """A booking as intake and the confirmation desk last told us (read model, issue 12: the
    booking's version orders the updates). Only confirmed stays reach the worklist (NS-1)."""

    __tablename__ = "stay_booking"
    __table_args__ = (Index("stay_booking_arrival", "check_in", "status"),)

    booking_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    booking_ref: Mapped[str] = mapped_column(String(40), unique=True)
    booking_version: Mapped[int] = mapped_column(Integer)
    hotel_id: Mapped[uuid.UUID] = mapped_column(index=True)
    hotel_name: Mapped[str] = mapped_column(String(300))
    check_in: Mapped[date] = mapped_column(Date)
    check_out: Mapped[date] = mapped_column(Date)
    rooms: Mapped[int] = mapped_column(Integer)
    guest_names: Mapped[list[str]] = mapped_column(JSONB)
    booker_name: Mapped[str] = mapped_column(String(200))
    booker_phone: Mapped[str] = mapped_column(String(40))
    booker_company: Mapped[str] = mapped_column(String(200), default="")  # the client (reports)
    member_card: Mapped[str] = mapped_column(String(40), default="")
    agent_username: Mapped[str] = mapped_column(String(120))
    payment_mode: Mapped[str] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3))
    # [{"night": "2026-12-05", "sell_minor": 68800, "net_minor": 58480}, ...] for all rooms.
    nights: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    # intake's status (placed, requested, cancelled, ...); ``confirmed`` once the hotel confirmed.
    status: Mapped[str] = mapped_column(String(40))
    hotel_confirmation_no: Mapped[str | None] = mapped_column(String(60), default=None)
    source_version: Mapped[int] = mapped_column(BigInteger, server_default="0")  # issue 12


class HotelTerms(Base):
    """The contract terms in effect for a hotel, from contracts' ``contract_effective``
    (read model): what a no-show costs and what a pay-at-hotel stay earns us (NS-7, PAY-4)."""

    __tablename__ = "hotel_terms"

    hotel_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_version_id: Mapped[uuid.UUID] = mapped_column()
    payment_arrangement: Mapped[str] = mapped_column(String(40))
    guaranteed: Mapped[bool] = mapped_column(Boolean, default=False)
    no_show_fee: Mapped[str] = mapped_column(String(20), default="none")
    no_show_fee_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    commission_percent: Mapped[str | None] = mapped_column(String(10), default=None)
    source_version: Mapped[int] = mapped_column(BigInteger, server_default="0")  # issue 12


class CheckIn(Base):
    """A hotel's word on one booking's arrival, from its night audit (NS-1): an uploaded
    report, the desk typing it after a call, or the hotel's own API call. ``stayed`` false is
    the hotel saying the guest did not come; a later record for the booking replaces it."""

    __tablename__ = "check_in"

    check_in_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(StayBooking.booking_id), index=True)
    business_date: Mapped[date] = mapped_column(Date)
    stayed: Mapped[bool] = mapped_column(Boolean)
    nights_stayed: Mapped[int | None] = mapped_column(Integer, default=None)
    source: Mapped[str] = mapped_column(String(20))  # upload, desk or api
    import_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoShowCase(Base):
    """A booking on the desk's worklist: opened at the night audit (NS-1), due within half a
    working day (NS-6, SL-4), finished as stayed or as a final no-show. ``outcome_version``
    numbers the outcome events published for the booking (NS-3 corrections bump it)."""

    __tablename__ = "no_show_case"
    __table_args__ = (Index("no_show_case_open", "state", "due_at"),)

    case_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(StayBooking.booking_id), unique=True)
    business_date: Mapped[date] = mapped_column(Date)  # the night audit's date
    # open, provisional (a no-show awaiting the second check, NS-5), final, stayed
    state: Mapped[str] = mapped_column(String(20))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    outcome_version: Mapped[int] = mapped_column(Integer, default=0)
    reason_category: Mapped[str] = mapped_column(String(40), default="")
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)  # NS-3
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class BookerCall(Base):
    """One contact with the booker (NS-2): reached or not, why, the reminder, a suggestion for
    the manager (NS-4)."""

    __tablename__ = "booker_call"

    call_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(NoShowCase.case_id), index=True)
    reached: Mapped[bool] = mapped_column(Boolean)
    reason_category: Mapped[str] = mapped_column(String(40), default="")
    reminder_given: Mapped[bool] = mapped_column(Boolean, default=False)
    suggestion: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    called_by: Mapped[str] = mapped_column(String(120))
    called_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HotelCheck(Base):
    """The second check with the hotel that makes a no-show final (NS-5)."""

    __tablename__ = "hotel_check"

    check_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(NoShowCase.case_id), index=True)
    hotel_contact: Mapped[str] = mapped_column(String(200))  # who at the hotel said it
    hotel_said: Mapped[str] = mapped_column(Text)
    guest_stayed: Mapped[bool] = mapped_column(Boolean)
    checked_by: Mapped[str] = mapped_column(String(120))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditImport(Base):
    """One night-audit file or API call, all or nothing like the rate imports (HR-2):
    ``report`` lists each refused row, field and why."""

    __tablename__ = "audit_import"

    import_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    source: Mapped[str] = mapped_column(String(20))  # upload or api
    file_name: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(20))  # applied or refused
    rows: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    imported_by: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ColumnMapping(Base):
    """How one hotel's night-audit report names its columns, saved for its next upload."""

    __tablename__ = "column_mapping"
    __table_args__ = (UniqueConstraint("hotel_id"),)

    mapping_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hotel_id: Mapped[uuid.UUID] = mapped_column()
    # our field -> the report's column header: booking_ref, guest_name, arrival, status, nights
    columns: Mapped[dict[str, str]] = mapped_column(JSONB)
    saved_by: Mapped[str] = mapped_column(String(120))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditCredential(CredentialColumns, Base):
    """A hotel's or channel manager's login to the night-audit API (shared.machine_credentials):
    HTTP Basic, the secret only as an argon2 hash, limited to its hotels."""

    __tablename__ = "audit_credential"
    __table_args__ = (live_name_index("audit_credential"),)

    credential_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)

    @property
    def actor(self) -> str:
        """How check-ins and the audit trail name what this credential sent."""
        return f"api:{self.name}"
