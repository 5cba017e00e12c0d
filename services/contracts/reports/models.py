"""What the reports read: sold nights (HR-11), competitors' prices, free rooms (HR-9), seasons.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from services.contracts.models import Hotel, metadata

# HR-11: contracts' own record of sold room nights, fed by intake's booking events.
sold_night = Table(
    "sold_night",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("night", Date, primary_key=True),
    Column("hotel_id", Uuid, nullable=False),
    Column("rooms", Integer, nullable=False),
    Column("sell_minor", BigInteger, nullable=False),
    Column("net_minor", BigInteger, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Index("sold_night_month", "night", "hotel_id"),
)


# HR-11 / IN-5: the booking version the sold nights reflect; a late, lower version finds a
# higher one here and changes nothing, so cancelled nights never come back.
sold_booking = Table(
    "sold_booking",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booking_version", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False, server_default=text("false")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


# HR-5: competitors' prices per hotel and night, entered or imported.
competitor_price = Table(
    "competitor_price",
    metadata,
    Column("hotel_id", Uuid, ForeignKey(Hotel.hotel_id), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("competitor", String(80), primary_key=True),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("recorded_by", String(80), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


# HR-9: free rooms granted by hotels, and staff use of them (director, then GM, approve).
free_room_grant = Table(
    "free_room_grant",
    metadata,
    Column("grant_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, ForeignKey(Hotel.hotel_id), nullable=False),
    Column("room_nights_per_month", Integer, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", String(80), nullable=False),
)


free_room_use = Table(
    "free_room_use",
    metadata,
    Column("use_id", Uuid, primary_key=True),
    Column("grant_id", Uuid, ForeignKey(free_room_grant.c.grant_id), nullable=False),
    Column("first_night", Date, nullable=False),
    Column("nights", Integer, nullable=False),
    Column("rooms", Integer, nullable=False),
    Column("traveller", String(120), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("state", String(20), nullable=False, server_default="requested"),
    Column("requested_by", String(80), nullable=False),
    Column("director_by", String(80)),
    Column("manager_by", String(80)),
    Column("decided_at", DateTime(timezone=True)),
)


# HR-7: high-season and exhibition periods per city, with the rooms guaranteed for them.
season = Table(
    "season",
    metadata,
    Column("season_id", Uuid, primary_key=True),
    Column("city", String(80), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("first_night", Date, nullable=False),
    Column("last_night", Date, nullable=False),
    Column("guaranteed_rooms", Integer, nullable=False, server_default=text("0")),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", String(80), nullable=False),
    Index("season_city", text("lower(city)"), "first_night"),
)
