"""Rate plans priced and counted over a stay (IN-2): what the search, the alternatives (IN-3)
and the booking form show, and whether each can be sold.

An offer cannot be sold when a night has too few rooms or no price, a restriction forbids the
stay (``restrictions.py``, IN-2), or no signed contract covers a night (``contracted.py``,
HR-3). These are plain reads for display; booking checks again, and takes rooms under lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import NightOffer, Offer
from services.intake.inventory import contracted, restrictions
from services.intake.inventory.restrictions import NightRestriction
from services.intake.search import sellable
from services.intake.search.sellable import PLAN_FIELDS
from shared.clock import clock
from shared.i18n import _


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# Every night of the stay for every plan, with the room type's rooms left and restrictions
# (read up to the check-out date: closed to departure is read there, restrictions.py) and the
# plan's price, in one statement: a search prices a page of plans and then its alternatives'
# (IN-3), and three statements for each of those was most of its round trips (bench/search.py).
# The same reads as repository.remaining_by_night / prices_by_night and restrictions.by_night.
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
    """Night by night in Python: the rules as written (``_offer``) over plain reads, as the
    search priced offers before issue 19. What ``price_offers``'s SQL judgement and reasons
    is tested against (tests/services/intake/test_offers_sql.py)."""
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


async def price_offers(
    session: AsyncSession, plans: list[AnyRow], nights: list[date], rooms: int
) -> list[Offer]:
    """One offer per plan row (``repository.OFFER_COLUMNS``), in the order given.

    SQL judges and prices every plan in one row each, in one round trip (``sellable.py``);
    only the plans that cannot sell go through the night-by-night rules, for the reason the
    agent reads, from the nights that row carries."""
    if not plans:
        return []
    judged = await sellable.judge(session, plans, nights, rooms)
    return [
        sellable.offer(plan, row, nights, rooms)
        if row.can_sell
        else _explained(plan, row, nights, rooms)
        for plan, row in zip(plans, judged, strict=True)
    ]


@dataclass(frozen=True)
class _Price:
    sell_minor: int
    currency: str


def _explained(plan: AnyRow, row: AnyRow, nights: list[date], rooms: int) -> Offer:
    """``_offer`` fed from one judged row's arrays (the stay's nights, then the check-out date
    for restrictions) instead of the night-by-night reads."""
    remaining = {
        (plan.room_type_id, night): left
        for night, left in zip(nights, row.lefts, strict=True)
        if left is not None
    }
    prices = {
        (plan.rate_plan_id, night): _Price(sell, currency)
        for night, sell, currency in zip(nights, row.sells, row.currencies, strict=True)
        if sell is not None
    }
    columns = zip(
        [*nights, nights[-1] + timedelta(days=1)],
        row.restricted,
        row.release_days,
        row.min_stay,
        row.closed_to_arrival,
        row.closed_to_departure,
        row.stop_sell,
        row.room_status,
        strict=True,
    )
    restricted = {night: NightRestriction(*fields) for night, on, *fields in columns if on}
    # One-night ranges for the contracted nights: what contracted.uncovered reads.
    signed = [(night, night) for night, ok in zip(nights, row.signed, strict=True) if ok]
    return _offer(plan, nights, rooms, remaining, prices, restricted, signed)


def _offer(
    plan: AnyRow,
    nights: list[date],
    rooms: int,
    remaining: dict[tuple[uuid.UUID, date], int],
    prices: Mapping[tuple[uuid.UUID, date], Any],
    rows: Mapping[date, Any],
    signed: list[tuple[date, date]],
) -> Offer:
    """``rows``: this plan's room type's restrictions by night. ``prices`` and ``rows`` hold
    database rows (``reference_offers``) or the same fields from a judged row (``_explained``)."""
    per_night: list[NightOffer] = []
    problems: list[str] = []
    currency = None
    if missing := contracted.uncovered(signed, nights):
        problems.append(f"{contracted.phrase(missing)} ({contracted.RULE})")
    asked = restrictions.on_request_nights(rows, nights)  # HR-2: booked as a request
    for night in nights:
        left = remaining.get((plan.room_type_id, night))
        price = prices.get((plan.rate_plan_id, night))
        per_night.append(
            NightOffer(night=night, sell_minor=price.sell_minor if price else None, remaining=left)
        )
        if night in asked:
            pass  # no allotment needed: the booking asks the hotel and takes none
        elif left is None:
            problems.append(_("no rooms released for %(night)s") % {"night": night})
        elif left < rooms:
            problems.append(
                # Not ngettext: workers.messages --check cannot see a plural's Chinese yet.
                (
                    _("full on %(night)s (%(num)s room left)")
                    if left == 1
                    else _("full on %(night)s (%(num)s rooms left)")
                )
                % {"night": night, "num": left}
            )
        if price is None:
            problems.append(_("no price for %(night)s") % {"night": night})
        else:
            currency = price.currency
    problems += restrictions.problems(rows, nights, clock.today())  # IN-2
    priced = [n.sell_minor for n in per_night if n.sell_minor is not None]
    return Offer(
        **{k: getattr(plan, k) for k in PLAN_FIELDS},
        currency=currency or plan.currency,
        nights=per_night,
        total_sell_minor=sum(priced) * rooms if len(priced) == len(nights) else None,
        min_remaining=min((n.remaining or 0) for n in per_night),
        can_sell=not problems,
        reason=restrictions.sentence(problems),
        on_request=bool(asked),
    )
