"""Sales restrictions per room type and night (HR-2 room status, IN-2), kept by hotel resources.

Besides the rooms held for us (``night_allotment``), each night of a room type may carry:

- ``release_days``: the night goes back to the hotel N days before it (cut-off); 0 = none;
- ``min_stay``: a stay that includes the night must be at least this many nights;
- ``closed_to_arrival`` / ``closed_to_departure``: no check-in / check-out on that date;
- ``stop_sell``: not sold at all; ``room_status``: the hotel's own available / on request /
  full (CF-3: the confirmation desk sets full when a hotel refuses a booking).

A night without a row has the defaults (no release, 1 night, open, available). A bulk edit sets
only the fields given and keeps the others; each change is audited (before and after) and
announced as ``contracts.restrictions_set`` with every field of every touched night, in the
same transaction, so intake's copy replaces nights whole. Functions never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.grid import version as grid
from services.contracts.grid.models import night_restriction
from services.contracts.hotels.schemas import BulkRange
from services.contracts.models import RoomType
from services.contracts.settings import SCHEMA
from shared import audit
from shared.auth import Staff
from shared.clock import clock
from shared.errors import InvalidInput, NotFound
from shared.events import Envelope
from shared.events.confirmation import FullHouseV1
from shared.events.contracts import NightRestriction, RestrictionsSetV1
from shared.events.outbox import publish
from shared.i18n import _
from shared.limits import Uuid
from shared.observability import get_logger

log = get_logger("contracts.restrictions")

RoomStatus = Literal["available", "on_request", "full"]
ROOM_STATUSES: tuple[str, ...] = ("available", "on_request", "full")
FIELDS = (
    "release_days",
    "min_stay",
    "closed_to_arrival",
    "closed_to_departure",
    "stop_sell",
    "room_status",
)
DEFAULTS: dict[str, Any] = {name: NightRestriction.model_fields[name].default for name in FIELDS}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RestrictionsIn(BulkRange):
    """A bulk edit: the fields given are set on the chosen weekdays of an inclusive range."""

    model_config = ConfigDict(extra="forbid")

    room_type_id: Uuid
    release_days: int | None = Field(None, ge=0, le=365)
    min_stay: int | None = Field(None, ge=1, le=30)
    closed_to_arrival: bool | None = None
    closed_to_departure: bool | None = None
    stop_sell: bool | None = None
    room_status: RoomStatus | None = None

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS if getattr(self, name) is not None}


async def _room_type(
    session: AsyncSession, room_type_id: uuid.UUID, hotel_id: uuid.UUID | None
) -> RoomType:
    room_type = await session.get(RoomType, room_type_id)
    if room_type is None or (hotel_id is not None and room_type.hotel_id != hotel_id):
        raise NotFound(
            _("No room type %(id)s at this hotel.") % {"id": room_type_id}, field="room_type_id"
        )
    return room_type


async def restrictions_of(
    session: AsyncSession, room_type_ids: Iterable[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], dict[str, Any]]:
    """The rows set in the range, by (room type, night); missing nights have ``DEFAULTS``."""
    rows = await session.execute(
        select(night_restriction).where(
            night_restriction.c.room_type_id.in_(list(room_type_ids)),
            night_restriction.c.night.between(first, last),
        )
    )
    return {
        (row.room_type_id, row.night): {name: getattr(row, name) for name in FIELDS} for row in rows
    }


async def _apply(
    session: AsyncSession,
    *,
    actor: Staff | str,
    room_type: RoomType,
    nights: list[date],
    changes: dict[str, Any],
    action: str,
    note: dict[str, Any],
    seen_grid: int | None = None,
) -> int:
    """Set ``changes`` on ``nights`` (sorted, non-empty), keeping other fields; audit; announce."""
    await grid.touch(session, hotel_id=room_type.hotel_id, actor=actor, seen=seen_grid)
    current = await restrictions_of(session, [room_type.room_type_id], nights[0], nights[-1])
    key = room_type.room_type_id
    before = {n.isoformat(): current[(key, n)] for n in nights if (key, n) in current}
    after = [
        NightRestriction(night=n, **{**DEFAULTS, **current.get((key, n), {}), **changes})
        for n in nights
    ]
    statement = insert(night_restriction).values(
        [{"room_type_id": room_type.room_type_id, **n.model_dump()} for n in after]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["room_type_id", "night"],
            set_={name: statement.excluded[name] for name in FIELDS},
        )
    )
    await audit.record(
        session,
        schema=SCHEMA,
        actor=actor,
        action=action,
        entity="room_type",
        entity_id=room_type.room_type_id,
        before={"restrictions_by_night": before},
        after={**note, "set": changes, "nights": [n.isoformat() for n in nights]},
    )
    # One event for the whole edit: at most 400 nights, well within one message.
    payload = RestrictionsSetV1(
        hotel_id=room_type.hotel_id, room_type_id=room_type.room_type_id, nights=after
    )
    await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())
    return len(nights)


async def set_restrictions(
    session: AsyncSession,
    *,
    actor: Staff | str,
    data: RestrictionsIn,
    hotel_id: uuid.UUID | None = None,
) -> int:
    """Bulk edit over a range and chosen weekdays; returns the number of nights set.

    With ``hotel_id`` the room type must be that hotel's (the hotel's calendar page)."""
    room_type = await _room_type(session, data.room_type_id, hotel_id)
    changes = data.changes()
    if not changes:
        raise InvalidInput(_("Choose at least one restriction to set."), field="room_status")
    nights = data.nights()
    if not nights:
        raise InvalidInput(_("None of the chosen weekdays falls in the range."), field="weekdays")
    note = {
        "first_night": data.first_night.isoformat(),
        "last_night": data.last_night.isoformat(),
        "weekdays": sorted(data.weekdays),
    }
    return await _apply(
        session,
        actor=actor,
        room_type=room_type,
        nights=nights,
        changes=changes,
        action="set_restrictions",
        note=note,
        seen_grid=data.grid_version,
    )


async def set_room_status_full(
    session: AsyncSession,
    *,
    actor: Staff | str,
    room_type_id: uuid.UUID,
    nights: Iterable[date],
    reason: str,
) -> int:
    """CF-3 full house: the hotel refused a booking, so its room status on those nights is set
    to full at once (and published to the booking desk), with the reason in the audit trail.

    Nights already past are skipped (they can no longer be sold); returns the nights set."""
    room_type = await _room_type(session, room_type_id, None)
    if not reason.strip():
        raise InvalidInput("Give the reason the hotel is full.", field="reason")  # CF-3
    upcoming = sorted({n for n in nights if n >= clock.today()})
    if not upcoming:
        return 0
    return await _apply(
        session,
        actor=actor,
        room_type=room_type,
        nights=upcoming,
        changes={"room_status": "full"},
        action="set_room_status_full",
        note={"reason": reason.strip()},
    )


async def on_full_house(session: AsyncSession, envelope: Envelope) -> None:
    """CF-3 from the confirmation desk: the hotel is full on the booking's nights, so stop
    selling them now. The desk user who took the hotel's answer is the actor on the audit."""
    event = envelope.parse()
    assert isinstance(event, FullHouseV1)
    if await session.get(RoomType, event.room_type_id) is None:
        # Not one of ours (a test hotel removed since?): nothing to stop; redelivery won't help.
        log.warning("full_house_unknown_room_type", room_type_id=str(event.room_type_id))
        return
    await set_room_status_full(
        session,
        actor=f"confirmation:{event.marked_by}",
        room_type_id=event.room_type_id,
        nights=event.nights,
        reason=f"{event.reason} (booking {event.booking_ref})",
    )
