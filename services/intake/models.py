"""Tables of the intake schema, as SQLAlchemy Core ``Table`` objects.

The schema itself is created only by migrations (``migrations/intake``); these mirror it.
Core rather than ORM: every write here is either a projection upsert or the booking hot path
(lock nights, guarded decrement, insert), where identity tracking buys nothing and costs time.
Outbox, inbox and audit log come from ``shared``.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
)

from services.intake.settings import SCHEMA

metadata = MetaData(schema=SCHEMA)

hotel = Table(
    "hotel",
    metadata,
    Column("hotel_id", Uuid, primary_key=True),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("district", Text, nullable=False),
    Column("star_grade", SmallInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("confirm_channel", String(20), nullable=False),
    Column("sellable", Boolean, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Issue 12: the hotel's event version that wrote the row; only a higher one replaces it.
    Column("source_version", BigInteger, nullable=False, server_default="0"),
    # IN-2/IN-3 (migration intake_0004_search): the name as agents may type it, and where the
    # hotel is, for "nearby" alternatives. Coordinates are optional in contracts.
    Column("name_pinyin", Text, nullable=False, server_default=""),
    Column("name_initials", Text, nullable=False, server_default=""),
    Column("latitude", Double),
    Column("longitude", Double),
)

room_type = Table(
    "room_type",
    metadata,
    Column("room_type_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)

rate_plan = Table(
    "rate_plan",
    metadata,
    Column("rate_plan_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("room_type_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("payment_mode", String(30), nullable=False),
    Column("active", Boolean, nullable=False),
)

inventory_night = Table(
    "inventory_night",
    metadata,
    Column("room_type_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("allotment", Integer, nullable=False),
    Column("sold", Integer, nullable=False),
    Column("remaining", Integer),  # GENERATED ALWAYS AS (allotment - sold): read only
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Issue 12: the hotel's event version that wrote the row; only a higher one replaces it.
    Column("source_version", BigInteger, nullable=False, server_default="0"),
)

rate_night = Table(
    "rate_night",
    metadata,
    Column("rate_plan_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("room_type_id", Uuid, nullable=False),
    Column("hotel_id", Uuid, nullable=False),
    Column("net_minor", BigInteger, nullable=False),
    Column("sell_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Issue 12: the hotel's event version that wrote the row; only a higher one replaces it.
    Column("source_version", BigInteger, nullable=False, server_default="0"),
)

booking = Table(
    "booking",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booking_ref", String(12), nullable=False, unique=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("hotel_name", Text, nullable=False),
    Column("room_type_id", Uuid, nullable=False),
    Column("room_type_name", Text, nullable=False),
    Column("rate_plan_id", Uuid, nullable=False),
    Column("rate_plan_name", Text, nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("rooms", SmallInteger, nullable=False),
    Column("guest_names", ARRAY(Text), nullable=False),
    Column("booker_name", Text, nullable=False),
    Column("booker_phone", String(40), nullable=False),
    Column("booker_company", Text, nullable=False),
    Column("member_card", String(40), nullable=False),
    Column("payment_mode", String(30), nullable=False),
    Column("confirm_channel", String(10), nullable=False),
    # IN-4 / CF-6: the fax number, email or phone the customer's confirmation goes to.
    Column("confirm_contact", Text, nullable=False, server_default=""),
    Column("reply_at_once", Boolean, nullable=False, server_default="false"),
    # HR-2: asked of the hotel, no allotment taken (status "requested" until it answers).
    Column("on_request", Boolean, nullable=False, server_default="false"),
    Column("special_requests", Text, nullable=False),
    Column("arrival_time", String(40), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("status", String(30), nullable=False),  # placed.py lists the values
    Column("idempotency_key", String(100), nullable=False, unique=True),
    Column("handling_started_at", DateTime(timezone=True)),
    # IN-1 / IN-12: where the start came from ("call" or "form") and the seconds to commit.
    Column("call_id", String(64)),
    Column("handling_source", String(10)),
    Column("handle_seconds", Integer),
    Column("committed_at", DateTime(timezone=True), nullable=False),
    Column("agent_username", String(80), nullable=False),
    Column("total_sell_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    # Bumped by each modification (IN-5); a change naming an older version is refused.
    Column("version", Integer, nullable=False, server_default="1"),
    # Issue 6 (migration intake_0005_hotel_answers). CF-5: "phone" or "online".
    Column("source", String(10), nullable=False, server_default="phone"),
    # CF-3: notes kept on the booking; a full house appends the hotel's reason.
    Column("remarks", Text, nullable=False, server_default=""),
    # CF-4: the hotel's number for the booking version it confirmed, and for a cancellation.
    Column("hotel_confirmation_no", String(60)),
    Column("hotel_confirmed_at", DateTime(timezone=True)),
    Column("hotel_confirmed_version", Integer),
    Column("hotel_cancellation_no", String(60)),
    Column("hotel_cancelled_at", DateTime(timezone=True)),
)

booking_night = Table(
    "booking_night",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("net_minor", BigInteger, nullable=False),
    Column("sell_minor", BigInteger, nullable=False),
)
