"""Sales restrictions per room type and night (IN-2), copied from contracts' events, and the
rules a stay must pass to be sold.

How each restriction is read (a night is named by its date; a stay's nights are check-in up
to the night before check-out):

- stop-sell, room status full: no night of the stay may have them;
- room status on request (HR-2): sellable, but as a request: the booking takes no allotment
  and waits for the hotel's answer through the confirmation desk (``on_request_nights``);
- minimum stay: "min stay through" - the stay must be at least the largest minimum of any of
  its nights, so a 3-night minimum on a festival Saturday cannot be dodged by arriving Friday;
- release days: a night goes back to the hotel N days before it, so each night of the stay
  must be at least its release days ahead of today (for the arrival night this is "N days
  before arrival");
- closed to arrival: read on the check-in night's row;
- closed to departure: read on the row of the check-out date (the first night after the stay),
  when that row exists; a check-out date with no row is open.

The checks are plain reads, like the search's counts: a restriction arriving while a booking
is being placed may miss that one booking. Rooms themselves are still guarded in SQL (IN-4).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.inventory.models import night_restriction
from shared.errors import RuleViolated
from shared.events import Envelope
from shared.events.contracts import RestrictionsSetV1
from shared.events.ordering import is_newer_sql, source_version
from shared.observability import get_logger

log = get_logger("intake.restrictions")


class NightRestriction(NamedTuple):
    """A night's restrictions as ``problems`` reads them, from a query's arrays (the booking's
    one read, the search's priced offers) rather than a ``night_restriction`` row."""

    release_days: int
    min_stay: int
    closed_to_arrival: bool
    closed_to_departure: bool
    stop_sell: bool
    room_status: str


RULE = "IN-2"


# Like the allotment upsert (projection.py): sorted nights, one statement, and an older event
# never overwrites a newer one: the hotel's event version decides, never a clock (issue 12).
_UPSERT = text(
    f"""
    INSERT INTO intake.night_restriction AS nr (room_type_id, night, hotel_id, release_days,
        min_stay, closed_to_arrival, closed_to_departure, stop_sell, room_status, occurred_at,
        source_version, updated_at)
    SELECT :room_type_id, r.night, :hotel_id, r.release_days, r.min_stay, r.cta, r.ctd,
        r.stop_sell, r.room_status, :occurred_at, :source_version, now()
    FROM unnest(CAST(:nights AS date[]), CAST(:release_days AS integer[]),
        CAST(:min_stay AS integer[]), CAST(:cta AS boolean[]), CAST(:ctd AS boolean[]),
        CAST(:stop_sell AS boolean[]), CAST(:room_status AS text[]))
        AS r(night, release_days, min_stay, cta, ctd, stop_sell, room_status)
    ORDER BY r.night
    ON CONFLICT (room_type_id, night) DO UPDATE
    SET hotel_id = EXCLUDED.hotel_id,
        release_days = EXCLUDED.release_days,
        min_stay = EXCLUDED.min_stay,
        closed_to_arrival = EXCLUDED.closed_to_arrival,
        closed_to_departure = EXCLUDED.closed_to_departure,
        stop_sell = EXCLUDED.stop_sell,
        room_status = EXCLUDED.room_status,
        occurred_at = EXCLUDED.occurred_at,
        source_version = EXCLUDED.source_version,
        updated_at = now()
    WHERE {is_newer_sql("EXCLUDED.source_version", "nr.source_version")}
    RETURNING nr.night
    """
)


async def on_restrictions_set(session: AsyncSession, envelope: Envelope) -> None:
    """Replace the restrictions of each night named in the event (absolute values)."""
    event = envelope.parse()
    assert isinstance(event, RestrictionsSetV1)
    ordered = sorted({n.night: n for n in event.nights}.values(), key=lambda n: n.night)
    applied = await session.execute(
        _UPSERT,
        {
            "room_type_id": event.room_type_id,
            "hotel_id": event.hotel_id,
            "occurred_at": envelope.occurred_at,
            "source_version": source_version(envelope),
            "nights": [n.night for n in ordered],
            "release_days": [n.release_days for n in ordered],
            "min_stay": [n.min_stay for n in ordered],
            "cta": [n.closed_to_arrival for n in ordered],
            "ctd": [n.closed_to_departure for n in ordered],
            "stop_sell": [n.stop_sell for n in ordered],
            "room_status": [n.room_status for n in ordered],
        },
    )
    if (skipped := len(ordered) - len(applied.all())) > 0:
        log.info("restriction_nights_stale", skipped=skipped)


async def by_night(
    session: AsyncSession, room_type_ids: list[uuid.UUID], check_in: date, check_out: date
) -> dict[tuple[uuid.UUID, date], Any]:
    """Rows from check-in to the check-out date inclusive (CTD is read on the latter)."""
    query = select(night_restriction).where(
        night_restriction.c.room_type_id.in_(room_type_ids),
        night_restriction.c.night.between(check_in, check_out),
    )
    return {(r.room_type_id, r.night): r for r in await session.execute(query)}


def problems(rows: Mapping[date, Any], nights: list[date], today: date) -> list[str]:
    """What stops this stay being sold, as short phrases ("minimum stay is 3 nights")."""
    found: list[str] = []
    check_in, check_out = nights[0], nights[-1] + timedelta(days=1)
    stay = [(night, rows[night]) for night in nights if night in rows]
    min_stay = max((row.min_stay for _, row in stay), default=1)
    if len(nights) < min_stay:
        found.append(f"minimum stay is {min_stay} nights")
    for night, row in stay:
        if (night - today).days < row.release_days:
            found.append(f"release: {night} can't be sold fewer than {row.release_days} days ahead")
        if row.stop_sell:
            found.append(f"stop-sell on {night}")
        if row.room_status == "full":
            found.append(f"hotel reports full on {night}")
    if check_in in rows and rows[check_in].closed_to_arrival:
        found.append(f"closed to arrival on {check_in}")
    if check_out in rows and rows[check_out].closed_to_departure:
        found.append(f"closed to departure on {check_out}")
    return found


def on_request_nights(rows: Mapping[date, Any], nights: list[date]) -> list[date]:
    """The stay's nights the hotel sells only on request (HR-2). If any night is, the whole
    stay is asked of the hotel and none of it takes allotment: a guest wants one answer for
    the stay, not some nights held and others pending."""
    return [n for n in nights if n in rows and rows[n].room_status == "on_request"]


def sentence(phrases: list[str]) -> str:
    """Phrases joined, first letter upper-cased (``str.capitalize`` would lower the rest)."""
    joined = "; ".join(phrases)
    return joined[:1].upper() + joined[1:]


def ensure_sellable(rows: dict[date, Any], nights: list[date], today: date) -> list[date]:
    """Refuse a booking that breaks a restriction, naming it (IN-2), on the nights' rows
    already read (``by_night``, or the booking's one read). Returns the nights on request
    (HR-2): when there are any, the booking is a request."""
    if found := problems(rows, nights, today):
        raise RuleViolated(sentence(found), rule=RULE)
    return on_request_nights(rows, nights)
