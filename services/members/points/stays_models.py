"""The stays package's tables (points rules, the stays that earned), registered on the members
service's one ``metadata`` and mirrored from ``members_0006_points_stays``.

- ``points_rule``: CS-5's "per currency unit of room revenue and per night, configurable per
  level": one row per member level and currency.
- ``points_stay``: one row per booking the no-show desk reported on: the newest outcome
  version applied (an older or equal one does nothing), the lot it earned, and whether the
  booking was cancelled after it (its refund, CS-5), which ends its earning for good."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Uuid,
)

from services.members.models import member, metadata

points_rule = Table(
    "points_rule",
    metadata,
    Column("level", String(20), primary_key=True),
    Column("currency", String(3), primary_key=True),
    # Points per one whole unit of room revenue in ``currency`` (¥1, $1).
    Column("points_per_unit", Numeric(8, 2), nullable=False),
    Column("points_per_night", Integer, nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("points_per_unit >= 0", name="points_rule_per_unit_not_negative"),
    CheckConstraint("points_per_night >= 0", name="points_rule_per_night_not_negative"),
    CheckConstraint("currency ~ '^[A-Z]{3}$'", name="points_rule_currency_code"),
)

points_stay = Table(
    "points_stay",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("booking_ref", String(40), nullable=False),
    # None: no card on the booking, or a card no member holds (nothing earned), or a
    # cancellation heard before any outcome.
    Column("member_id", Uuid, ForeignKey(member.c.member_id)),
    Column("outcome_version", Integer, nullable=False),
    Column("outcome", String(10), nullable=False),  # none | stayed | no_show
    Column("source", String(120)),  # the ledger lot the current outcome earned, if any
    Column("points", Integer, nullable=False),
    Column("refunded_at", DateTime(timezone=True)),  # the booking was cancelled: no more points
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("outcome IN ('none', 'stayed', 'no_show')", name="points_stay_outcome_known"),
    CheckConstraint("points >= 0", name="points_stay_points_not_negative"),
    Index("points_stay_member", "member_id"),
)
