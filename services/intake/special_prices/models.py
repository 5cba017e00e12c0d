"""Special prices waiting for or decided by the pricing desk (IN-11).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.intake.models import booking, metadata

# IN-11: a price below the published one, waiting for the pricing desk.
special_price = Table(
    "special_price",
    metadata,
    Column("booking_id", Uuid, ForeignKey(booking.c.booking_id), primary_key=True),
    Column("booking_ref", String(12), nullable=False),
    Column("requested_by", String(80), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("special_sell_minor", BigInteger, nullable=False),
    Column("published", JSONB, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(10), nullable=False, server_default="pending"),
    Column("decided_by", String(80)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", Text, nullable=False, server_default=""),
    Index("special_price_state_requested", "state", "requested_at"),
)
