"""The sellable-inventory projection intake books against (from contracts' events).

Registered on the service's one ``metadata`` (``services.intake.models``),
which the models-versus-migrations test reads."""

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
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from services.intake.models import metadata

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
