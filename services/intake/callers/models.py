"""The members projection the caller panel reads (IN-8).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
)

from services.intake.models import metadata

# IN-8 / IN-10: the members service's members, to recognise a caller.
member = Table(
    "member",
    metadata,
    Column("member_id", Uuid, primary_key=True),
    Column("version_no", Integer, nullable=False),
    Column("card_no", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("phones", ARRAY(Text), nullable=False),
    Column("phone_keys", ARRAY(Text), nullable=False),
    Column("level", String(20), nullable=False),
    Column("complaint_open", Boolean, nullable=False),
    Column("complaint_note", Text, nullable=False),
    Column("complaint_on", Date),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Not unique: two members swapping cards arrive as two events, one at a time.
    Index("member_card", "card_no"),
    Index("member_phone_keys", "phone_keys", postgresql_using="gin"),
)
