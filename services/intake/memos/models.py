"""Internal communication forms (IN-7).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from services.intake.models import metadata

memo = Table(
    "memo",
    metadata,
    Column("memo_id", Uuid, primary_key=True),
    # The number people quote; the database counts it (GENERATED ALWAYS AS IDENTITY).
    Column("memo_no", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("problem", String(30), nullable=False),
    Column("booking_ref", String(12), nullable=False, server_default=""),
    Column("description", Text, nullable=False),
    Column("department", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("owner_username", String(80)),
    Column("raised_by", String(80), nullable=False),
    Column("raised_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # CS-3 (issue 18): set on a form raised for a member's complaint (``members.complaint_
    # routed``); unique, so the complaint has one form however often the event arrives.
    Column("complaint_id", Uuid, unique=True),
    Column("complaint_no", BigInteger),
    Index("memo_department_status", "department", "status", "due_at"),
    Index("memo_active_due", "due_at", postgresql_where=text("status IN ('open', 'in_progress')")),
)


memo_reply = Table(
    "memo_reply",
    metadata,
    Column("reply_id", Uuid, primary_key=True),
    Column("memo_id", Uuid, ForeignKey(memo.c.memo_id), nullable=False),
    Column("author", String(80), nullable=False),
    Column("body", Text, nullable=False, server_default=""),
    Column("status_from", String(12)),
    Column("status_to", String(12)),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Index("memo_reply_memo", "memo_id", "written_at"),
)
