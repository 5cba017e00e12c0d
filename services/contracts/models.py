"""Tables of the contracts schema: the agreed hotels, rooms, allotments and prices, and every
other table of the schema (built by ``migrations/contracts``; these mirror it, and
``tests/shared/test_models_match_migrations.py`` holds them to it).

ORM classes for the rows the desks edit one at a time; Core tables for the rows written in
bulk or read by reports (sold nights, restrictions, seasons …).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    ARRAY,
    CHAR,
    BigInteger,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.contracts.settings import SCHEMA


class Base(DeclarativeBase):
    metadata = MetaData(schema=SCHEMA)


# The schema's one MetaData: every table registers here, so the drift test sees them all.
metadata = Base.metadata


class Hotel(Base):
    __tablename__ = "hotel"
    __table_args__ = (Index("hotel_city", text("lower(city)")),)

    hotel_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    district: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    star_grade: Mapped[int] = mapped_column(SmallInteger)
    currency: Mapped[str] = mapped_column(CHAR(3))
    confirm_channel: Mapped[str] = mapped_column(String(10))
    fax: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(12), default="active")
    # HR-10: why a hotel was suspended (or signed after all); HR-13: how often members asked.
    status_summary: Mapped[str] = mapped_column(Text, default="")
    member_requests: Mapped[int] = mapped_column(Integer, default=0)
    latitude: Mapped[float | None] = mapped_column(Double, default=None)
    longitude: Mapped[float | None] = mapped_column(Double, default=None)
    facilities: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    # Bumped by every change to the hotel's prices, allotments or restrictions: an editor who
    # saves over a grid someone changed since they opened it gets a conflict (grid.py).
    grid_version: Mapped[int] = mapped_column(Integer, default=0)
    grid_changed_by: Mapped[str] = mapped_column(Text, default="")
    grid_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RoomType(Base):
    __tablename__ = "room_type"
    __table_args__ = (UniqueConstraint("hotel_id", "name"),)

    room_type_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hotel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Hotel.hotel_id))
    name: Mapped[str] = mapped_column(String(120))


class RatePlan(Base):
    __tablename__ = "rate_plan"
    __table_args__ = (UniqueConstraint("room_type_id", "name"),)

    rate_plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    hotel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Hotel.hotel_id))
    room_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(RoomType.room_type_id))
    name: Mapped[str] = mapped_column(String(120))
    payment_mode: Mapped[str] = mapped_column(String(20))


class NightAllotment(Base):
    __tablename__ = "night_allotment"

    room_type_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(RoomType.room_type_id), primary_key=True
    )
    night: Mapped[date] = mapped_column(Date, primary_key=True)
    rooms: Mapped[int] = mapped_column(Integer)


class NightRate(Base):
    __tablename__ = "night_rate"

    rate_plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(RatePlan.rate_plan_id), primary_key=True
    )
    night: Mapped[date] = mapped_column(Date, primary_key=True)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    sell_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CHAR(3))


# --- imports and channel managers (HR-2, HR-4, HR-14) -----------------------------------------

# An import job's states (import_jobs.py walks them; the migration's CHECK lists the same).
QUEUED, CHECKING, APPLYING = "queued", "checking", "applying"
DONE, REFUSED, FAILED = "done", "refused", "failed"
FINISHED = (DONE, REFUSED, FAILED)


# How the audit trail names what a channel manager's credential changed.
CHANNEL_ACTOR_PREFIX = "channel:"


# --- Core tables ------------------------------------------------------------------------------
