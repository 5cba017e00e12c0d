"""Business rules of the confirmation desk: deadlines (CF-2, CF-6) and the queue (CF-1).

Service functions never commit; the request dependency or the event consumer does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import nothing_to_send, repository
from services.confirmation.claims import claim_live
from services.confirmation.models import ConfirmationTask
from services.confirmation.schemas import (
    OPEN_STATES,
    UNSENT_STATES,
    ChannelFilter,
    StateFilter,
    TaskPage,
    TaskStatus,
    TaskView,
)
from services.confirmation.settings import SCHEMA
from shared.clock import Clock
from shared.clock import clock as business_clock
from shared.errors import NotFound
from shared.events.confirmation import TaskOpenedV1
from shared.events.intake import BookingPlacedV1
from shared.events.outbox import publish

# CF-1 / SL-3: never more than this many orders unsent.
UNSENT_LIMIT = 15
# A task whose deadline is this close shows as due-soon, so the desk sends it next.
DUE_SOON = timedelta(minutes=30)
ONE_HOUR = timedelta(hours=1)
ONE_DAY = timedelta(hours=24)


def confirm_deadline(
    *, booked_at: datetime, check_in: date, reply_at_once: bool, clock: Clock
) -> datetime:
    """When the booking must be confirmed by the hotel and to the customer (CF-2, CF-6).

    "Today" and "tomorrow" are dates in the business time zone (Beijing by default) of the
    moment the booking was placed, not of UTC: a booking at 16:30 UTC is 00:30 the next day
    in Beijing, and a check-in on that Beijing date is "today".

    - check-in today (CF-2; CF-6 "same-day bookings"): booked_at + 1 hour. A check-in date
      before the booking's local date (a late arrival booked after midnight for the night
      already begun) is treated the same way: the guest is on the way.
    - check-in tomorrow (CF-2 "confirmed the same day"): the end of the booking's local day,
      i.e. the next local midnight as a UTC instant. A booking at 23:30 gets 30 minutes; we
      keep the rule as written rather than stretch it, because the guest arrives in hours.
    - otherwise (CF-2, CF-6): booked_at + 24 hours.
    - "reply at once" (CF-6): booked_at + 1 hour.

    Where several apply, the earliest wins, so the task meets every promise at once.
    """
    if booked_at.tzinfo is None:
        raise ValueError("booked_at must be timezone-aware")
    booking_day = clock.local(booked_at).date()
    candidates = [booked_at + ONE_DAY]
    if check_in <= booking_day:
        candidates.append(booked_at + ONE_HOUR)
    elif check_in == booking_day + timedelta(days=1):
        candidates.append(clock.start_of_local_day(check_in))
    if reply_at_once:
        candidates.append(booked_at + ONE_HOUR)
    return min(candidates)


def task_status(*, deadline_at: datetime, state: str, now: datetime) -> TaskStatus:
    """A task's standing against its deadline (CF-2); closed tasks no longer run late."""
    if state not in OPEN_STATES:
        return "ok"
    if now > deadline_at:
        return "overdue"
    if deadline_at - now <= DUE_SOON:
        return "due-soon"
    return "ok"


def task_values(booking: BookingPlacedV1) -> dict[str, Any]:
    """The new-booking task (CF-1) of a placed booking, deadline included (CF-2, CF-6)."""
    return {
        "booking_id": booking.booking_id,
        "kind": "new",
        "booking_ref": booking.booking_ref,
        "hotel_id": booking.hotel_id,
        "hotel_name": booking.hotel_name,
        "room_type_name": booking.room_type_name,
        "rate_plan_name": booking.rate_plan_name,
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "rooms": booking.rooms,
        "guest_names": booking.guest_names,
        "payment_mode": booking.payment_mode,
        "confirm_channel": booking.confirm_channel,
        "special_requests": booking.special_requests,
        "urgent": booking.urgent,
        "booked_at": booking.placed_at,
        "deadline_at": confirm_deadline(
            booked_at=booking.placed_at,
            check_in=booking.check_in,
            reply_at_once=booking.reply_at_once,
            clock=business_clock,
        ),
        "state": "unsent",
        "snapshot": booking.model_dump(mode="json"),
        "room_type_id": booking.room_type_id,
        "reply_at_once": booking.reply_at_once,
        # CF-5: online bookings are verified with the guest by phone before sending.
        "needs_verification": booking.source == "online",
    }


async def open_task(session: AsyncSession, *, booking: BookingPlacedV1) -> bool:
    """Queue a placed booking for the desk; False if it is already queued."""
    return await insert_and_announce(session, task_values(booking))


async def insert_and_announce(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a task and, only when the insert happened, publish ``confirmation.task_opened``
    in the same transaction (SL-3 counts from it); False for a redelivery.

    A new booking or change of a booking whose cancellation already closed it with nothing
    to send (its events came out of order) is recorded closed and not announced."""
    await nothing_to_send.lock_booking(session, values["booking_id"])
    if values["kind"] != "cancel" and await nothing_to_send.booking_closed(
        session, values["booking_id"]
    ):
        closed = nothing_to_send.closed_values(values)
        return await repository.insert_task(session, closed) is not None
    task_id = await repository.insert_task(session, values)
    if task_id is None:
        return False
    now = business_clock.now()
    await publish(
        session,
        schema=SCHEMA,
        payload=TaskOpenedV1(
            task_id=task_id,
            booking_ref=values["booking_ref"],
            kind=values["kind"],
            hotel_name=values["hotel_name"],
            deadline_at=values["deadline_at"],
            opened_at=now,
            booking_id=values["booking_id"],
            booking_version=values.get("booking_version", 1),
        ),
        occurred_at=now,
    )
    return True


# TaskView fields derived in _view; the rest are copied straight from the row.
_DERIVED = {"hotel_channel", "nights", "status", "claimed_by", "awaiting_verification"}
_DERIVED |= {"receipt_due_at", "receipt_overdue", "change_category", "change_note"}
_TASK_FIELDS = tuple(name for name in TaskView.model_fields if name not in _DERIVED)


def receipt_pending(task: ConfirmationTask) -> bool:
    """CF-7: a fax went out and nobody has yet checked by phone that it arrived."""
    return task.receipt_due_at is not None and task.receipt_checked_at is None


def view_task(task: ConfirmationTask, hotel_channel: str | None, now: datetime) -> TaskView:
    pending = receipt_pending(task)
    return TaskView(
        **{column: getattr(task, column) for column in _TASK_FIELDS},
        hotel_channel=hotel_channel,
        nights=(task.check_out - task.check_in).days,
        status=task_status(deadline_at=task.deadline_at, state=task.state, now=now),
        claimed_by=task.claimed_by if claim_live(task, now) else None,
        awaiting_verification=task.needs_verification and task.verified_at is None,
        receipt_due_at=task.receipt_due_at if pending else None,
        receipt_overdue=pending and task.receipt_due_at is not None and now > task.receipt_due_at,
        # A change's task keeps intake's event as its snapshot, reason included (CF-8).
        change_category=str(task.snapshot.get("reason_category", "")) if task.kind != "new" else "",
        change_note=str(task.snapshot.get("reason", "")) if task.kind != "new" else "",
    )


def _states(state: StateFilter) -> tuple[str, ...] | None:
    if state == "all":
        return None
    return OPEN_STATES if state == "open" else (state,)


async def queue(
    session: AsyncSession,
    *,
    hotel: str = "",
    state: StateFilter = "open",
    page: int = 1,
    city: str = "",
    channel: ChannelFilter = "",
) -> TaskPage:
    """The desk's queue, earliest deadline first (CF-2), with the unsent count (CF-1)."""
    now = business_clock.now()
    rows, total = await repository.list_tasks(
        session,
        hotel=hotel.strip(),
        states=_states(state),
        page=page,
        city=city.strip(),
        channel=channel,
    )
    unsent = await unsent_count(session)
    return TaskPage(
        items=[view_task(task, hotel_channel, now) for task, hotel_channel in rows],
        total=total,
        page=page,
        page_size=repository.PAGE_SIZE,
        unsent=unsent,
        unsent_limit=UNSENT_LIMIT,
        over_limit=unsent > UNSENT_LIMIT,
    )


async def get_task(session: AsyncSession, *, booking_ref: str) -> TaskView:
    found = await repository.find_task(session, booking_ref.strip().upper())
    if found is None:
        raise NotFound(f"No confirmation task for booking {booking_ref}.")
    return view_task(found[0], found[1], business_clock.now())


async def unsent_count(session: AsyncSession) -> int:
    """CF-1 / SL-3: orders not yet taken by the hotel's channel, queued sends included."""
    return await repository.count_in_states(session, UNSENT_STATES)
