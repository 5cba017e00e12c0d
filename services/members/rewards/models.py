"""The rewards package's tables (CS-2), registered on the members service's one ``metadata``
(``services.members.models``) and mirrored from its migration (``0007_rewards``).

A *reward* is a catalogue entry priced in points. A *redemption* is one form the desk filled
after confirming with the member: its points are locked in the ledger until the general
manager approves (spent) or rejects (released); approved prizes are bought in the quarterly
batch (``batch_quarter``) or at once when an exception was approved (``batch_quarter`` NULL),
then delivered through the local office or picked up there."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Uuid,
)

from services.members.models import member, metadata

reward = Table(
    "reward",
    metadata,
    Column("reward_id", Uuid, primary_key=True),
    Column("code", String(20), nullable=False, unique=True),
    Column("name_zh", String(60), nullable=False),
    Column("name_en", String(100), nullable=False),
    Column("points", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("points > 0", name="reward_points_positive"),
)

redemption = Table(
    "redemption",
    metadata,
    Column("redemption_id", Uuid, primary_key=True),
    Column("redemption_no", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id), nullable=False),
    Column("reward_id", Uuid, ForeignKey(reward.c.reward_id), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("points", Integer, nullable=False),  # reward points × quantity when filled
    Column("delivery", String(10), nullable=False),  # post | pickup
    Column("office", String(60), nullable=False),  # the local office posting or handing it out
    Column("address", String(300), nullable=False),  # where the office posts it ('' for pickup)
    Column("exception_requested", Boolean, nullable=False),
    Column("exception_reason", String(300), nullable=False),
    Column("status", String(10), nullable=False),
    Column("batch_quarter", String(6)),  # '2026Q4'; NULL: not approved, or an approved exception
    Column("made_by", String(120), nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(120)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decision_note", String(300), nullable=False),
    Column("purchased_by", String(120)),
    Column("purchased_at", DateTime(timezone=True)),
    Column("delivered_by", String(120)),
    Column("delivered_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    CheckConstraint("quantity BETWEEN 1 AND 10", name="redemption_quantity_range"),
    CheckConstraint("points > 0", name="redemption_points_positive"),
    CheckConstraint("delivery IN ('post', 'pickup')", name="redemption_delivery_known"),
    CheckConstraint(
        "status IN ('submitted', 'approved', 'rejected', 'withdrawn', 'purchased', 'delivered')",
        name="redemption_status_known",
    ),
    Index("redemption_status", "status", "made_at"),
    Index("redemption_member", "member_id", "made_at"),
    Index("redemption_batch", "batch_quarter", "status"),
)
