"""Reading group bookings: one group with its rooms, and the group desk's worklist (IN-9).

The worklist puts **yesterday's unfinished groups first** (IN-9): unfinished groups (drafts,
see ``groups``) opened before today's business date, oldest first; then today's unfinished
ones by check-in; then the rest by check-in. "Yesterday" means any earlier day: a group
carried over for two days is even more overdue. The status filter:

- ``open`` (default): unfinished groups and placed groups whose stay has not ended;
- ``unfinished``: only those; ``placed``; ``cancelled``; ``all``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.groups.models import group_account, group_booking, group_room
from services.intake.models import booking
from shared.clock import clock
from shared.errors import InvalidInput, NotFound
from shared.i18n import N_, _

PAGE_SIZE = 25
StatusFilter = Literal["open", "unfinished", "placed", "cancelled", "all"]
STATUS_FILTERS: tuple[str, ...] = ("open", "unfinished", "placed", "cancelled", "all")
# The worklist's filters and a group's own statuses (draft, placed, cancelled) as the pages
# name them; marked for the catalog, translated where shown.
STATUS_LABELS: dict[str, str] = {
    "open": N_("open"),
    "unfinished": N_("unfinished"),
    "placed": N_("placed"),
    "cancelled": N_("cancelled"),
    "all": N_("all"),
    "draft": N_("draft"),
}


class GroupRoomView(BaseModel):
    room_no: int
    rate_plan_id: uuid.UUID
    rate_plan_name: str
    room_type_id: uuid.UUID
    room_type_name: str
    payment_mode: str
    guest_names: list[str]
    booking_ref: str | None
    booking_status: str | None = None  # e.g. "requested": on request, the hotel must answer


class GroupView(BaseModel):
    group_id: uuid.UUID
    group_ref: str
    account_id: uuid.UUID
    company_name: str
    hotel_id: uuid.UUID
    hotel_name: str
    check_in: date
    check_out: date
    confirm_channel: str
    special_requests: str
    payment_mode: str
    status: str
    total_sell_minor: int | None
    currency: str | None
    last_refusal: str
    created_by: str
    created_at: datetime
    placed_by: str | None
    placed_at: datetime | None
    rooms: list[GroupRoomView]

    @property
    def unnamed_rooms(self) -> int:
        return sum(1 for room in self.rooms if not room.guest_names)

    @property
    def bookings(self) -> list[str]:
        return sorted({r.booking_ref for r in self.rooms if r.booking_ref})


class WorklistRow(BaseModel):
    group_id: uuid.UUID
    group_ref: str
    company_name: str
    hotel_name: str
    check_in: date
    check_out: date
    status: str
    rooms: int
    unnamed_rooms: int
    last_refusal: str
    created_at: datetime
    unfinished: bool
    carried_over: bool  # unfinished and opened before today (IN-9: worked first)


class Worklist(BaseModel):
    status: str
    groups: list[WorklistRow]
    total: int
    page: int
    pages: int


async def get_group(session: AsyncSession, *, group_id: uuid.UUID) -> GroupView:
    query = (
        select(group_booking, group_account.c.company_name)
        .join(group_account, group_account.c.account_id == group_booking.c.account_id)
        .where(group_booking.c.group_id == group_id)
    )
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(_("No group booking %(id)s.") % {"id": group_id})
    rooms = await session.execute(
        select(group_room, booking.c.status.label("booking_status"))
        .outerjoin(booking, booking.c.booking_ref == group_room.c.booking_ref)
        .where(group_room.c.group_id == group_id)
        .order_by(group_room.c.room_no)
    )
    return GroupView(
        **row._mapping,
        rooms=[GroupRoomView.model_validate(dict(r._mapping)) for r in rooms],
    )


# Booking statuses that leave nothing to do for the group desk (anything else, e.g. on
# request, is still waiting for someone).
SETTLED_BOOKINGS = ("placed", "cancelled", "confirmed")


def unfinished() -> ColumnElement[bool]:
    """A draft, or a placed group with a booking still waiting (module doc of ``groups``)."""
    room = group_room.alias("waiting_room")  # not the worklist's own join of rooms
    waiting = exists().where(
        room.c.group_id == group_booking.c.group_id,
        booking.c.booking_ref == room.c.booking_ref,
        booking.c.status.not_in(SETTLED_BOOKINGS),
    )
    return or_(group_booking.c.status == "draft", and_(group_booking.c.status == "placed", waiting))


def _status_where(status: str, today: date) -> ColumnElement[bool]:
    if status not in STATUS_FILTERS:
        message = _("Status must be one of %(statuses)s.") % {"statuses": ", ".join(STATUS_FILTERS)}
        raise InvalidInput(message, field="status")
    filters: dict[str, ColumnElement[bool]] = {
        "open": or_(
            unfinished(),
            and_(group_booking.c.status == "placed", group_booking.c.check_out >= today),
        ),
        "unfinished": unfinished(),
        "placed": group_booking.c.status == "placed",
        "cancelled": group_booking.c.status == "cancelled",
        "all": true(),
    }
    return filters[status]


async def group_worklist(session: AsyncSession, *, status: str = "open", page: int = 1) -> Worklist:
    """Groups for the desk, yesterday's unfinished first (see module doc)."""
    today = clock.today()
    still_open = unfinished()
    carried_over = and_(still_open, group_booking.c.created_at < clock.start_of_local_day(today))
    where = _status_where(status, today)
    counted = select(func.count()).select_from(group_booking).where(where)
    total = int(await session.scalar(counted) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rooms = func.count(group_room.c.room_no)
    unnamed = rooms.filter(func.cardinality(group_room.c.guest_names) == 0)
    query = (
        select(
            group_booking.c.group_id,
            group_booking.c.group_ref,
            group_account.c.company_name,
            group_booking.c.hotel_name,
            group_booking.c.check_in,
            group_booking.c.check_out,
            group_booking.c.status,
            group_booking.c.last_refusal,
            group_booking.c.created_at,
            rooms.label("rooms"),
            unnamed.label("unnamed_rooms"),
            carried_over.label("carried_over"),
            still_open.label("unfinished"),
        )
        .join(group_account, group_account.c.account_id == group_booking.c.account_id)
        .outerjoin(group_room, group_room.c.group_id == group_booking.c.group_id)
        .where(where)
        .group_by(group_booking.c.group_id, group_account.c.company_name)
        .order_by(
            case((carried_over, 0), (still_open, 1), else_=2),
            case((carried_over, group_booking.c.created_at), else_=None),
            group_booking.c.check_in,
            group_booking.c.created_at,
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = await session.execute(query)
    groups = [WorklistRow.model_validate(dict(r._mapping)) for r in rows]
    return Worklist(status=status, groups=groups, total=total, page=page, pages=pages)
