"""A group's rooming list (IN-9): one row per room, its rate plan and its guests.

The list is typed into the group form (one line per room: a rate plan chosen from the hotel's,
guest names comma separated) or uploaded as CSV/Excel (``shared.sheets``) with the columns

- ``rate_plan``: the rate plan's name as the hotel sells it (case ignored) or its id;
- ``room_type`` (optional): the room type's name, needed only when two room types sell a rate
  plan of the same name;
- ``guests``: the room's guest names separated by ``,`` ``;`` ``、`` (or ``guest_1`` …
  ``guest_4``, one name each); blank while the names are not known yet;
- ``room`` (optional): ignored, rooms are numbered in list order.

Every row is checked before anything is stored; one bad row refuses the whole list, and the
report names each bad row, its field and why (``SheetRefused``: 422). A row without guests is
not an error: the list is then incomplete, and the group stays unfinished until it is filled
in (``groups``). A monthly-settlement account books only rate plans sold "corporate monthly"
(the rate plan fixes how a stay is paid, PAY-4).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.bounds import GUEST_NAME_LENGTH
from services.intake.inventory.models import rate_plan, room_type
from shared.i18n import _
from shared.sheets import RowError, SheetRefused, read_sheet

MAX_ROOMS = 200
MAX_GUESTS_PER_ROOM = 4
MAX_NAME = GUEST_NAME_LENGTH  # what a booking's guest name holds (bounds.py)
MAX_BYTES = 512 * 1024
MONTHLY = "corporate_monthly"
_SEPARATORS = re.compile(r"[\n,;，；、/]+")
COLUMNS = {
    "rate_plan": "rate_plan",
    "rate_plan_name": "rate_plan",
    "rate_plan_id": "rate_plan",
    "rate": "rate_plan",
    "room_type": "room_type",
    "room_type_name": "room_type",
    "guests": "guests",
    "guest_names": "guests",
    "names": "guests",
    "room": "room",
    "room_no": "room",
    **{f"guest_{n}": f"guest_{n}" for n in range(1, MAX_GUESTS_PER_ROOM + 1)},
}


@dataclass(frozen=True, slots=True)
class RoomingLine:
    """A row as typed or read, not yet checked; ``row`` is its line or spreadsheet row."""

    row: int
    rate_plan: str
    room_type: str = ""
    guests: str = ""


@dataclass(frozen=True, slots=True)
class CheckedRoom:
    room_no: int
    rate_plan_id: uuid.UUID
    rate_plan_name: str
    room_type_id: uuid.UUID
    room_type_name: str
    payment_mode: str
    guest_names: list[str]


async def hotel_plans(session: AsyncSession, hotel_id: uuid.UUID) -> list[AnyRow]:
    """The hotel's rate plans on sale, with their room types, in the order agents see them."""
    query = (
        select(
            rate_plan.c.rate_plan_id,
            rate_plan.c.name.label("rate_plan_name"),
            rate_plan.c.payment_mode,
            room_type.c.room_type_id,
            room_type.c.name.label("room_type_name"),
        )
        .select_from(
            rate_plan.join(room_type, room_type.c.room_type_id == rate_plan.c.room_type_id)
        )
        .where(rate_plan.c.hotel_id == hotel_id, rate_plan.c.active, room_type.c.active)
        .order_by(room_type.c.name, rate_plan.c.name)
    )
    return list(await session.execute(query))


def lines_from_sheet(filename: str, content: bytes) -> list[RoomingLine]:
    """The rows of an uploaded rooming list (refuses an unreadable file as a whole)."""
    rows = read_sheet(filename, content, columns=COLUMNS, max_rows=MAX_ROOMS, max_bytes=MAX_BYTES)
    lines = []
    for sheet_row in rows:
        cells = sheet_row.cells
        numbered = [cells.get(f"guest_{n}", "") for n in range(1, MAX_GUESTS_PER_ROOM + 1)]
        guests = ", ".join(g for g in [cells.get("guests", ""), *numbered] if g)
        lines.append(
            RoomingLine(
                sheet_row.row, cells.get("rate_plan", ""), cells.get("room_type", ""), guests
            )
        )
    return lines


def split_guests(text: str) -> list[str]:
    return [name.strip() for name in _SEPARATORS.split(text) if name.strip()]


def _plan_for(line: RoomingLine, plans: list[AnyRow]) -> AnyRow | RowError:
    wanted = line.rate_plan.strip()
    if not wanted:
        return RowError(line.row, "rate_plan", _("choose the room's rate plan"))
    by_id = [p for p in plans if str(p.rate_plan_id) == wanted.lower()]
    named = by_id or [p for p in plans if p.rate_plan_name.lower() == wanted.lower()]
    if line.room_type.strip():
        named = [p for p in named if p.room_type_name.lower() == line.room_type.strip().lower()]
    if len(named) == 1:
        return named[0]
    if not named:
        sold = "; ".join(f"{p.rate_plan_name} ({p.room_type_name})" for p in plans)
        if line.room_type:
            message = _("no rate plan “%(plan)s” for “%(type)s” at this hotel (it sells %(sold)s)")
        else:
            message = _("no rate plan “%(plan)s” at this hotel (it sells %(sold)s)")
        message %= {"plan": wanted, "type": line.room_type, "sold": sold or _("nothing")}
        return RowError(line.row, "rate_plan", message)
    types = ", ".join(p.room_type_name for p in named)
    message = _("“%(plan)s” is sold for %(types)s: fill in room_type")
    return RowError(line.row, "room_type", message % {"plan": wanted, "types": types})


def _check_line(
    line: RoomingLine, plans: list[AnyRow], monthly: bool
) -> tuple[AnyRow | None, list[RowError]]:
    errors: list[RowError] = []
    plan = _plan_for(line, plans)
    if isinstance(plan, RowError):
        errors.append(plan)
    elif monthly and plan.payment_mode != MONTHLY:
        message = _(
            "%(plan)s is sold as %(mode)s; a monthly-settlement account books rate plans sold "
            "as corporate monthly"
        ) % {"plan": plan.rate_plan_name, "mode": plan.payment_mode}
        errors.append(RowError(line.row, "rate_plan", message))
    guests = split_guests(line.guests)
    if len(guests) > MAX_GUESTS_PER_ROOM:
        message = _("at most %(most)s guests in a room, got %(got)s") % {
            "most": MAX_GUESTS_PER_ROOM,
            "got": len(guests),
        }
        errors.append(RowError(line.row, "guests", message))
    if too_long := [g for g in guests if len(g) > MAX_NAME]:
        message = _("a name is at most %(most)s characters: %(name)s…") % {
            "most": MAX_NAME,
            "name": too_long[0][:20],
        }
        errors.append(RowError(line.row, "guests", message))
    return (None if isinstance(plan, RowError) else plan), errors


def check_rooming(
    lines: list[RoomingLine], plans: list[AnyRow], *, monthly: bool
) -> list[CheckedRoom]:
    """Every row checked; all good gives the rooms in list order, else ``SheetRefused``."""
    if not lines:
        raise SheetRefused([RowError(0, "rooming_list", _("the rooming list has no rooms"))])
    if len(lines) > MAX_ROOMS:
        message = _("at most %(most)s rooms a group") % {"most": MAX_ROOMS}
        raise SheetRefused([RowError(0, "rooming_list", message)])
    errors: list[RowError] = []
    rooms: list[CheckedRoom] = []
    for number, line in enumerate(lines, start=1):
        checked, problems = _check_line(line, plans, monthly)
        if checked is None or problems:
            errors += problems
            continue
        rooms.append(
            CheckedRoom(
                room_no=number,
                rate_plan_id=checked.rate_plan_id,
                rate_plan_name=checked.rate_plan_name,
                room_type_id=checked.room_type_id,
                room_type_name=checked.room_type_name,
                payment_mode=checked.payment_mode,
                guest_names=split_guests(line.guests),
            )
        )
    if errors:
        raise SheetRefused(errors, field="rooming_list")
    return rooms
