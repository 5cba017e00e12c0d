"""The search's offers as they were priced before issue 19: night by night in Python over plain
reads, with the rules as written (``offers._offer``). What ``offers.price_offers``'s SQL
judgement and reasons are tested against (``test_offers_sql.py``)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import Offer
from services.intake.inventory import contracted
from services.intake.search.offers import _offer

_NIGHTLY = text(
    """
    SELECT p.rate_plan_id, p.room_type_id, d.night,
        i.allotment - i.sold AS remaining, r.net_minor, r.sell_minor, r.currency,
        x.release_days, x.min_stay, x.closed_to_arrival, x.closed_to_departure, x.stop_sell,
        x.room_status
    FROM unnest(CAST(:rate_plan_ids AS uuid[]), CAST(:room_type_ids AS uuid[]))
        AS p(rate_plan_id, room_type_id)
    CROSS JOIN unnest(CAST(:nights AS date[])) AS d(night)
    LEFT JOIN intake.inventory_night i
        ON i.room_type_id = p.room_type_id AND i.night = d.night AND d.night < :check_out
    LEFT JOIN intake.rate_night r
        ON r.rate_plan_id = p.rate_plan_id AND r.night = d.night AND d.night < :check_out
    LEFT JOIN intake.night_restriction x ON x.room_type_id = p.room_type_id AND x.night = d.night
    """
)


async def _nightly(session: AsyncSession, plans: list[AnyRow], nights: list[date]) -> list[AnyRow]:
    # An array of the nights, not generate_series: PostgreSQL counts an array's elements when
    # planning but guesses 1,000 rows for a series, and then chose to scan every inventory and
    # price row in the country (2 s instead of 2 ms).
    check_out = nights[-1] + timedelta(days=1)
    params = {
        "rate_plan_ids": [p.rate_plan_id for p in plans],
        "room_type_ids": [p.room_type_id for p in plans],
        "nights": [*nights, check_out],
        "check_out": check_out,
    }
    return list(await session.execute(_NIGHTLY, params))


async def reference_offers(
    session: AsyncSession, plans: list[AnyRow], nights: list[date], rooms: int
) -> list[Offer]:
    """One offer per plan, judged night by night."""
    if not plans:
        return []
    remaining: dict[tuple[uuid.UUID, date], int] = {}
    prices: dict[tuple[uuid.UUID, date], AnyRow] = {}
    # By room type, then night: a search prices hundreds of plans, and scanning every
    # restriction row for each of them was quadratic (bench/search.py).
    restricted: dict[uuid.UUID, dict[date, AnyRow]] = {}
    for row in await _nightly(session, plans, nights):
        if row.remaining is not None:
            remaining[(row.room_type_id, row.night)] = row.remaining
        if row.sell_minor is not None:
            prices[(row.rate_plan_id, row.night)] = row
        if row.room_status is not None:
            restricted.setdefault(row.room_type_id, {})[row.night] = row
    signed = await contracted.contracted_ranges(session, list({p.hotel_id for p in plans}))
    return [
        _offer(
            plan,
            nights,
            rooms,
            remaining,
            prices,
            restricted.get(plan.room_type_id, {}),
            signed.get(plan.hotel_id, []),
        )
        for plan in plans
    ]
