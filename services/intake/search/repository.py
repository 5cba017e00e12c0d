"""SQL of the agents' search (IN-2) and of its alternatives (IN-3), over intake's own projection.

Filtering, ordering, counting and paging happen in one statement, so only the page's plans
(50 by default) are priced, however many a city has. Whether a plan can be sold (rooms,
restrictions, contracts) is judged afterwards for the plans shown, in SQL by ``sellable.py``
(one row a plan), held to the night-by-night rules of ``offers.py`` by a test.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import OFFER_COLUMNS, AnyRow
from services.intake.inventory import hotel_names
from services.intake.inventory.conditions import hotel_conditions
from services.intake.inventory.models import hotel, rate_night, rate_plan, room_type
from services.intake.inventory.recommended import recommended_hotel
from services.intake.search.schemas import SearchFilters
from shared.money import exponent

HOTEL_COLUMNS = (
    hotel.c.hotel_id,
    hotel.c.name_en.label("hotel_name"),
    hotel.c.name_zh.label("hotel_name_zh"),
    hotel.c.district,
    hotel.c.star_grade,
    hotel.c.city,
    hotel.c.sellable,
    hotel.c.latitude,
    hotel.c.longitude,
)


def _in_cities(cities: list[str]) -> Any:
    """The hotel data's spellings of the city asked for (cities.py: 北京, Beijing, Peking)."""
    return func.lower(hotel.c.city).in_([c.strip().lower() for c in cities])  # index hotel_city


async def city_directory(session: AsyncSession) -> list[AnyRow]:
    """Every city and district the hotel data holds, with its number of hotels: what a typed
    city is matched against (cities.py) and the district list offered for it. One small
    grouped scan of the hotel table per search."""
    query = (
        select(hotel.c.city, hotel.c.district, func.count().label("hotels"))
        .group_by(hotel.c.city, hotel.c.district)
        .order_by(hotel.c.city, hotel.c.district)
    )
    return list(await session.execute(query))


def _plans_from() -> Any:
    """Rate plans with their hotel and room type. Unlike ``repository.offers_from`` the room
    type is joined on its key alone: it is the rate plan's own hotel's (both come from one
    ``contracts.hotel_published`` snapshot), and the redundant second column made PostgreSQL
    expect 6 rows instead of 12,000 from that join, and so probe every hotel in the country
    for the city instead of its index (EXPLAIN ANALYZE on bench/search_data.py's fixture:
    36,000 buffer reads and 39 ms, against 477 and 14 ms)."""
    return rate_plan.join(hotel, hotel.c.hotel_id == rate_plan.c.hotel_id).join(
        room_type, room_type.c.room_type_id == rate_plan.c.room_type_id
    )


def _on_sale() -> Any:
    """A hotel not on stop-sell, a room type and rate plan still in the contract."""
    return and_(hotel.c.sellable, room_type.c.active, rate_plan.c.active)


@dataclass(frozen=True)
class Page:
    """One page of plan rows in order, every plan on sale of the page's hotels (with their
    conditions, HR-8), and how many plans match in all."""

    rows: list[AnyRow]
    hotel_plans: list[AnyRow]
    total: int


async def page_of_plans(session: AsyncSession, filters: SearchFilters, cities: list[str]) -> Page:
    """Recommended first (HR-6), then grade, name, in ``cities`` (the hotel data's spellings of
    the city asked for). One statement for the page, its hotels' other plans and their
    conditions: round trips, not rows, are what a search spends its time on (bench/search.py)."""
    currencies = await _currencies_in(session, cities) if _priced(filters) else []
    recommended_now = exists().where(
        recommended_hotel.c.hotel_id == hotel.c.hotel_id,
        recommended_hotel.c.month == filters.check_in.replace(day=1),
    )
    order = (
        recommended_now.desc(),
        hotel.c.star_grade.desc(),
        hotel.c.name_en,
        hotel.c.hotel_id,
        room_type.c.name,
        rate_plan.c.name,
        rate_plan.c.rate_plan_id,
    )
    page = (
        _matching(filters, currencies, cities)
        .with_only_columns(
            rate_plan.c.rate_plan_id,
            hotel.c.hotel_id,
            recommended_now.label("recommended"),
            func.count().over().label("total"),
            func.row_number().over(order_by=order).label("position"),
        )
        .order_by(*order)
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
        .cte("page")
    )
    hotels_on_page = select(page.c.hotel_id).distinct().subquery("hotels_on_page")
    query = (
        select(
            *OFFER_COLUMNS,
            hotel.c.city,  # IN-3: where a hotel that cannot sell is, for its alternatives
            hotel.c.latitude,
            hotel.c.longitude,
            page.c.position,
            page.c.recommended,
            page.c.total,
            hotel_conditions.c.summary.label("conditions"),
        )
        .select_from(
            _plans_from()
            .join(hotels_on_page, hotels_on_page.c.hotel_id == hotel.c.hotel_id)
            .outerjoin(page, page.c.rate_plan_id == rate_plan.c.rate_plan_id)
            .outerjoin(hotel_conditions, hotel_conditions.c.hotel_id == hotel.c.hotel_id)
        )
        .where(_on_sale())
        .order_by(hotel.c.hotel_id, room_type.c.name, rate_plan.c.name, rate_plan.c.rate_plan_id)
    )
    hotel_plans = list(await session.execute(query))
    rows = sorted((r for r in hotel_plans if r.position is not None), key=lambda r: r.position)
    if rows:
        return Page(rows, hotel_plans, int(rows[0].total))
    # A page past the end has no row to carry the total: count on its own (rare).
    counted = select(func.count()).select_from(_matching(filters, currencies, cities).subquery())
    return Page([], [], int(await session.scalar(counted) or 0))


def _priced(filters: SearchFilters) -> bool:
    return filters.price_min is not None or filters.price_max is not None


def _matching(filters: SearchFilters, currencies: list[str], cities: list[str]) -> Select[Any]:
    query = select(*OFFER_COLUMNS).select_from(_plans_from()).where(_in_cities(cities), _on_sale())
    if filters.district:
        query = query.where(hotel.c.district.icontains(filters.district, autoescape=True))
    if filters.name:
        query = query.where(_name_matches(filters.name))
    if filters.star is not None:
        query = query.where(hotel.c.star_grade == filters.star)
    if filters.star_min is not None:
        query = query.where(hotel.c.star_grade >= filters.star_min)
    if _priced(filters):
        query = query.where(*_price_band(filters, currencies))
    return query


def _name_matches(typed: str) -> Any:
    """Chinese or English anywhere in the name, or pinyin / initials as the agent heard them."""
    matches = [
        hotel.c.name_zh.icontains(typed, autoescape=True),
        hotel.c.name_en.icontains(typed, autoescape=True),
    ]
    if key := hotel_names.latin_key(typed):
        matches += [hotel.c.name_pinyin.contains(key), hotel.c.name_initials.contains(key)]
    return or_(*matches)


def _price_band(filters: SearchFilters, currencies: list[str]) -> list[Any]:
    """IN-2 price band: the stay's average sell price per night, in the hotel's own currency
    (a band of 500-800 means yuan in Beijing and yen in Tokyo). A plan without a price on
    every night has no average and drops out: it could not be sold anyway."""
    nights = (filters.check_out - filters.check_in).days
    average = (
        select(func.avg(rate_night.c.sell_minor))
        .where(
            rate_night.c.rate_plan_id == rate_plan.c.rate_plan_id,  # primary key range
            rate_night.c.night >= filters.check_in,
            rate_night.c.night < filters.check_out,
        )
        .having(func.count() == nights)
        .correlate(rate_plan)
        .scalar_subquery()
    )
    unusual = {c: 10 ** exponent(c) for c in currencies if exponent(c) != 2}
    scale = case(unusual, value=hotel.c.currency, else_=100) if unusual else literal(100)
    bounds = []
    if filters.price_min is not None:
        bounds.append(average >= filters.price_min * scale)
    if filters.price_max is not None:
        bounds.append(average <= filters.price_max * scale)
    return bounds


async def _currencies_in(session: AsyncSession, cities: list[str]) -> list[str]:
    rows = await session.execute(select(hotel.c.currency).where(_in_cities(cities)).distinct())
    return [row.currency for row in rows]


async def plans_of_hotels(session: AsyncSession, hotel_ids: list[uuid.UUID]) -> list[AnyRow]:
    """Every plan on sale of these hotels, whatever the filters: a hotel "cannot sell the
    stay" (IN-3) only when none of them can."""
    query = (
        select(*OFFER_COLUMNS)
        .select_from(_plans_from())
        .where(hotel.c.hotel_id.in_(hotel_ids), _on_sale())
        .order_by(hotel.c.hotel_id, room_type.c.name, rate_plan.c.name, rate_plan.c.rate_plan_id)
    )
    return list(await session.execute(query))


async def hotels_by_id(
    session: AsyncSession, hotel_ids: list[uuid.UUID]
) -> dict[uuid.UUID, AnyRow]:
    query = select(*HOTEL_COLUMNS).where(hotel.c.hotel_id.in_(hotel_ids))
    return {row.hotel_id: row for row in await session.execute(query)}


# IN-3 candidates: a first, necessary test in SQL, so that in a week when the city is full the
# hundreds of hotels without a room are never priced in Python. A hotel passes when one of its
# room types has, on each night of the stay, the rooms or a restriction row (which may make it
# "on request", HR-2: no allotment needed; counted loosely, the test only has to never drop a
# hotel that can sell), and one of that room type's plans has a price every night. Whether it
# really can sell (restrictions, signed contract) is judged by sellable.py on the few that pass.
# Written as fenced steps (MATERIALIZED, LATERAL … LIMIT 1): left to flatten the EXISTS, the
# planner priced every rate plan in the country first, 12,000 of them, to keep a few dozen
# (EXPLAIN ANALYZE on bench/search_data.py's fixture: 470 ms against 37 ms, machine loaded).
_MAY_SELL = text(
    """
    WITH candidate AS MATERIALIZED (
        SELECT h.hotel_id, h.name_en AS hotel_name, h.name_zh AS hotel_name_zh, h.district,
            h.star_grade, h.city, h.sellable, h.latitude, h.longitude
        FROM intake.hotel h
        WHERE lower(h.city) = :city AND h.sellable AND h.star_grade = ANY(:grades)
    ), roomy AS MATERIALIZED (
        SELECT rt.room_type_id, rt.hotel_id
        FROM candidate c JOIN intake.room_type rt ON rt.hotel_id = c.hotel_id AND rt.active
        WHERE (SELECT count(*) FROM intake.inventory_night i
               WHERE i.room_type_id = rt.room_type_id
                 AND i.night >= :check_in AND i.night <= :last_night
                 AND i.allotment - i.sold >= :rooms)
            + (SELECT count(*) FROM intake.night_restriction r
               WHERE r.room_type_id = rt.room_type_id
                 AND r.night >= :check_in AND r.night <= :last_night) >= :nights
    )
    SELECT c.* FROM candidate c
    WHERE c.hotel_id IN (
        SELECT roomy.hotel_id FROM roomy
        CROSS JOIN LATERAL (
            SELECT 1 FROM intake.rate_plan rp
            WHERE rp.hotel_id = roomy.hotel_id AND rp.room_type_id = roomy.room_type_id
              AND rp.active
              AND (SELECT count(*) FROM intake.rate_night n
                   WHERE n.rate_plan_id = rp.rate_plan_id
                     AND n.night >= :check_in AND n.night <= :last_night) = :nights
            LIMIT 1
        ) AS priced
    )
    """
)


async def hotels_that_may_sell(
    session: AsyncSession, *, city: str, grades: set[int], nights: list[date], rooms: int
) -> list[AnyRow]:
    """The city's hotels of these grades that pass the first test above."""
    params = {
        "city": city.strip().lower(),
        "grades": sorted(grades),
        "check_in": nights[0],
        "last_night": nights[-1],
        "nights": len(nights),
        "rooms": rooms,
    }
    return list(await session.execute(_MAY_SELL, params))
