"""Tasks for booking modifications and cancellations (CF-1, IN-5, CF-8).

"Every new booking, modification and cancellation becomes a confirmation task": each change
intake announces is queued as its own task (kind ``modify`` or ``cancel``, one per booking
version), carrying the booking as it stands after the change, what changed and why, so the
desk reads the remarks before sending it to the hotel (CF-8).

Deadline (CF-2), judged from the moment of the change on the booking's check-in: for a
modification that moves the stay, the earlier of the old and the new check-in, because the
hotel holds the room for the old date until it hears otherwise; for a cancellation, the
cancelled check-in. Changes have no "reply at once" flag of their own.

Events may arrive in any order (workers run jobs concurrently): each task stands alone, so a
cancellation handled before its booking's "new" task still queues correctly.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import nothing_to_send, repository
from services.confirmation.models import ConfirmationTask
from services.confirmation.service import confirm_deadline, insert_and_announce
from shared.clock import clock
from shared.events import Envelope
from shared.events.intake import BookingCancelledV1, BookingModifiedV1
from shared.i18n import N_, both
from shared.observability import get_logger

log = get_logger("confirmation.changes")

KIND_TITLES = {"new": "new booking", "modify": "modification", "cancel": "cancellation"}
_LABELS = {
    "check_in": "check-in",
    "check_out": "check-out",
    "rooms": "rooms",
    "guest_names": "guests",
    "special_requests": "special requests",
    "arrival_time": "arrival time",
}
_CATEGORIES = {
    "guest_request": N_("Guest request"),
    "hotel_request": N_("Hotel request"),
    "agent_error": N_("Agent error"),
    "other": N_("Other"),
}
_COPIED = (
    "booking_id", "booking_ref", "booking_version", "hotel_id", "hotel_name", "room_type_name",
    "rate_plan_name", "check_in", "check_out", "rooms", "guest_names", "payment_mode",
    "confirm_channel", "special_requests", "urgent",
)  # fmt: skip


def summary(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What changed, in one line: "check-out 2026-12-05 → 2026-12-04; rooms 2 → 1"."""
    parts = []
    for key, label in _LABELS.items():
        if key in before or key in after:
            parts.append(f"{label} {_shown(before.get(key))} → {_shown(after.get(key))}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "(none)"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _reason(category: str, reason: str) -> str:
    return f"{_CATEGORIES.get(category, category)}: {reason}"


def reason_for_hotel(task: ConfirmationTask) -> str:
    """The change's reason on the order sheet, its category in Chinese and English."""
    category = str(task.snapshot.get("reason_category", ""))
    label = _CATEGORIES.get(category)
    shown = both(label, "confirmation") if label else category
    return f"{shown}: {task.snapshot.get('reason', '')}"


def _deadline(changed_at: datetime, check_in: date) -> datetime:
    return confirm_deadline(
        booked_at=changed_at, check_in=check_in, reply_at_once=False, clock=clock
    )


def modify_task(event: BookingModifiedV1) -> dict[str, Any]:
    old_check_in = date.fromisoformat(event.before.get("check_in", event.check_in.isoformat()))
    return {
        **{field: getattr(event, field) for field in _COPIED},
        "kind": "modify",
        "booked_at": event.modified_at,
        "deadline_at": _deadline(event.modified_at, min(old_check_in, event.check_in)),
        "change_summary": summary(event.before, event.after),
        "change_reason": _reason(event.reason_category, event.reason),
        "state": "unsent",
        "snapshot": event.model_dump(mode="json"),
        "room_type_id": event.room_type_id,
        "change_before": event.before,
        "change_after": event.after,
    }


def cancel_task(event: BookingCancelledV1) -> dict[str, Any]:
    return {
        **{field: getattr(event, field) for field in _COPIED},
        "kind": "cancel",
        "booked_at": event.cancelled_at,
        "deadline_at": _deadline(event.cancelled_at, event.check_in),
        "change_summary": f"cancel the whole stay {event.check_in} → {event.check_out}",
        "change_reason": _reason(event.reason_category, event.reason),
        "state": "unsent",
        "snapshot": event.model_dump(mode="json"),
        "room_type_id": event.room_type_id,
    }


async def on_booking_modified(session: AsyncSession, envelope: Envelope) -> None:
    """A modification becomes a task for the desk (CF-1, CF-2)."""
    event = envelope.parse()
    assert isinstance(event, BookingModifiedV1)
    if not await insert_and_announce(session, modify_task(event)):
        log.info("confirmation_task_exists", booking_ref=event.booking_ref, kind="modify")


async def on_booking_cancelled(session: AsyncSession, envelope: Envelope) -> None:
    """A cancellation becomes a task for the desk (CF-1, CF-2); cancelled before anything
    was sent, the booking's tasks close with nothing to send instead (``nothing_to_send``)."""
    event = envelope.parse()
    assert isinstance(event, BookingCancelledV1)
    await nothing_to_send.lock_booking(session, event.booking_id)
    if await nothing_to_send.close_unsent(session, event.booking_id, clock.now()):
        closed = nothing_to_send.closed_values(cancel_task(event))
        if await repository.insert_task(session, closed) is None:
            log.info("confirmation_task_exists", booking_ref=event.booking_ref, kind="cancel")
        return
    if not await insert_and_announce(session, cancel_task(event)):
        log.info("confirmation_task_exists", booking_ref=event.booking_ref, kind="cancel")
