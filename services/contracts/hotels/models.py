"""The parts of a hotel's file beyond its rooms and prices.

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
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
    UniqueConstraint,
    Uuid,
    func,
)

from services.contracts.models import Hotel, metadata

# HR-12: complaints about our hotels from members' events. A closing may arrive before its
# filing, so the filing's columns are nullable; no foreign key to hotel, so an event naming
# a hotel we do not know cannot fail for ever.
hotel_complaint = Table(
    "hotel_complaint",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid),
    Column("complainant_name", Text, nullable=False, server_default=""),
    Column("member_card", String(40), nullable=False, server_default=""),
    Column("booking_ref", String(40)),
    Column("category", String(60), nullable=False, server_default=""),
    Column("severity", String(5)),
    Column("summary", Text, nullable=False, server_default=""),
    Column("filed_at", DateTime(timezone=True)),
    Column("outcome", Text),
    Column("closed_at", DateTime(timezone=True)),
    Index("hotel_complaint_hotel", "hotel_id", "filed_at"),
)


# HR-8: conditions hotels set on us (monthly room-night thresholds, commission tiers).
hotel_condition = Table(
    "hotel_condition",
    metadata,
    Column("condition_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, ForeignKey(Hotel.hotel_id), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("commission_percent", Numeric(5, 2)),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", String(80), nullable=False),
)


# HR-6: the month's recommended hotels per city, approved by the director.
recommendation = Table(
    "recommendation",
    metadata,
    Column("recommendation_id", Uuid, primary_key=True),
    Column("month", Date, nullable=False),
    Column("hotel_id", Uuid, ForeignKey(Hotel.hotel_id), nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(10), nullable=False, server_default="proposed"),
    Column("proposed_by", String(80), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("decided_by", String(80)),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("month", "hotel_id"),
)


# HR-2: hotel photos; the files are on disk, their names and captions here.
hotel_photo = Table(
    "hotel_photo",
    metadata,
    Column("photo_id", Uuid, primary_key=True),
    Column("hotel_id", Uuid, ForeignKey(Hotel.hotel_id), nullable=False),
    Column("caption", String(200), nullable=False, server_default=""),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("uploaded_by", String(80), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("hotel_photo_hotel", "hotel_id", "uploaded_at"),
)
