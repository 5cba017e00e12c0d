"""Tables of the intake schema, as SQLAlchemy Core ``Table`` objects: every one of them,
registered on ``metadata`` (group tables in ``group_models``, on the same MetaData).

The schema itself is created only by migrations (``migrations/intake``); these mirror it, and
``tests/shared/test_models_match_migrations.py`` holds them to it.
Core rather than ORM: every write here is either a projection upsert or the booking hot path
(lock nights, guarded decrement, insert), where identity tracking buys nothing and costs time.
Outbox, inbox and audit log come from ``shared``.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    CHAR,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from services.intake.settings import SCHEMA
from shared.phones import phone_key_sql

metadata = MetaData(schema=SCHEMA)


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
    Column("currency", CHAR(3), nullable=False),
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
    # Issue 15 (migration intake_0009_booking_lookup): every name on the booking, as typed and
    # in pinyin (lookup/keys.py), for finding it by a name typed in part.
    Column("search_names", Text, nullable=False, server_default=""),
    Index("booking_committed", "committed_at"),
    Index("booking_agent_committed", "agent_username", "committed_at"),
    # IN-8 / IN-10: a caller's bookings by phone, in any spelling; the expression must stay
    # the one the migration froze, or PostgreSQL will not use the index.
    Index("booking_booker_phone_key", text(phone_key_sql("booker_phone"))),
    Index(
        "booking_member_card",
        text("upper(member_card)"),
        postgresql_where=text("member_card <> ''"),
    ),
    Index(
        "booking_search_names",
        "search_names",
        postgresql_using="gin",
        postgresql_ops={"search_names": "gin_trgm_ops"},
    ),
    # "My pending" (issue 15): the statuses lookup/repository.py calls open.
    Index(
        "booking_agent_open",
        "agent_username",
        "check_in",
        postgresql_where=text(
            "status IN ('placed', 'requested', 'awaiting_price_approval', 'full', 'price_rejected')"
        ),
    ),
)

booking_night = Table(
    "booking_night",
    metadata,
    Column(
        "booking_id", Uuid, ForeignKey(booking.c.booking_id, ondelete="CASCADE"), primary_key=True
    ),
    Column("night", Date, primary_key=True),
    Column("net_minor", BigInteger, nullable=False),
    Column("sell_minor", BigInteger, nullable=False),
)

# IN-1 (issue 14): each booking form the server rendered; the form carries only ``form_id``,
# and the booking takes its opening time and call from here (booking/handle_time.py).
booking_form = Table(
    "booking_form",
    metadata,
    Column("form_id", Uuid, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("agent_username", String(80), nullable=False),
    Column("call_id", String(64)),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("claimed_call_answered_at", DateTime(timezone=True)),  # as sent; not trusted
    Column("call_answered_at", DateTime(timezone=True)),  # bounded by what the server saw
    Column("used_at", DateTime(timezone=True)),
    Column("booking_id", Uuid),
    Index(
        "booking_form_call_of",
        "user_id",
        "call_id",
        "opened_at",
        postgresql_where=text("call_id IS NOT NULL"),
    ),
    Index("booking_form_opened", "opened_at"),
)


# --- projections of other services' data -----------------------------------------------------


# --- the booking's history and the hotels' answers -------------------------------------------


# --- the desk's own notes: shift handover (IN-6) and memos (IN-7) ----------------------------
