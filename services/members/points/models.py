"""The points ledger's tables (CS-5), mirrored from ``migrations/members`` (``0005_points``).

A *lot* is one earning (a stay's points): it is pending until the stay is final, then active
until it expires; ``remaining`` is what of it is still active to spend (spending, locking and
expiry take from the oldest lots first). A *move* shifts points between a member's buckets
(``source`` → ``pending`` → ``active`` → ``locked`` → ``spent``; ``expired``; ``reversed``):
every move adds to one bucket what it takes from another, so a member's buckets always sum to
zero and ``earned`` (minus ``source``) equals the sum of the others. Moves are append-only
(a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    text,
)

from services.members.models import member, metadata

BUCKETS = ("source", "pending", "active", "locked", "spent", "expired", "reversed")

points_lot = Table(
    "points_lot",
    metadata,
    Column("lot_id", Uuid, primary_key=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id), nullable=False),
    # What earned it, once: ``stay:<booking id>`` (the stays package), ``adjust:<uuid>``.
    Column("source", String(120), nullable=False, unique=True),
    Column("points", Integer, nullable=False),
    Column("remaining", Integer, nullable=False),  # active points left on the lot
    Column("status", String(10), nullable=False),  # pending | active | reversed
    Column("earned_at", DateTime(timezone=True), nullable=False),
    Column("final_on", Date, nullable=False),  # pending until this day
    Column("expires_on", Date, nullable=False),
    Column("note", Text, nullable=False),
    CheckConstraint("points > 0", name="points_lot_points_positive"),
    CheckConstraint("remaining >= 0 AND remaining <= points", name="points_lot_remaining_range"),
    CheckConstraint("status IN ('pending', 'active', 'reversed')", name="points_lot_status_known"),
    Index("points_lot_member", "member_id", "earned_at"),
    Index("points_lot_pending", "final_on", postgresql_where=text("status = 'pending'")),
    Index(
        "points_lot_expiring",
        "expires_on",
        postgresql_where=text("status = 'active' AND remaining > 0"),
    ),
)

points_move = Table(
    "points_move",
    metadata,
    Column("move_id", BigInteger, Identity(always=True), primary_key=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id), nullable=False),
    Column("lot_id", Uuid, ForeignKey(points_lot.c.lot_id)),
    Column("redemption_id", Uuid),  # lock / spend / release of a redemption (CS-2)
    Column("kind", String(12), nullable=False),
    Column("from_bucket", String(10), nullable=False),
    Column("to_bucket", String(10), nullable=False),
    Column("points", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("note", Text, nullable=False),
    CheckConstraint("points > 0", name="points_move_points_positive"),
    CheckConstraint("from_bucket <> to_bucket", name="points_move_two_buckets"),
    Index("points_move_member", "member_id", "move_id"),
    Index(
        "points_move_redemption",
        "redemption_id",
        postgresql_where=text("redemption_id IS NOT NULL"),
    ),
    Index("points_move_lot", "lot_id"),
)
