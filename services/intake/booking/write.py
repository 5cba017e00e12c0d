"""The booking's one write (issue 19): ``intake.place_booking`` (migration 0012) in one round
trip: the nights locked in night order and taken under their guard (IN-4), the booking, its
nights, the form used once (IN-1), the ``intake.booking_placed`` event in the outbox and the
audit row - or nothing, naming the night that refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import placed
from services.intake.booking.schemas import BookedNightView, BookingView
from services.intake.inventory import rooms as rooms_moved
from services.intake.lookup.keys import search_names
from services.intake.settings import SCHEMA
from shared.auth import Staff
from shared.booking_refs import new_booking_ref
from shared.errors import Conflict, InvalidInput
from shared.events import envelope_for
from shared.i18n import _

_PLACE = text(
    "SELECT outcome, night, remaining FROM intake.place_booking(CAST(:booking AS jsonb), "
    "CAST(:nights AS date[]), CAST(:net AS bigint[]), CAST(:sell AS bigint[]), "
    "CAST(:take AS boolean), CAST(:form_id AS uuid), CAST(:event AS jsonb), "
    "CAST(:audit AS jsonb))"
)
_EVENT_FIELDS = {"event_id", "name", "version", "payload", "occurred_at"} | {
    "aggregate",
    "aggregate_version",
}
# What the audit row keeps of a new booking (the same as service._announce's slow path).
AUDIT_FIELDS = {"booking_ref", "hotel_id", "rate_plan_id", "check_in", "check_out", "rooms"} | {
    "payment_mode", "total_sell_minor", "currency", "urgent", "status", "confirm_channel",
    "reply_at_once", "handle_seconds", "source",
}  # fmt: skip
_ATTEMPTS = 5  # booking references drawn before giving up (2^40 of them: a clash is rare)


@dataclass(frozen=True, slots=True)
class Written:
    view: BookingView | None  # None: a twin request with the same key placed it first


async def place(
    session: AsyncSession,
    values: dict[str, Any],
    priced: list[BookedNightView],
    *,
    staff: Staff,
    take_rooms: bool,
    form_id: uuid.UUID | None,
) -> Written:
    """Write the booking in one statement, or raise naming what refused it (nothing written)."""
    nights = [p.night for p in priced]
    params = {
        "nights": nights,
        "net": [p.net_minor for p in priced],
        "sell": [p.sell_minor for p in priced],
        "take": take_rooms,
        "form_id": form_id,
    }
    for _attempt in range(_ATTEMPTS):
        values["booking_ref"] = new_booking_ref()
        view = BookingView(**values, nights=priced)
        params |= _documents(values, view, staff)
        rows = (await session.execute(_PLACE, params)).all()
        outcomes = {r.outcome for r in rows}
        if "taken" in outcomes:  # a twin took the rooms first: no refusal, its booking
            return Written(None)
        if "placed" in outcomes:
            return Written(view)
        if "form_used" in outcomes:
            raise InvalidInput(
                _(
                    "This booking form was already used for a booking; open a new one from the "
                    "search."
                ),
                field="form_id",
            )
        if "ref_taken" not in outcomes:
            raise _refusal(rows, values["rooms"])
    raise RuntimeError("could not draw a free booking reference")


def _documents(values: dict[str, Any], view: BookingView, staff: Staff) -> dict[str, str]:
    """The booking row, its event's outbox row and its audit row, as JSON for the function."""
    committed = values["committed_at"]
    payload = placed.placed_event(view, placed_at=committed)
    envelope = envelope_for(
        payload,
        source=SCHEMA,
        occurred_at=committed,
        # The booking keeps its own version (1 when placed): no counter row to bump.
        aggregate_version=payload.own_aggregate_version(),
    )
    names = search_names(values["booker_name"], values["guest_names"])
    audit = {
        "actor": staff.username,
        "action": "place",
        "entity": "booking",
        "entity_id": view.booking_ref,
        "after": view.model_dump(mode="json", include=AUDIT_FIELDS),
    }
    return {
        "booking": json.dumps({**values, "search_names": names}, default=str),
        "event": envelope.model_dump_json(include=_EVENT_FIELDS),
        "audit": json.dumps(audit),
    }


def _refusal(rows: Sequence[Any], rooms: int) -> Conflict:
    """The refusal ``inventory.rooms.move_rooms`` words for the same nights (IN-4)."""
    unreleased: list[date] = [r.night for r in rows if r.outcome == "unreleased"]
    if unreleased:
        return rooms_moved.unreleased_refusal(unreleased)
    short = [(r.night, r.remaining, rooms) for r in rows if r.outcome == "short"]
    return rooms_moved.sold_out_refusal(short)
