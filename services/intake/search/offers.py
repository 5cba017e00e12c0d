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
    database rows (the tests' ``reference_offers``) or the same fields from a judged row
    (``_explained``)."""
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
