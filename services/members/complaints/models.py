"""The complaints package's tables (CS-3, HR-12, SL-5), registered on the members service's
one ``metadata`` (``services.members.models``) and mirrored from its migration
(``migrations/members/versions/0008_complaints.py``).

- ``complaint``: one complaint with its three clocks (department findings, progress answer,
  final answer: ``shared.complaint_clock``), the answers, the apology visit of a major one and
  the outcome it was closed with; ``version`` guards two desks editing one complaint;
- ``complaint_step``: the complaint's thread, one row per thing done (filed, findings, answers,
  visit, closed), who and when;
- ``complaint_hotel``: the hotels a complaint can name, kept from ``contracts.hotel_published``
  (the highest ``source_version`` wins, issue 12).

Core tables, like the points ledger: rows are read and written whole, nothing for an ORM to
track.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
)

from services.members.models import member, metadata

CATEGORIES = (
    "room",
    "cleanliness",
    "service",
    "overbooking",
    "price",
    "booking_error",
    "confirmation",
    "other",
)
SEVERITIES = ("minor", "major")
DEPARTMENTS = ("hotel_resources", "confirmation", "finance", "customer_service", "booking")
STATUSES = ("open", "findings", "answered", "closed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


complaint = Table(
    "complaint",
    metadata,
    Column("complaint_id", Uuid, primary_key=True),
    Column("complaint_no", Integer, Identity(always=True), nullable=False, unique=True),
    Column("member_id", Uuid, ForeignKey(member.c.member_id)),  # None: a guest, not a member
    Column("complainant_name", String(200), nullable=False),
    Column("contact_phone", String(40), nullable=False),
    Column("member_card", String(40), nullable=False),
    Column("booking_ref", String(40)),
    Column("hotel_id", Uuid),  # set: a complaint about a hotel (HR-12)
    Column("hotel_name", String(300), nullable=False),
    Column("category", String(20), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("summary", String(2000), nullable=False),
    Column("department", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("filed_by", String(120), nullable=False),
    Column("filed_at", DateTime(timezone=True), nullable=False),
    Column("department_due_at", DateTime(timezone=True), nullable=False),
    Column("progress_due_at", DateTime(timezone=True), nullable=False),
    Column("final_due_at", DateTime(timezone=True), nullable=False),
    Column("findings", String(2000), nullable=False),
    Column("findings_at", DateTime(timezone=True)),
    Column("findings_by", String(120), nullable=False),
    Column("progress_answer", String(2000), nullable=False),
    Column("progress_at", DateTime(timezone=True)),
    Column("final_answer", String(2000), nullable=False),
    Column("final_at", DateTime(timezone=True)),
    Column("apology_visit_due", Boolean, nullable=False),  # CS-3: major complaints
    Column("visit_at", Date),
    Column("visit_note", String(2000), nullable=False),
    Column("outcome", String(2000), nullable=False),
    Column("closed_by", String(120), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    CheckConstraint(_in("category", CATEGORIES), name="complaint_category_known"),
    CheckConstraint(_in("severity", SEVERITIES), name="complaint_severity_known"),
    CheckConstraint(_in("department", DEPARTMENTS), name="complaint_department_known"),
    CheckConstraint(_in("status", STATUSES), name="complaint_status_known"),
    Index("complaint_by_status", "status", "filed_at"),
    Index("complaint_by_filed", "filed_at"),
    Index("complaint_by_member", "member_id"),
    Index("complaint_by_hotel", "hotel_id"),
)

complaint_step = Table(
    "complaint_step",
    metadata,
    Column("step_id", BigInteger, Identity(always=True), primary_key=True),
    Column("complaint_id", Uuid, ForeignKey(complaint.c.complaint_id), nullable=False),
    Column("kind", String(20), nullable=False),  # filed, findings, progress, final, visit, closed
    Column("actor", String(120), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("text", Text, nullable=False),
    Index("complaint_step_thread", "complaint_id", "step_id"),
)

complaint_hotel = Table(
    "complaint_hotel",
    metadata,
    Column("hotel_id", Uuid, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("city", String(60), nullable=False),
    Column("source_version", BigInteger, nullable=False),
)
