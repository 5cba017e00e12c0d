"""What the complaints pages read: the worklist (open first, the nearest clock first), the
hotels a complaint can name, a member's details to prefill the form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Row, String, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.complaints.models import complaint, complaint_hotel

PAGE_SIZE = 30
HOTEL_CHOICES = 200  # the select lists at most this many; the text filter narrows it
StatusFilter = Literal["", "active", "open", "findings", "answered", "closed"]


@dataclass
class Filters:
    status: StatusFilter = "active"
    category: str = ""
    severity: str = ""
    department: str = ""
    q: str = ""


@dataclass
class ComplaintPage:
    rows: list[Row[Any]]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _where(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.status == "active":
        conditions.append(complaint.c.status != "closed")
    elif filters.status:
        conditions.append(complaint.c.status == filters.status)
    for name in ("category", "severity", "department"):
        if value := getattr(filters, name):
            conditions.append(complaint.c[name] == value)
    if filters.q:
        typed = filters.q.lower()  # autoescape: a typed % or _ is a character, not a pattern
        conditions.append(
            or_(
                func.lower(complaint.c.complainant_name).contains(typed, autoescape=True),
                func.lower(complaint.c.member_card).contains(typed, autoescape=True),
                func.lower(complaint.c.hotel_name).contains(typed, autoescape=True),
                cast(complaint.c.complaint_no, String) == filters.q,
            )
        )
    return conditions


async def list_complaints(session: AsyncSession, filters: Filters, page: int) -> ComplaintPage:
    """Open complaints first, the one whose department clock runs out first at the top;
    closed ones after, newest first."""
    conditions = _where(filters)
    total = await session.scalar(select(func.count()).select_from(complaint).where(*conditions))
    closed_last = case((complaint.c.status == "closed", 1), else_=0)
    rows = await session.execute(
        select(complaint)
        .where(*conditions)
        .order_by(
            closed_last,
            case((complaint.c.status == "closed", None), else_=complaint.c.department_due_at),
            complaint.c.filed_at.desc(),
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return ComplaintPage(list(rows), page, int(total or 0))


async def hotels(session: AsyncSession, q: str = "") -> list[Row[Any]]:
    query = select(complaint_hotel).order_by(complaint_hotel.c.city, complaint_hotel.c.name)
    if q:
        typed = q.lower()
        query = query.where(
            or_(
                func.lower(complaint_hotel.c.name).contains(typed, autoescape=True),
                func.lower(complaint_hotel.c.city).contains(typed, autoescape=True),
            )
        )
    return list(await session.execute(query.limit(HOTEL_CHOICES)))
