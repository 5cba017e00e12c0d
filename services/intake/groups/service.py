"""Group bookings of corporate accounts (IN-9): a draft with its rooming list, then all its
rooms booked in one transaction, or none.

- A group is opened as a **draft** for an account, a hotel and a stay, with its rooming list
  (``rooming``). A draft holds no rooms; its list may be replaced while it is a draft.
- **Placing** books every room through ``service.place_booking``, so every rule of a single
  booking holds (stay dates, contract, restrictions, frozen prices, the guarded decrement,
  the ``intake.booking_placed`` event, the audit row). Rooms are grouped into one booking per
  room type and rate plan, split at ``service.MAX_ROOMS`` rooms a booking, and placed in room
  type order so two groups racing for the same rooms lock them in the same order
  (ARCHITECTURE). All happen in the caller's one transaction: one line that cannot be sold
  refuses the group and the caller rolls everything back. A group placed is never half placed.
- A monthly-settlement account's bookings are paid "corporate monthly" (PAY-4), and its
  unsettled total (placed groups checking out this month or later) plus this group may not
  pass its credit limit.
- **Unfinished** (IN-9, "yesterday's unfinished bookings are worked first"): a group is
  unfinished while it is a draft, that is while its rooming list is incomplete (a room without
  guest names) or its rooms are not booked yet (never placed, or placing was refused, e.g. a
  room type full); and, once placed, while one of its bookings is not plainly placed (on
  request, HR-2: the hotel has not answered yet). A placed booking the hotel has not yet
  confirmed (issue 6) does not make its group unfinished: the confirmation desk chases it.
  ``group_worklist`` lists them.

Service functions never commit; each change is audited.
"""

from __future__ import annotations

import secrets
import uuid
from itertools import groupby
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import service
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import BookingRequest
from services.intake.bounds import GuestName
from services.intake.groups import accounts as group_accounts
from services.intake.groups import rooming
from services.intake.groups.accounts import AccountView
from services.intake.groups.models import group_booking, group_room
from services.intake.groups.rooming import CheckedRoom, RoomingLine
from services.intake.groups.worklist import STATUS_LABELS, GroupView, get_group
from services.intake.inventory.models import hotel
from services.intake.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.booking_refs import REF_ALPHABET
from shared.clock import clock
from shared.dates import month_range
from shared.errors import Conflict, DomainError, InvalidInput, NotFound, RuleViolated
from shared.i18n import _
from shared.limits import BusinessDate, Uuid
from shared.money import Money

RULE = "IN-9"


class RoomIn(BaseModel):
    """One room of the API's rooming list: a rate plan (name or id) and its guests."""

    model_config = ConfigDict(str_strip_whitespace=True)

    rate_plan: str = Field(max_length=200)
    room_type: str = Field("", max_length=200)
    guest_names: list[GuestName] = Field(default=[], max_length=rooming.MAX_GUESTS_PER_ROOM + 1)


class GroupRequest(BaseModel):
    """Open a group booking (IN-9); ``place`` books its rooms at once."""

    model_config = ConfigDict(str_strip_whitespace=True)

    account_id: Uuid
    hotel_id: Uuid
    check_in: BusinessDate
    check_out: BusinessDate
    # Fax needs a number we do not keep on the account; phone and SMS go to its phone.
    confirm_channel: Literal["phone", "sms", "email"] = "email"
    special_requests: str = Field("", max_length=1000)
    rooms: list[RoomIn] = Field(max_length=rooming.MAX_ROOMS)
    place: bool = False


class RoomingIn(BaseModel):
    rooms: list[RoomIn] = Field(max_length=rooming.MAX_ROOMS)


def lines_of(rooms: list[RoomIn]) -> list[RoomingLine]:
    """The API's rooms as rooming lines, numbered from 1 like the form's."""
    return [
        RoomingLine(n, r.rate_plan, r.room_type, ", ".join(r.guest_names))
        for n, r in enumerate(rooms, start=1)
    ]


def _new_ref() -> str:
    return "GR" + "".join(secrets.choice(REF_ALPHABET) for _ in range(6))


async def _hotel_name(session: AsyncSession, hotel_id: uuid.UUID) -> str:
    name = await session.scalar(select(hotel.c.name_en).where(hotel.c.hotel_id == hotel_id))
    if name is None:
        raise InvalidInput(_("Unknown hotel %(id)s.") % {"id": hotel_id}, field="hotel_id")
    return str(name)


async def _account(session: AsyncSession, account_id: uuid.UUID) -> AccountView:
    try:
        account = await group_accounts.get_account(session, account_id=account_id)
    except NotFound as exc:
        raise InvalidInput(exc.detail, field="account_id") from exc
    if not account.active:
        message = _("%(company)s's account is closed.") % {"company": account.company_name}
        raise InvalidInput(message, field="account_id")
    return account


async def open_group(
    session: AsyncSession, *, staff: Staff, request: GroupRequest, lines: list[RoomingLine]
) -> GroupView:
    """A draft group with its checked rooming list (all rows good, or nothing stored)."""
    account = await _account(session, request.account_id)
    if request.confirm_channel == "email" and not account.email:
        raise InvalidInput(
            _(
                "%(company)s's account has no email address: choose phone or SMS, or ask a "
                "team lead to add the email."
            )
            % {"company": account.company_name},
            field="confirm_channel",
        )
    hotel_name = await _hotel_name(session, request.hotel_id)
    service.stay_nights(check_in=request.check_in, check_out=request.check_out, rooms=1)
    plans = await rooming.hotel_plans(session, request.hotel_id)
    rooms = rooming.check_rooming(lines, plans, monthly=account.monthly_settlement)
    group_id, now = uuid.uuid4(), clock.now()
    values = {
        **request.model_dump(exclude={"rooms", "place"}),
        "group_id": group_id,
        "group_ref": await _free_ref(session),
        "hotel_name": hotel_name,
        "payment_mode": rooming.MONTHLY if account.monthly_settlement else "rate_plan",
        "status": "draft",
        "last_refusal": "",
        "created_by": staff.username,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(insert(group_booking).values(**values))
    await _insert_rooms(session, group_id, rooms)
    await _audit(session, staff, "open", group_id, None, _summary(values, rooms))
    return await get_group(session, group_id=group_id)


async def _free_ref(session: AsyncSession) -> str:
    while True:  # 32^6 refs: a clash is rare, so a second draw is rarer still
        ref = _new_ref()
        taken = await session.scalar(
            select(group_booking.c.group_id).where(group_booking.c.group_ref == ref)
        )
        if taken is None:
            return ref


async def _insert_rooms(
    session: AsyncSession, group_id: uuid.UUID, rooms: list[CheckedRoom]
) -> None:
    fields = CheckedRoom.__slots__
    rows = [{"group_id": group_id, **{f: getattr(room, f) for f in fields}} for room in rooms]
    await session.execute(insert(group_room).values(rows))


def _summary(values: dict[str, Any], rooms: list[Any]) -> dict[str, Any]:
    """The audit's picture of a rooming list: one line per room."""
    lines = [f"{r.room_type_name} · {r.rate_plan_name}: {', '.join(r.guest_names)}" for r in rooms]
    return {"group_ref": values.get("group_ref"), "rooms": lines}


async def _locked_draft(session: AsyncSession, group_id: uuid.UUID) -> AnyRow:
    row = (
        await session.execute(
            select(group_booking).where(group_booking.c.group_id == group_id).with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound(_("No group booking %(id)s.") % {"id": group_id})
    if row.status != "draft":
        raise Conflict(
            _("Group %(ref)s is %(status)s; only a draft can change.")
            % {"ref": row.group_ref, "status": _(STATUS_LABELS.get(row.status, row.status))}
        )
    return row


async def replace_rooming(
    session: AsyncSession, *, staff: Staff, group_id: uuid.UUID, lines: list[RoomingLine]
) -> GroupView:
    """A new rooming list for a draft, checked as a whole (IN-9)."""
    group = await _locked_draft(session, group_id)
    account = await _account(session, group.account_id)
    plans = await rooming.hotel_plans(session, group.hotel_id)
    rooms = rooming.check_rooming(lines, plans, monthly=account.monthly_settlement)
    before = await get_group(session, group_id=group_id)
    await session.execute(delete(group_room).where(group_room.c.group_id == group_id))
    await _insert_rooms(session, group_id, rooms)
    await session.execute(
        update(group_booking)
        .where(group_booking.c.group_id == group_id)
        .values(updated_at=clock.now())
    )
    await _audit(
        session, staff, "replace_rooming", group_id,
        _summary({"group_ref": group.group_ref}, before.rooms),
        _summary({"group_ref": group.group_ref}, rooms),
    )  # fmt: skip
    return await get_group(session, group_id=group_id)


async def cancel_group(session: AsyncSession, *, staff: Staff, group_id: uuid.UUID) -> GroupView:
    """Drop a draft (placed groups are cancelled booking by booking, IN-5)."""
    group = await _locked_draft(session, group_id)
    await session.execute(
        update(group_booking)
        .where(group_booking.c.group_id == group_id)
        .values(status="cancelled", updated_at=clock.now())
    )
    before, after = {"status": group.status}, {"status": "cancelled"}
    await _audit(session, staff, "cancel", group_id, before, after)
    return await get_group(session, group_id=group_id)


async def place_group(session: AsyncSession, *, staff: Staff, group_id: uuid.UUID) -> GroupView:
    """Book every room of a complete draft in the caller's transaction (see module doc)."""
    group = await _locked_draft(session, group_id)
    account = await _account(session, group.account_id)
    view = await get_group(session, group_id=group_id)
    if unnamed := [str(r.room_no) for r in view.rooms if not r.guest_names]:
        raise InvalidInput(
            (
                _(
                    "Room %(rooms)s of %(ref)s has no guest names yet: complete the rooming "
                    "list before booking."
                )
                if len(unnamed) == 1
                else _(
                    "Rooms %(rooms)s of %(ref)s have no guest names yet: complete the rooming "
                    "list before booking."
                )
            )
            % {"rooms": ", ".join(unnamed), "ref": group.group_ref},
            field="rooming_list",
        )
    total, currency = 0, ""
    booked: dict[int, str] = {}
    for chunk in _booking_lines(view.rooms):
        placed = await _place_line(session, staff, group, account, chunk)
        total, currency = total + placed.total_sell_minor, placed.currency
        booked |= {room.room_no: placed.booking_ref for room in chunk}
    await _within_credit(session, account, group_id, total, currency)
    for room_no, booking_ref in booked.items():
        await session.execute(
            update(group_room)
            .where(group_room.c.group_id == group_id, group_room.c.room_no == room_no)
            .values(booking_ref=booking_ref)
        )
    now = clock.now()
    placed_values = {"status": "placed", "total_sell_minor": total, "currency": currency}
    done = {"last_refusal": "", "placed_by": staff.username, "placed_at": now, "updated_at": now}
    await session.execute(
        update(group_booking)
        .where(group_booking.c.group_id == group_id)
        .values(**placed_values, **done)
    )
    after = {**placed_values, "bookings": sorted(set(booked.values()))}
    await _audit(session, staff, "place", group_id, {"status": "draft"}, after)
    return await get_group(session, group_id=group_id)


def _booking_lines(rooms: list[Any]) -> list[list[Any]]:
    """One booking per room type and rate plan, at most ``service.MAX_ROOMS`` rooms each, in
    room type order (the lock order of ARCHITECTURE)."""
    key = lambda r: (str(r.room_type_id), str(r.rate_plan_id))  # noqa: E731
    lines = []
    for _key, same in groupby(sorted(rooms, key=key), key=key):
        rooms_of_plan = sorted(same, key=lambda r: r.room_no)
        for start in range(0, len(rooms_of_plan), service.MAX_ROOMS):
            lines.append(rooms_of_plan[start : start + service.MAX_ROOMS])
    return lines


async def _place_line(
    session: AsyncSession, staff: Staff, group: AnyRow, account: AccountView, rooms: list[Any]
) -> Any:
    first = rooms[0]
    numbers = ", ".join(str(r.room_no) for r in rooms)
    note = f"Group {group.group_ref} · {account.company_name}, rooms {numbers}"
    request = BookingRequest(
        hotel_id=group.hotel_id,
        rate_plan_id=first.rate_plan_id,
        check_in=group.check_in,
        check_out=group.check_out,
        rooms=len(rooms),
        guest_names=[name for room in rooms for name in room.guest_names],
        booker_name=account.contact_name,
        booker_phone=account.phone,
        booker_company=account.company_name,
        payment_mode=rooming.MONTHLY if account.monthly_settlement else first.payment_mode,
        confirm_channel=group.confirm_channel,
        # CF-6: email to the account's address; phone and SMS to the booker (its phone).
        confirm_contact=account.email if group.confirm_channel == "email" else "",
        special_requests=f"{note}; {group.special_requests}" if group.special_requests else note,
        # One key per line: placing again after a crash or a double click books nothing twice.
        idempotency_key=f"group:{group.group_id}:{first.rate_plan_id}:{first.room_no}",
    )
    try:
        placed = await service.place_booking(session, staff=staff, request=request)
    except DomainError as exc:
        line = f"{first.room_type_name} · {first.rate_plan_name}"
        exc.detail = f"Rooms {numbers} ({line}): {exc.detail}"
        exc.args = (exc.detail,)
        raise
    return placed.booking


async def _within_credit(
    session: AsyncSession, account: AccountView, group_id: uuid.UUID, total: int, currency: str
) -> None:
    """A monthly account's unsettled total may not pass its credit limit (IN-9, PAY-4)."""
    if not account.monthly_settlement or account.credit_limit_minor is None:
        return
    first_of_month, _next_month = month_range(clock.today())
    unsettled = await session.scalar(
        select(func.coalesce(func.sum(group_booking.c.total_sell_minor), 0)).where(
            group_booking.c.account_id == account.account_id,
            group_booking.c.status == "placed",
            group_booking.c.currency == currency,
            group_booking.c.check_out >= first_of_month,
            group_booking.c.group_id != group_id,
        )
    )
    owed = Money(int(unsettled or 0) + total, currency)
    if owed.amount_minor > account.credit_limit_minor:
        limit = Money(account.credit_limit_minor, account.currency)
        raise RuleViolated(
            _("%(company)s would owe %(owed)s this month, over its credit limit of %(limit)s")
            % {"company": account.company_name, "owed": owed, "limit": limit},
            rule=RULE,
            field="credit_limit_minor",
        )


async def note_refusal(
    session: AsyncSession, *, staff: Staff, group_id: uuid.UUID, reason: str
) -> None:
    """After a refused placement was rolled back: keep why on the draft for the worklist."""
    noted: Any = await session.execute(
        update(group_booking)
        .where(group_booking.c.group_id == group_id, group_booking.c.status == "draft")
        .values(last_refusal=reason[:2000], updated_at=clock.now())
    )
    if noted.rowcount != 1:
        return  # no such draft: nothing to remember
    await _audit(session, staff, "place_refused", group_id, None, {"reason": reason[:2000]})


async def _audit(
    session: AsyncSession,
    staff: Staff,
    action: str,
    group_id: uuid.UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=action,
        entity="group_booking",
        entity_id=group_id,
        before=before,
        after=after,
    )
