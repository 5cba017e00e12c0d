"""The hotel's answers (CF-3, CF-4) and the agents' full-house notices.

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from services.intake.models import booking, metadata

# CF-3 / CF-4: every answer the confirmation desk sent, one row per event (its id is the key,
# so a redelivered event adds nothing), applied or not.
hotel_answer = Table(
    "hotel_answer",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), nullable=False
    ),
    Column("outcome", String(10), nullable=False),  # confirmed or full
    Column("kind", String(10)),  # new, modify or cancel; none for a full house
    Column("booking_version", Integer),
    Column("confirmation_no", String(60)),
    Column("reason", Text),
    Column("answered_by", String(80), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Column("applied", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("hotel_answer_booking", "booking_id", "answered_at"),
)


# CF-3: a booking that went full house, for its agent to call the customer.
full_house_notice = Table(
    "full_house_notice",
    metadata,
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), primary_key=True
    ),
    Column("booking_ref", String(12), nullable=False, unique=True),
    Column("agent_username", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("marked_by", String(80), nullable=False),
    Column("marked_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", String(80)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Index(
        "full_house_notice_open",
        "agent_username",
        "marked_at",
        postgresql_where=text("acknowledged_at IS NULL"),
    ),
)
