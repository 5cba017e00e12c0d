"""A booking's changes (IN-5).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.intake.models import booking, metadata

# IN-5: every modification and cancellation. UNIQUE (booking_id, booking_version) is the
# database's own guard that two changes cannot both follow the same version.
booking_change = Table(
    "booking_change",
    metadata,
    Column("change_id", Uuid, primary_key=True),
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), nullable=False
    ),
    Column("booking_version", Integer, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("reason_category", String(20), nullable=False),
    Column("changed_by", String(80), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("before", JSONB, nullable=False),
    Column("after", JSONB, nullable=False),
    UniqueConstraint("booking_id", "booking_version", name="booking_change_one_per_version"),
)
