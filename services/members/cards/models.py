"""The cards package's tables, registered on the members service's one ``metadata``
(``services.members.models``) and mirrored from ``migrations/members/versions/0009_cards.py``.

- ``card_batch``: one day's card letters (CS-4), made by the desk or the 09:00 job, marked
  mailed once; ``card_mailing``: a member in a batch, with what was printed (one row per
  member ever: a card is mailed once).
- ``inactive_followup``: a member with no stay in the period, on the follow-up worklist until
  the desk records an outcome (one open item per member).

Core tables, like ``member``: rows read and written whole, nothing for the ORM to track.
"""

from __future__ import annotations

from sqlalchemy import (
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

card_batch = Table(
    "card_batch",
    metadata,
    Column("batch_id", Uuid, primary_key=True),
    Column("batch_no", Integer, Identity(always=False), nullable=False, unique=True),
    Column("business_date", Date, nullable=False, unique=True),
    Column("letters", Integer, nullable=False, server_default=text("0")),
    Column("made_by", String(120), nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("mailed_by", String(120)),
    Column("mailed_at", DateTime(timezone=True)),
    CheckConstraint("letters >= 0"),
    CheckConstraint("(mailed_by IS NULL) = (mailed_at IS NULL)", name="card_batch_mailed_whole"),
)

card_mailing = Table(
    "card_mailing",
    metadata,
    Column("member_id", Uuid, ForeignKey(member.c.member_id), primary_key=True),
    Column("batch_id", Uuid, ForeignKey(card_batch.c.batch_id), nullable=False),
    Column("card_no", String(40), nullable=False),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("postcode", String(12), nullable=False),
    Column("city", String(60), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("card_mailing_batch", "batch_id"),
)

OUTCOMES = ("lost_card", "no_need", "booking_problem", "moved", "unreachable", "other")

inactive_followup = Table(
    "inactive_followup",
    metadata,
    Column("followup_id", Uuid, primary_key=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id), nullable=False),
    Column("listed_on", Date, nullable=False),
    Column("last_stay_on", Date),
    Column("status", String(10), nullable=False, server_default="open"),
    Column("outcome", String(20)),
    Column("note", String(500), nullable=False, server_default=""),
    Column("done_by", String(120)),
    Column("done_at", DateTime(timezone=True)),
    Index(
        "inactive_followup_one_open",
        "member_id",
        unique=True,
        postgresql_where=text("status = 'open'"),
    ),
    Index("inactive_followup_member", "member_id", "done_at"),
)
