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
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.intake.settings import SCHEMA
from shared.phones import phone_key_sql

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
    Column("currency", CHAR(3), nullable=False),
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
    Index("hotel_city", text("lower(city)")),
)

room_type = Table(
    "room_type",
    metadata,
    Column("room_type_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, ForeignKey(hotel.c.hotel_id), nullable=False),
    Column("name", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Index("room_type_hotel", "hotel_id"),
)

rate_plan = Table(
    "rate_plan",
    metadata,
    Column("rate_plan_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, ForeignKey(hotel.c.hotel_id), nullable=False),
    Column("room_type_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("payment_mode", String(30), nullable=False),
    Column("active", Boolean, nullable=False),
    Index("rate_plan_hotel", "hotel_id"),
)

inventory_night = Table(
    "inventory_night",
    metadata,
    Column("room_type_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("allotment", Integer, nullable=False),
    Column("sold", Integer, nullable=False),
    Column("remaining", Integer, Computed("allotment - sold", persisted=True)),  # read only
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
    Column("currency", CHAR(3), nullable=False),
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


# --- projections of other services' data -----------------------------------------------------

# IN-2: contracts' per-night sales restrictions. Apart from inventory_night: restrictions may
# arrive before any allotment, and the booking hot path's row locks stay as they were.
night_restriction = Table(
    "night_restriction",
    metadata,
    Column("room_type_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("release_days", Integer, nullable=False, server_default=text("0")),
    Column("min_stay", Integer, nullable=False, server_default=text("1")),
    Column("closed_to_arrival", Boolean, nullable=False, server_default=text("false")),
    Column("closed_to_departure", Boolean, nullable=False, server_default=text("false")),
    Column("stop_sell", Boolean, nullable=False, server_default=text("false")),
    Column("room_status", String(12), nullable=False, server_default="available"),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source_version", BigInteger, nullable=False, server_default="0"),  # issue 12
)

# HR-8: each hotel's conditions as agents read them.
hotel_conditions = Table(
    "hotel_conditions",
    metadata,
    Column("hotel_id", Uuid, primary_key=True),
    Column("summary", ARRAY(Text), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("source_version", BigInteger, nullable=False, server_default="0"),  # issue 12
)

# HR-3: each hotel's signed contracts; only nights inside one are sold.
hotel_contract = Table(
    "hotel_contract",
    metadata,
    Column("contract_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("payment_arrangement", Text, nullable=False),
    Column("cancellation_terms", Text, nullable=False, server_default=""),
    Index("hotel_contract_hotel", "hotel_id"),
)

# HR-6 / IN-2: the month's director-approved recommended hotels.
recommended_hotel = Table(
    "recommended_hotel",
    metadata,
    Column("hotel_id", Uuid, primary_key=True),
    Column("month", Date, primary_key=True),
    Column("city", Text, nullable=False),
)

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


# --- the booking's history and the hotels' answers -------------------------------------------

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


# --- the desk's own notes: shift handover (IN-6) and memos (IN-7) ----------------------------

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
