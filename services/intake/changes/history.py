"""The record of a booking change (IN-5): its history row, the audit row and the event, all
written in the change's own transaction, and the history read back as a timeline.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.placed import STATUS_TITLES
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import BookedNightView
from services.intake.bounds import checked_page
from services.intake.changes import repository as changes_repository
from services.intake.changes.schemas import REASON_CATEGORIES, ChangePage, ChangeReason, ChangeView
from services.intake.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.events.intake import (
    BookedNight,
    BookingCancelledV1,
    BookingFields,
    BookingModifiedV1,
)
from shared.events.outbox import publish
from shared.i18n import N_, _, local_money

_LABELS = {
    "status": N_("Status"),
    "check_in": N_("Check-in"),
    "check_out": N_("Check-out"),
    "rooms": N_("Rooms"),
    "guest_names": N_("Guests"),
    "special_requests": N_("Special requests"),
    "arrival_time": N_("Arrival time"),
    "total_sell_minor": N_("Total"),
}
# Booking fields both change events carry, copied from the booking row after the change.
# The booking's own fields as the row holds them; who changed it is the change's author.
_EVENT_FIELDS = tuple(name for name in BookingFields.model_fields if name != "agent_username")


def jsonable(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def night_list(nights: list[BookedNightView]) -> list[dict[str, Any]]:
    return [n.model_dump(mode="json") for n in nights]


async def record(
    session: AsyncSession,
    *,
    staff: Staff,
    booking: AnyRow,
    kind: str,
    reason: ChangeReason,
    before: dict[str, Any],
    after: dict[str, Any],
    changed_at: datetime,
) -> ChangeView:
    """The history row and the audit row of a change (``booking`` is the row after it)."""
    values = {
        "change_id": uuid.uuid4(),
        "booking_id": booking.booking_id,
        "booking_version": booking.version,
        "kind": kind,
        "reason": reason.reason,
        "reason_category": reason.reason_category,
        "changed_by": staff.username,
        "changed_at": changed_at,
        "before": before,
        "after": after,
    }
    await changes_repository.insert_change(session, values)
    why = {"reason": reason.reason, "reason_category": reason.reason_category}
    await audit.record(
        session,
        schema=SCHEMA,
        actor=staff,
        action=kind,
        entity="booking",
        entity_id=booking.booking_ref,
        before=before,
        after={**after, **why, "version": booking.version},
    )
    return view(values, booking.currency)


async def announce_modified(
    session: AsyncSession,
    *,
    booking: AnyRow,
    change: ChangeView,
    nights: list[BookedNightView],
) -> None:
    """``intake.booking_modified``, in the change's transaction."""
    payload = BookingModifiedV1(
        **_event_fields(booking, change, nights),
        status=booking.status,
        arrival_time=booking.arrival_time,
        changed=[key for key in change.after if key in _LABELS],
        before=change.before,
        after=change.after,
        modified_at=change.changed_at,
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=change.changed_at)


async def announce_cancelled(
    session: AsyncSession,
    *,
    booking: AnyRow,
    change: ChangeView,
    nights: list[BookedNightView],
) -> None:
    """``intake.booking_cancelled``, in the change's transaction."""
    payload = BookingCancelledV1(
        **_event_fields(booking, change, nights), cancelled_at=change.changed_at
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=change.changed_at)


def _event_fields(
    booking: AnyRow, change: ChangeView, nights: list[BookedNightView]
) -> dict[str, Any]:
    return {
        **{field: getattr(booking, field) for field in _EVENT_FIELDS},
        "guest_names": list(booking.guest_names),
        "booking_version": booking.version,
        "change_id": change.change_id,
        "nights": [BookedNight(**n.model_dump()) for n in nights],
        "reason": change.reason,
        "reason_category": change.reason_category,
        "agent_username": change.changed_by,
    }


async def history(
    session: AsyncSession, *, booking: Any, page: int = 1, page_size: int = 20
) -> ChangePage:
    """The booking's changes, newest first (IN-5)."""
    rows, total = await changes_repository.list_changes(
        session, booking.booking_id, page=checked_page(page), page_size=page_size
    )
    return ChangePage(
        items=[view(row._asdict(), booking.currency) for row in rows],
        total=total,
        page=page,
        page_size=page_size,
    )


def view(values: dict[str, Any], currency: str) -> ChangeView:
    return ChangeView(**values, lines=describe(values["before"], values["after"], currency))


def describe(before: dict[str, Any], after: dict[str, Any], currency: str) -> list[str]:
    """A change as lines a person reads: "Check-out: 2026-12-05 → 2026-12-04"."""
    lines = [
        _("%(field)s: %(before)s → %(after)s")
        % {
            "field": _(label),
            "before": _shown(key, before.get(key), currency),
            "after": _shown(key, after.get(key), currency),
        }
        for key, label in _LABELS.items()
        if key in before or key in after
    ]
    if added := after.get("new_nights"):
        priced = ", ".join(
            _("%(night)s at %(price)s")
            % {"night": n["night"], "price": local_money(int(n["sell_minor"]), currency)}
            for n in added
        )
        lines.append(_("New nights at the current price: %(nights)s") % {"nights": priced})
    if released := before.get("released_nights"):
        nights = ", ".join(n["night"] for n in released)
        lines.append(_("Nights released: %(nights)s") % {"nights": nights})
    return lines


def _shown(key: str, value: Any, currency: str) -> str:
    if value is None or value == "" or value == []:
        return _("(none)")
    if key == "total_sell_minor":
        return local_money(int(value), currency)
    if key == "guest_names":
        return ", ".join(value)
    if key == "status":
        title = STATUS_TITLES.get(str(value))
        return _(title) if title else str(value).replace("_", " ")
    return str(value)


def reason_label(category: str) -> str:
    title = REASON_CATEGORIES.get(category)
    return _(title) if title else category
