"""Moving rooms on the sellable inventory: the one night-locking protocol (IN-4, IN-5).

Every change of a night's sold count goes through :func:`move_rooms`: a booking taking its
rooms, a change or cancellation moving them, a rejected special price (IN-11) or a full
house (CF-3) giving them back. ARCHITECTURE (lock order): the nights are locked in night
order before any is written, so two writers touching the same nights queue instead of
deadlocking (a plain UPDATE locks rows in physical order: measured here deadlocking about
once a second under contention). The guards live in SQL: a night is taken only if it has
the rooms, returned only down to zero; no interleaving of requests can sell a room twice.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.search.offers import plural
from shared.errors import Conflict

_LOCK_NIGHTS = text(
    """
    SELECT night, allotment, sold, remaining FROM intake.inventory_night
    WHERE room_type_id = :room_type_id AND night = ANY(CAST(:nights AS date[]))
    ORDER BY night
    FOR UPDATE
    """
)
# One statement moves every night by its delta (positive takes rooms, negative returns
# them); a night failing its guard is simply not updated and not returned.
_SHIFT_ROOMS = text(
    """
    UPDATE intake.inventory_night AS inv
    SET sold = inv.sold + d.delta, updated_at = now()
    FROM unnest(CAST(:nights AS date[]), CAST(:deltas AS integer[])) AS d(night, delta)
    WHERE inv.room_type_id = :room_type_id AND inv.night = d.night
      AND inv.allotment - inv.sold >= d.delta
      AND inv.sold + d.delta >= 0
    RETURNING inv.night
    """
)


def stay_nights(check_in: date, check_out: date) -> list[date]:
    """The nights of a stay: check-in up to, not including, check-out."""
    return [check_in + timedelta(days=n) for n in range((check_out - check_in).days)]


async def move_rooms(
    session: AsyncSession,
    room_type_id: uuid.UUID,
    deltas: dict[date, int],
    *,
    asked: str = "asked",
) -> None:
    """Lock the nights in night order, then shift each by its delta under the guards.

    Raises ``Conflict`` when a night to take from is not released or has too few rooms left
    (read under the lock: what the guard saw); ``RuntimeError`` when rooms to give back were
    never sold, because then the books disagree and guessing would be worse than stopping
    (the transaction rolls back). ``asked`` words the refusal: a change asks "more".
    """
    ordered = sorted(deltas)
    params: dict[str, Any] = {"room_type_id": room_type_id, "nights": ordered}
    locked = {row.night: row for row in await session.execute(_LOCK_NIGHTS, params)}
    if missing := [n for n in ordered if deltas[n] > 0 and n not in locked]:
        raise unreleased_refusal(missing)
    params["deltas"] = [deltas[night] for night in ordered]
    moved = {row.night for row in await session.execute(_SHIFT_ROOMS, params)}
    if failed := [n for n in ordered if n not in moved]:
        short = [n for n in failed if deltas[n] > 0 and n in locked]
        if not short:
            raise RuntimeError(f"cannot return rooms on {failed}: fewer sold than held")
        raise sold_out_refusal([(n, locked[n].remaining, deltas[n]) for n in short], asked)


def unreleased_refusal(nights: list[date]) -> Conflict:
    """The refusal for nights the hotel released no rooms on (the booking write's too)."""
    return Conflict(f"No rooms released for {', '.join(map(str, nights))}.")


def sold_out_refusal(short: list[tuple[date, int, int]], asked: str = "asked") -> Conflict:
    """The refusal naming each (night, rooms left, rooms asked) that was short."""
    return Conflict(
        "; ".join(
            f"Sold out on {night}: {plural(remaining, 'room')} left, {wanted} {asked}"
            for night, remaining, wanted in short
        )
    )
