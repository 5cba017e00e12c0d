"""Complaints about a hotel, kept on the hotel's file (HR-12).

Customer service (the ``members`` service) files and closes complaints (CS-3) and announces
them as ``members.complaint_filed`` and ``members.complaint_closed``. Contracts keeps its own
copy in ``hotel_complaint``, one row per complaint, so no query crosses into members' schema.
Each event is applied once through the inbox; the row is keyed by complaint, so the same
complaint announced again under a new event id still counts once, and a closing delivered
before its filing is kept and completed when the filing arrives.

HR-12 asks that a complaint about a hotel be resolved within the day. We read "the day" as the
business day it was filed: an open complaint is overdue from the next local midnight, and a
closed one is marked late if it was closed after that. (CS-3's 17:00 is when the department
answers customer service; the complaint is closed by customer service, which may be later.)

The hotel page shows the open complaints first (oldest first: the most overdue on top), then
those closed in the last 12 months (latest first), with that period's counts.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.hotels.models import hotel_complaint
from shared.clock import clock
from shared.events import Envelope
from shared.events.members import ComplaintClosedV1, ComplaintFiledV1

CLOSED_SHOWN = 50  # closed complaints listed on the page; the counts cover all 12 months


# --- the projection, fed by members' events ---------------------------------------------------


async def on_complaint_filed(session: AsyncSession, envelope: Envelope) -> None:
    filed = envelope.parse()
    assert isinstance(filed, ComplaintFiledV1)
    values = {
        "hotel_id": filed.hotel_id,
        "complainant_name": filed.complainant_name,
        "member_card": filed.member_card,
        "booking_ref": filed.booking_ref,
        "category": filed.category,
        "severity": filed.severity,
        "summary": filed.summary,
        "filed_at": filed.filed_at,
    }
    statement = insert(hotel_complaint).values(complaint_id=filed.complaint_id, **values)
    # Upsert by complaint: a re-announced filing replaces its own details (never the closing),
    # and a row a closing already started gets its filing.
    await session.execute(
        statement.on_conflict_do_update(index_elements=["complaint_id"], set_=values)
    )


async def on_complaint_closed(session: AsyncSession, envelope: Envelope) -> None:
    closed = envelope.parse()
    assert isinstance(closed, ComplaintClosedV1)
    values = {"outcome": closed.outcome, "closed_at": closed.closed_at}
    statement = insert(hotel_complaint).values(complaint_id=closed.complaint_id, **values)
    # The two events are separate queue jobs and may run in either order: a closing that
    # arrives first is stored on its own (no hotel yet, so no page shows it) instead of failing.
    await session.execute(
        statement.on_conflict_do_update(index_elements=["complaint_id"], set_=values)
    )


# --- what the hotel's file shows --------------------------------------------------------------


def resolve_by(filed_at: datetime) -> datetime:
    """HR-12: the end of the business day the complaint was filed on."""
    return clock.start_of_local_day(clock.local(filed_at).date() + timedelta(days=1))


@dataclass(frozen=True, slots=True)
class Complaint:
    complaint_id: uuid.UUID
    complainant_name: str
    member_card: str
    booking_ref: str | None
    category: str
    severity: str
    summary: str
    filed_at: datetime
    outcome: str | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def due_at(self) -> datetime:
        return resolve_by(self.filed_at)

    @property
    def overdue(self) -> bool:
        return self.is_open and clock.now() >= self.due_at

    @property
    def closed_late(self) -> bool:
        return self.closed_at is not None and self.closed_at > self.due_at


@dataclass(frozen=True, slots=True)
class ComplaintCounts:
    """Complaints filed since ``HotelComplaints.since``."""

    filed: int
    major: int
    still_open: int
    resolved_within_day: int
    by_category: list[tuple[str, int]]


@dataclass(frozen=True, slots=True)
class HotelComplaints:
    open: list[Complaint]
    closed: list[Complaint]
    counts: ComplaintCounts
    since: date

    @property
    def listed(self) -> list[Complaint]:
        return self.open + self.closed


FIELDS = tuple(f.name for f in fields(Complaint))


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _counts(period: list[Complaint]) -> ComplaintCounts:
    # Counted here rather than in SQL so "within the day" is the one rule of ``resolve_by``.
    by_category = Counter(c.category for c in period)
    return ComplaintCounts(
        filed=len(period),
        major=sum(c.severity == "major" for c in period),
        still_open=sum(c.is_open for c in period),
        resolved_within_day=sum(not c.is_open and not c.closed_late for c in period),
        by_category=sorted(by_category.items(), key=lambda item: (-item[1], item[0])),
    )


async def hotel_complaints(session: AsyncSession, *, hotel_id: uuid.UUID) -> HotelComplaints:
    """The hotel's open complaints (all of them), those closed in the last 12 months, and
    the counts of complaints filed in those 12 months."""
    since_day = year_before(clock.today())
    since = clock.start_of_local_day(since_day)
    col = hotel_complaint.c
    rows = await session.execute(
        select(*(getattr(col, name) for name in FIELDS))
        .where(col.hotel_id == hotel_id, or_(col.closed_at.is_(None), col.filed_at >= since))
        .order_by(col.filed_at)
    )
    complaints = [Complaint(**row._asdict()) for row in rows]
    closed = [c for c in complaints if c.closed_at is not None]
    closed.sort(key=lambda c: c.closed_at or since, reverse=True)
    return HotelComplaints(
        open=[c for c in complaints if c.is_open],
        closed=closed[:CLOSED_SHOWN],
        counts=_counts([c for c in complaints if c.filed_at >= since]),
        since=since_day,
    )
