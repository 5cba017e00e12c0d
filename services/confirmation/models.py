"""Tables of the confirmation schema (outbox, inbox and audit log come from shared).

The schema is created only by migrations (``migrations/confirmation``); these mirror it.
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
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.confirmation.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


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
    # Issue 12: the hotel's event version that wrote the row; only a higher one replaces it.
    source_version: Mapped[int] = mapped_column(BigInteger, server_default="0")


class ConfirmationTask(Base):
    """One booking (or later, one change of it) to send to the hotel and confirm (CF-1)."""

    __tablename__ = "confirmation_task"
    __table_args__ = (
        # One task per booking version and kind: the second guard against a doubled event.
        UniqueConstraint(
            "booking_id", "kind", "booking_version", name="confirmation_task_one_per_version"
        ),
        Index("confirmation_task_queue", "state", "deadline_at"),  # CF-2: by deadline in a state
        Index("confirmation_task_ref", "booking_ref"),
        Index(
            "confirmation_task_confirmation_no",
            "hotel_confirmation_no",
            postgresql_where=text("hotel_confirmation_no IS NOT NULL"),
        ),
    )

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
    # The booking event's payload as announced, for the order sheet (IN-4); for a change,
    # the changed fields' old and new values, highlighted on the sheet (CF-8).
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    change_before: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    change_after: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    room_type_id: Mapped[uuid.UUID | None]
    reply_at_once: Mapped[bool] = mapped_column(Boolean, default=False)
    # One desk user works a task at a time (CF-1).
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # CF-5: an online booking is verified with the guest by phone before it is sent.
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str | None] = mapped_column(String(80))
    verification_note: Mapped[str] = mapped_column(Text, default="")
    # Why the last send failed; the task is back in the queue with it.
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_channel: Mapped[str | None] = mapped_column(String(10))
    # CF-7 / SL-6: a fax's receipt is checked by phone within 3 minutes of sending.
    receipt_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt_checked_by: Mapped[str | None] = mapped_column(String(80))
    receipt_contact: Mapped[str | None] = mapped_column(String(120))
    # CF-4 / CF-3: the hotel's answer.
    hotel_confirmation_no: Mapped[str | None] = mapped_column(String(60))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[str | None] = mapped_column(String(80))
    full_reason: Mapped[str] = mapped_column(Text, default="")
    # Issue 15 (CF-1, CF-8): why a task closed without the hotel's answer; "nothing_to_send"
    # when its booking was cancelled before any order about it was sent (state "closed").
    close_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")


class HotelTerms(Base):
    """The payment arrangement of the hotel's signed contract (contracts.contract_effective):
    it decides which prices an order sheet shows."""

    __tablename__ = "hotel_terms"

    hotel_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    payment_arrangement: Mapped[str] = mapped_column(String(40))
    version_no: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_version: Mapped[int] = mapped_column(BigInteger, server_default="0")  # issue 12


class OrderDispatch(Base):
    """One document sent, or being sent, to a hotel or a customer (CF-4: kept by date)."""

    __tablename__ = "order_dispatch"
    __table_args__ = (
        Index("order_dispatch_task", "task_id"),
        Index("order_dispatch_by_date", text("queued_at DESC")),  # CF-4: kept by date
        Index("order_dispatch_ref", "booking_ref"),
    )

    dispatch_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(ConfirmationTask.task_id, ondelete="CASCADE")
    )
    booking_ref: Mapped[str] = mapped_column(String(40))
    hotel_id: Mapped[uuid.UUID]
    audience: Mapped[str] = mapped_column(String(10))  # hotel, customer or thanks (NS-3)
    channel: Mapped[str] = mapped_column(String(10))  # email, fax or sms
    transport: Mapped[str] = mapped_column(String(20))  # smtp, fax_gateway, hylafax, folder …
    address: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_name: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default="queued")  # queued, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(200))
    queued_by: Mapped[str] = mapped_column(String(80))
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HotelReply(Base):
    """A mail our SMTP server received: a hotel's reply or fax-to-email (CF-4)."""

    __tablename__ = "hotel_reply"
    __table_args__ = (
        Index("hotel_reply_by_date", text("received_at DESC")),
        Index("hotel_reply_ref", "booking_ref"),
        Index("hotel_reply_unmatched", "received_at", postgresql_where=text("task_id IS NULL")),
        # Issue 14: one row per Message-ID; a second delivery of the same mail stores nothing.
        Index(
            "hotel_reply_message_id",
            "message_id",
            unique=True,
            postgresql_where=text("message_id IS NOT NULL"),
        ),
    )

    reply_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mail_from: Mapped[str] = mapped_column(String(320))
    rcpt_to: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str | None] = mapped_column(String(300))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # None while in the unmatched tray.
    task_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey(ConfirmationTask.task_id, ondelete="SET NULL")
    )
    booking_ref: Mapped[str | None] = mapped_column(String(40))
    matched_by: Mapped[str | None] = mapped_column(String(10))  # subject, body or desk
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    filed_by: Mapped[str | None] = mapped_column(String(80))
    # Issue 14: why the mail went to the tray ("" when it was matched on arrival).
    unmatched_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class ReplyAttachment(Base):
    __tablename__ = "reply_attachment"
    __table_args__ = (Index("reply_attachment_reply", "reply_id"),)

    attachment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reply_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(HotelReply.reply_id, ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class CustomerNotice(Base):
    """The customer's confirmation (CF-6): sent the way they asked, by its own deadline."""

    __tablename__ = "customer_notice"
    __table_args__ = (
        Index("customer_notice_open", "deadline_at", postgresql_where=text("state <> 'sent'")),
    )

    notice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    task_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(ConfirmationTask.task_id, ondelete="CASCADE"), unique=True
    )
    booking_ref: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(10))  # confirmed or full
    channel: Mapped[str] = mapped_column(String(10))  # email, fax, sms or phone
    contact: Mapped[str] = mapped_column(String(200), default="")
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sending, sent
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(80))
    phone_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
