"""The profile package's tables, registered on the members service's one ``metadata``
(``services.members.models``) and mirrored from its migration (``members_0004_profile``).

- ``card_change``: every change of a member's card number and why (CS-1: a lost card).
- ``member_booking``: members' bookings, projected from intake's booking events (CS-1's
  inquiry screen). ``member_card`` is NULL while only a change of a booking has arrived
  (intake's change events do not carry the card); such rows are never shown, and the
  booking's placement fills the card in, or deletes the row when the booking has no card.
"""

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
    Uuid,
    text,
)

from services.members.models import member, metadata

card_change = Table(
    "card_change",
    metadata,
    Column("change_id", BigInteger, Identity(always=True), primary_key=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id), nullable=False),
    Column("old_card", String(40), nullable=False),
    Column("new_card", String(40), nullable=False),
    Column("reason", String(200), nullable=False, server_default=""),
    Column("changed_by", String(120), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("card_change_member", "member_id", "changed_at"),
)

BOOKING_STATUSES = ("placed", "modified", "cancelled")
STAY_OUTCOMES = ("stayed", "no_show")

member_booking = Table(
    "member_booking",
    metadata,
    Column("booking_id", Uuid, primary_key=True),
    Column("member_card", String(40)),  # upper-case; NULL: not known yet (see above)
    Column("booking_ref", String(40), nullable=False),
    Column("hotel_id", Uuid, nullable=False),
    Column("hotel_name", String(300), nullable=False),
    Column("check_in", Date, nullable=False),
    Column("check_out", Date, nullable=False),
    Column("rooms", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("total_sell_minor", BigInteger, nullable=False),
    Column("status", String(10), nullable=False),
    Column("stay_outcome", String(10)),  # from the no-show desk, through the points package
    Column("booking_version", Integer, nullable=False),  # the newest event applied (issue 12)
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "status IN ('placed', 'modified', 'cancelled')", name="member_booking_status_known"
    ),
    CheckConstraint(
        "stay_outcome IS NULL OR stay_outcome IN ('stayed', 'no_show')",
        name="member_booking_outcome_known",
    ),
    Index(
        "member_booking_card",
        "member_card",
        "check_in",
        postgresql_where=text("member_card IS NOT NULL"),
    ),
    Index(
        "member_booking_unknown_card",
        "updated_at",
        postgresql_where=text("member_card IS NULL"),
    ),
)
