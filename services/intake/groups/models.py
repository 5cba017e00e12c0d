"""Tables of group clients (IN-9): corporate accounts, group bookings and their rooming lists.

Created by ``migrations/intake/versions/0004_groups.py``; Core like the rest of intake, and on
the schema's one ``models.metadata``.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from services.intake.models import metadata

group_account = Table(
    "group_account",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("company_name", Text, nullable=False),
    Column("contact_name", Text, nullable=False),
    Column("phone", String(40), nullable=False),
    Column("email", String(200), nullable=False),
    Column("terms", Text, nullable=False),
    Column("discount_percent", Numeric(5, 2), nullable=False),
    Column("monthly_settlement", Boolean, nullable=False),
    Column("credit_limit_minor", BigInteger),  # None: no limit
    Column("currency", String(3), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("group_account_company", text("lower(company_name)"), unique=True),
)

group_booking = Table(
    "group_booking",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("group_ref", String(12), nullable=False, unique=True),
    Column("account_id", Uuid, ForeignKey(group_account.c.account_id), nullable=False),
    Column("hotel_id", Uuid, nullable=False),
    Column("hotel_name", Text, nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("confirm_channel", String(10), nullable=False),
    Column("special_requests", Text, nullable=False),
    Column("payment_mode", String(30), nullable=False),
    Column("status", String(12), nullable=False),  # draft, placed, cancelled
    Column("total_sell_minor", BigInteger),
    Column("currency", String(3)),
    Column("last_refusal", Text, nullable=False),  # why the last try to place failed
    Column("created_by", String(80), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("placed_by", String(80)),
    Column("placed_at", DateTime(timezone=True)),
    Index("group_booking_account", "account_id"),
    Index("group_booking_status", "status", "created_at"),
)

group_room = Table(
    "group_room",
    metadata,
    Column(
        "group_id", Uuid, ForeignKey(group_booking.c.group_id, ondelete="CASCADE"), primary_key=True
    ),
    Column("room_no", Integer, primary_key=True),
    Column("rate_plan_id", Uuid, nullable=False),
    Column("rate_plan_name", Text, nullable=False),
    Column("room_type_id", Uuid, nullable=False),
    Column("room_type_name", Text, nullable=False),
    Column("payment_mode", String(30), nullable=False),
    Column("guest_names", ARRAY(Text), nullable=False),
    Column("booking_ref", String(12)),  # the booking the room went into, once placed
)
