"""Tables of the contracts schema: the agreed hotels, rooms, allotments and prices, and every
other table of the schema (built by ``migrations/contracts``; these mirror it, and
``tests/shared/test_models_match_migrations.py`` holds them to it).

ORM classes for the rows the desks edit one at a time; Core tables for the rows written in
bulk or read by reports (sold nights, restrictions, seasons …).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    CHAR,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
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


class ImportJob(Base):
    """An uploaded rate or allotment sheet and its progress. The file is kept in the row: the
    web process and the worker may run on different machines."""

    __tablename__ = "import_job"
    __table_args__ = (
        Index("import_job_recent", text("created_at DESC")),
        # The sweep looks for jobs stuck before finishing (import_jobs.sweep_import_jobs).
        Index(
            "import_job_unfinished",
            "updated_at",
            postgresql_where=text("state IN ('queued', 'checking', 'applying')"),
        ),
    )

    job_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    # Up to MAX_BYTES: loaded only by the job, never by the status polls.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    state: Mapped[str] = mapped_column(String(10), default=QUEUED)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_processed: Mapped[int] = mapped_column(Integer, default=0)
    rows_applied: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int | None] = mapped_column(Integer, default=None)
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def progress(self) -> int:
        """Percent done: checking is the first half, applying the second; 100 once finished
        (the page then says whether anything was imported)."""
        if self.finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, (self.rows_processed + self.rows_applied) * 50 // self.rows_total)


# How the audit trail names what a channel manager's credential changed.
CHANNEL_ACTOR_PREFIX = "channel:"


class ChannelManager(Base):
    """A channel manager's credential (channel_managers.py); the secret only as a hash."""

    __tablename__ = "channel_manager"
    __table_args__ = (
        # The name is the HTTP Basic user name: unique among live credentials; a revoked one
        # keeps its row (the audit trail names it) and frees the name.
        Index(
            "channel_manager_live_name",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    channel_manager_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(40))
    secret_hash: Mapped[str] = mapped_column(Text)
    all_hotels: Mapped[bool]
    hotel_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(80), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def actor(self) -> str:
        """How the audit trail names what this credential changed."""
        return f"{CHANNEL_ACTOR_PREFIX}{self.name}"


# --- Core tables ------------------------------------------------------------------------------

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
