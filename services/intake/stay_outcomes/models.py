"""A booking's stay outcome as the no-show desk publishes it (issue 16; NS-3, NS-5, NS-7).

Registered on the service's one ``metadata`` (``services.intake.models``), which the
models-versus-migrations test reads. Tables from migration ``intake_0010_stay_outcomes``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
)

from services.intake.models import booking, metadata

# The outcome as it now stands: one row per booking, written only by a higher
# ``outcome_version`` than the one it holds, so late or repeated events never undo it.
stay_outcome = Table(
    "stay_outcome",
    metadata,
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), primary_key=True
    ),
    Column("outcome", String(10), nullable=False),  # stayed or no_show
    Column("stage", String(12)),  # provisional or final, for a no-show only (NS-5)
    Column("corrected", Boolean, nullable=False),  # NS-3: it replaced an earlier outcome
    Column("outcome_version", Integer, nullable=False),
    Column("nights_stayed", Integer),
    Column("room_revenue_minor", BigInteger),
    Column("fee_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("reason_category", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Every outcome version the desk published, for the booking's history; one per version, so a
# redelivered event adds nothing and a late older one still takes its place in the record.
stay_outcome_entry = Table(
    "stay_outcome_entry",
    metadata,
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), primary_key=True
    ),
    Column("outcome_version", Integer, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("stage", String(12)),
    Column("corrects_version", Integer),
    Column("nights_stayed", Integer),
    Column("room_revenue_minor", BigInteger),
    Column("fee_minor", BigInteger),
    Column("currency", String(3), nullable=False),
    Column("reason_category", String(40), nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
