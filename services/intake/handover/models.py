"""Shift handovers (IN-6).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from services.intake.models import metadata

handover = Table(
    "handover",
    metadata,
    Column("handover_id", Uuid, primary_key=True),
    Column("shift", String(10), nullable=False),
    Column("shift_date", Date, nullable=False),
    Column("starts_at", DateTime(timezone=True), nullable=False, unique=True),
    Column("from_shift", String(10), nullable=False),
    Column("from_starts_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


handover_entry = Table(
    "handover_entry",
    metadata,
    Column("entry_id", Uuid, primary_key=True),
    Column("handover_id", Uuid, ForeignKey(handover.c.handover_id), nullable=False),
    Column("kind", String(4), nullable=False),
    Column("body", Text, nullable=False),
    Column("booking_ref", String(12), nullable=False, server_default=""),
    Column("priority", String(6), nullable=False),
    Column("written_by", String(80), nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("done_by", String(80)),
    Column("done_at", DateTime(timezone=True)),
    Column("done_note", Text, nullable=False, server_default=""),
    Index("handover_entry_handover", "handover_id"),
    Index(
        "handover_entry_open_task",
        "written_at",
        postgresql_where=text("kind = 'task' AND done_at IS NULL"),
    ),
)


handover_ack = Table(
    "handover_ack",
    metadata,
    Column("handover_id", Uuid, ForeignKey(handover.c.handover_id), primary_key=True),
    Column("username", String(80), primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("acknowledged_at", DateTime(timezone=True), nullable=False),
)
