"""The agents' search (IN-2) and nearby alternatives (IN-3), over intake's own projection.

A search pages through the city's plans in SQL (``search_repository.py``) and prices only the
page's hotels (``offers.py``: rooms, per-night sell prices, restrictions, signed contract).
Recommended hotels rank first (HR-6), each hotel shows its conditions (HR-8), and every hotel
on the page that cannot sell the stay gets up to five of the same grade nearby that can
(``alternatives.py``). Reads only: nothing here writes, so nothing is audited or published.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import Offer
from services.intake.booking.service import stay_nights
from services.intake.search import alternatives, cities, offers
from services.intake.search import repository as search_repository
from services.intake.search.schemas import District, HotelAlternatives, SearchFilters, SearchPage
from shared.errors import InvalidInput
from shared.i18n import N_, _

STOP_SELL = N_("On stop-sell: the hotel is not on sale")
NOTHING_ON_SALE = N_("No room type on sale")


def checked_nights(filters: SearchFilters) -> list[date]:
    """The stay's nights once the filters agree with each other; else 422 naming the field."""
    if not filters.city:
        raise InvalidInput(_("Enter a city."), field="city")
    nights = stay_nights(
        check_in=filters.check_in, check_out=filters.check_out, rooms=filters.rooms
    )
    if filters.star is not None and filters.star_min is not None:
        if filters.star < filters.star_min:
            raise InvalidInput(
                _("%(star)s★ is below the minimum of %(star_min)s★.")
                % {"star": filters.star, "star_min": filters.star_min},
                field="star",
            )
    low, high = filters.price_min, filters.price_max
    if low is not None and high is not None and low > high:
        raise InvalidInput(
            _("Price to (%(high)s) is below price from (%(low)s).") % {"high": high, "low": low},
            field="price_max",
        )
    return nights


class UnknownCity(InvalidInput):
    """No hotel's city is the one typed (IN-2): said so, with close matches to pick from,
    distinct from "no hotel can sell these dates"."""

    def __init__(self, resolved: cities.Resolved) -> None:
        values = {"city": resolved.typed}
        if resolved.known:  # a real city (the curated table knows it) without our hotels
            detail = _("We have no hotel in %(city)s.") % values
        else:
            detail = _("No city called %(city)s.") % values
        super().__init__(detail, field="city")
        self.suggestions = resolved.suggestions

    def body(self) -> dict[str, Any]:
        return super().body() | {"suggestions": self.suggestions}


async def where(session: AsyncSession, typed: str) -> tuple[list[str], list[District]]:
    """The hotel data's spellings of the city typed and its districts; UnknownCity if none."""
    directory = await search_repository.city_directory(session)
    resolved = cities.resolve(typed, (row.city for row in directory))
    if not resolved.spellings:
        raise UnknownCity(resolved)
    counts: dict[str, int] = {}
    for row in directory:
        if row.city in resolved.spellings and row.district.strip():
            counts[row.district.strip()] = counts.get(row.district.strip(), 0) + row.hotels
    districts = [District(name=name, hotels=n) for name, n in sorted(counts.items())]
    return resolved.spellings, districts


async def search(session: AsyncSession, *, filters: SearchFilters) -> SearchPage:
    """One page of the offers that match, with the total and IN-3 alternatives."""
    nights = checked_nights(filters)
    spellings, districts = await where(session, filters.city)
    district = cities.district_named(filters.district, (d.name for d in districts))
    wanted = filters.model_copy(update={"district": district}) if district else filters
    page = await search_repository.page_of_plans(session, wanted, spellings)
    # All plans of the page's hotels are priced, not only the page's: a hotel with a sellable
    # room type on the next page (or outside the price band) can still sell the stay (IN-3).
    priced = await offers.price_offers(session, page.hotel_plans, nights, filters.rooms)
    sellable = alternatives.SellableHotels(session, nights, filters.rooms)
    sellable.remember(priced)
    by_plan = {offer.rate_plan_id: offer for offer in priced}
    shown = [
        by_plan[row.rate_plan_id].model_copy(
            update={"recommended": row.recommended, "conditions": list(row.conditions or [])}
        )
        for row in page.rows
    ]
    return SearchPage(
        city=spellings[0],
        check_in=filters.check_in,
        check_out=filters.check_out,
        rooms=filters.rooms,
        offers=shown,
        filters=filters,
        page=filters.page,
        per_page=filters.per_page,
        total=page.total,
        alternatives=await _alternatives(page, priced, sellable, filters.check_out),
        districts=districts,
    )


async def _alternatives(
    page: search_repository.Page,
    priced: list[Offer],
    sellable: alternatives.SellableHotels,
    check_out: date,
) -> list[HotelAlternatives]:
    """IN-3 for the page's hotels none of whose plans can sell the stay, in page order."""
    hotel_rows: dict[uuid.UUID, AnyRow] = {}
    for row in page.hotel_plans:
        hotel_rows.setdefault(row.hotel_id, row)
    in_order = dict.fromkeys(row.hotel_id for row in page.rows)
    origins = [
        (hotel_rows[hotel_id], _why_not(hotel_id, priced))
        for hotel_id in in_order
        if sellable.known.get(hotel_id) is None
    ]
    return await alternatives.for_hotels(origins, sellable, check_out=check_out)


def _why_not(hotel_id: uuid.UUID, priced: list[Offer]) -> str:
    """The first reason one of the hotel's offers gives ("Full on 2026-12-03 (0 rooms left)")."""
    return next((o.reason for o in priced if o.hotel_id == hotel_id and o.reason), "")


async def alternatives_for(
    session: AsyncSession, *, hotel_id: uuid.UUID, check_in: date, check_out: date, rooms: int
) -> HotelAlternatives:
    """IN-3 for one hotel: why it cannot sell the stay and up to five nearby that can."""
    nights = stay_nights(check_in=check_in, check_out=check_out, rooms=rooms)
    hotel = (await search_repository.hotels_by_id(session, [hotel_id])).get(hotel_id)
    if hotel is None:
        raise InvalidInput(_("Unknown hotel %(id)s.") % {"id": hotel_id}, field="hotel_id")
    plans = await search_repository.plans_of_hotels(session, [hotel_id])
    priced = await offers.price_offers(session, plans, nights, rooms)
    sellable = alternatives.SellableHotels(session, nights, rooms)
    sellable.remember(priced)
    if sellable.known.get(hotel_id) is not None:
        return _sells(hotel, check_in, check_out, rooms)
    [found] = await alternatives.for_hotels(
        [(hotel, _reason(hotel, priced))], sellable, check_out=check_out
    )
    return found


def _reason(hotel: AnyRow, priced: list[Offer]) -> str:
    if not hotel.sellable:
        return _(STOP_SELL)
    return _why_not(hotel.hotel_id, priced) or _(NOTHING_ON_SALE)


def _sells(hotel: AnyRow, check_in: date, check_out: date, rooms: int) -> HotelAlternatives:
    """The answer for a hotel that can sell the stay: nothing to offer instead."""
    return HotelAlternatives(
        hotel_id=hotel.hotel_id,
        hotel_name=hotel.hotel_name,
        star_grade=hotel.star_grade,
        check_in=check_in,
        check_out=check_out,
        rooms=rooms,
        can_sell=True,
        reason="",
        alternatives=[],
    )
