"""Per-night restrictions (HR-2).

Registered on the service's one ``metadata`` (``services.contracts.models``),
which the models-versus-migrations test reads."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Uuid,
    text,
)

from services.contracts.models import RoomType, metadata

# HR-2 / IN-2: a night without a row has the defaults (no release, one night, open, available).
night_restriction = Table(
    "night_restriction",
    metadata,
    Column("room_type_id", Uuid, ForeignKey(RoomType.room_type_id), primary_key=True),
    Column("night", Date, primary_key=True),
    Column("release_days", Integer, nullable=False, server_default=text("0")),
    Column("min_stay", Integer, nullable=False, server_default=text("1")),
    Column("closed_to_arrival", Boolean, nullable=False, server_default=text("false")),
    Column("closed_to_departure", Boolean, nullable=False, server_default=text("false")),
    Column("stop_sell", Boolean, nullable=False, server_default=text("false")),
    Column("room_status", String(12), nullable=False, server_default="available"),
)
