"""The hotels' answers, as the confirmation desk records them, applied to intake's bookings:
``confirmation.booking_confirmed`` (CF-4) and ``confirmation.full_house`` (CF-3).

Each runs inside ``apply_once`` (the inbox dedupes the event id) and is idempotent by itself
too: every answer is kept in ``hotel_answer`` under its event id, and an answer already kept
is not applied again. The booking row is locked first, as an agent's change locks it
(``changes.py``), so an answer and a change of one booking never interleave.

- Confirmed (kind new or modify): the booking becomes ``confirmed`` with the hotel's number,
  but only for its current version or a newer one. A late answer for an older version (the
  agent changed the booking meanwhile; the hotel must confirm the change) is kept, marked not
  applied, and changes nothing. An on-request booking (HR-2) confirmed becomes confirmed too;
  it still holds none of our rooms (``changes_checks.holds_rooms``).
- Confirmed (kind cancel): the hotel's cancellation number is kept; the status stays.
- Full house: the booking goes ``full``, the reason is appended to its remarks, its agent gets
  a notice to call the customer with alternatives (``full_house.py``), and, if it held rooms,
  they go back to our allotment in the same transaction (every night locked in night order,
  then one guarded shift, as a cancellation returns them, IN-4/IN-5). The whole booking is
  refused, so every night it holds goes back; these are the event's nights unless the stay
  changed after the hotel was asked. Closing the nights themselves is contracts' part
  (``contracts.restrictions_set``).

Only a live booking (placed, requested, confirmed) takes an answer's effect; a cancelled or
already full one keeps the answer for the record only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import placed
from services.intake.booking.repository import AnyRow
from services.intake.changes.checks import holds_rooms
from services.intake.hotel_answers import repository as outcomes_repository
from services.intake.inventory import rooms as inventory
from services.intake.settings import SCHEMA
from shared import audit
from shared.clock import clock
from shared.events import Envelope
from shared.events.confirmation import BookingConfirmedV1, FullHouseV1
from shared.observability import get_logger

log = get_logger("intake.confirmation_outcomes")

# Bookings the hotel's answer still decides (the others are settled or never reached it).
ANSWERABLE = frozenset({placed.PLACED, placed.REQUESTED, placed.CONFIRMED})


async def on_booking_confirmed(session: AsyncSession, envelope: Envelope) -> None:
    """CF-4: the hotel confirmed a booking, a change of it or its cancellation."""
    event = envelope.parse()
    assert isinstance(event, BookingConfirmedV1)
    booking = await outcomes_repository.lock_booking(
        session, booking_id=event.booking_id, booking_ref=event.booking_ref
    )
    if booking is None:
        log.warning("confirmation_for_unknown_booking", booking_ref=event.booking_ref)
        return
    values = _confirmation_values(booking, event)
    answer = {
        "event_id": envelope.event_id, "booking_id": booking.booking_id, "outcome": "confirmed",
        "kind": event.kind, "booking_version": event.booking_version,
        "confirmation_no": event.hotel_confirmation_no, "answered_by": event.confirmed_by,
        "answered_at": event.confirmed_at, "applied": bool(values), "received_at": clock.now(),
    }  # fmt: skip
    if not await outcomes_repository.insert_answer(session, answer):
        return  # this very answer was applied already
    if not values:
        log.info("confirmation_not_applied", booking_ref=booking.booking_ref, kind=event.kind)
        return
    await outcomes_repository.update_booking(session, booking.booking_id, values)
    await _audit(
        session, booking, actor=event.confirmed_by, action="hotel_confirmed",
        before=_jsonable({k: getattr(booking, k) for k in values}), after=_jsonable(values),
    )  # fmt: skip


def _confirmation_values(booking: AnyRow, event: BookingConfirmedV1) -> dict[str, Any]:
    """What the answer writes on the booking; nothing when it must not overwrite."""
    if event.kind == "cancel":
        kept = booking.hotel_cancelled_at
        if kept is not None and kept >= event.confirmed_at:
            return {}
        return {
            "hotel_cancellation_no": event.hotel_confirmation_no,
            "hotel_cancelled_at": event.confirmed_at,
        }
    if booking.status not in ANSWERABLE or event.booking_version < booking.version:
        return {}  # settled, or the hotel confirmed the stay as it was before a change
    seen = booking.hotel_confirmed_version
    if seen is not None and (seen, booking.hotel_confirmed_at) >= (
        event.booking_version,
        event.confirmed_at,
    ):
        return {}  # a newer (or this same) confirmation is already on the booking
    return {
        "status": placed.CONFIRMED,
        "hotel_confirmation_no": event.hotel_confirmation_no,
        "hotel_confirmed_at": event.confirmed_at,
        "hotel_confirmed_version": event.booking_version,
    }


async def on_full_house(session: AsyncSession, envelope: Envelope) -> None:
    """CF-3: the hotel refused the booking as full; it goes full, its rooms go back."""
    event = envelope.parse()
    assert isinstance(event, FullHouseV1)
    booking = await outcomes_repository.lock_booking(
        session, booking_id=event.booking_id, booking_ref=event.booking_ref
    )
    if booking is None:
        log.warning("full_house_for_unknown_booking", booking_ref=event.booking_ref)
        return
    marked_at = event.marked_at or envelope.occurred_at
    applies = booking.status in ANSWERABLE
    answer = {
        "event_id": envelope.event_id, "booking_id": booking.booking_id, "outcome": "full",
        "reason": event.reason, "answered_by": event.marked_by, "answered_at": marked_at,
        "applied": applies, "received_at": clock.now(),
    }  # fmt: skip
    if not await outcomes_repository.insert_answer(session, answer) or not applies:
        return
    remarks = _with_remark(booking.remarks, event.reason, event.marked_by, marked_at)
    await outcomes_repository.update_booking(
        session, booking.booking_id, {"status": placed.FULL, "remarks": remarks}
    )
    await outcomes_repository.insert_notice(
        session,
        {
            "booking_id": booking.booking_id, "booking_ref": booking.booking_ref,
            "agent_username": booking.agent_username, "reason": event.reason,
            "marked_by": event.marked_by, "marked_at": marked_at,
        },
    )  # fmt: skip
    await _audit(
        session, booking, actor=event.marked_by, action="full_house",
        before={"status": booking.status}, after={"status": placed.FULL, "reason": event.reason},
    )  # fmt: skip
    if holds_rooms(booking):
        await _return_rooms(session, booking)  # last: the nights stay locked only till commit
    log.info("booking_full_house", booking_ref=booking.booking_ref)


def _with_remark(remarks: str, reason: str, marked_by: str, marked_at: datetime) -> str:
    at = clock.local(marked_at).strftime("%Y-%m-%d %H:%M")
    line = f"Full house ({at}, confirmation desk {marked_by}): {reason}"
    return f"{remarks}\n{line}" if remarks else line


async def _return_rooms(session: AsyncSession, booking: AnyRow) -> None:
    """IN-4 lock order: every night of the stay locked in night order, then one guarded shift
    giving ``rooms`` back on each (as a cancellation does). If the books say the booking did
    not hold them, ``move_rooms`` stops rather than guess (the event is retried, then dead)."""
    nights = inventory.stay_nights(booking.check_in, booking.check_out)
    await inventory.move_rooms(session, booking.room_type_id, {n: -booking.rooms for n in nights})


async def _audit(
    session: AsyncSession,
    booking: AnyRow,
    *,
    actor: str,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    await audit.record(
        session,
        schema=SCHEMA,
        actor=f"confirmation:{actor}",  # the desk user who took the hotel's answer
        action=action,
        entity="booking",
        entity_id=booking.booking_ref,
        before=before,
        after=after,
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
