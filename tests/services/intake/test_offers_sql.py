"""IN-2, IN-3, HR-2, HR-3: the search's offers judged and priced in SQL (``sellable.py``) are the
offers the night-by-night rules (``reference_offers``) give, field for field, on data
that exercises every rule: sold-out and short nights, nights without rooms or without a price,
on request, hotel-reported full, stop-sell, minimum stay, release days, closed to arrival and
to departure, a contract covering only part of the stay, and none at all."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from services.intake.search import offers, sellable
from services.intake.search import repository as search_repository
from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import NightRestriction, RestrictionsSetV1
from tests.services.intake.factories import (
    SeededHotel,
    allotment_event,
    apply,
    contract_event,
    envelope,
    rates_event,
    seed_hotel,
)
from tests.services.intake.helpers import booking_body
from tests.services.intake.reference_offers import reference_offers

DAYS = 24  # check-in days tried, from today
LENGTHS = range(1, 6)


def _day(n: int) -> date:
    return clock.today() + timedelta(days=n)


async def _restrict(sessionmaker: Any, seeded: SeededHotel, days: list[int], **fields: Any) -> None:
    event = RestrictionsSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightRestriction(night=_day(n), **fields) for n in days],
    )
    await apply(sessionmaker, envelope(event))


async def _varied(sessionmaker: Any) -> list[SeededHotel]:
    """Three hotels: one with every restriction and gap, one half contracted, one unsigned."""
    priced = [_day(n) for n in range(DAYS + 6) if n not in (7, 8)]  # 7, 8: no price
    busy = await seed_hotel(sessionmaker, rooms=3, nights=priced, signed=False)
    await apply(sessionmaker, envelope(contract_event(busy.hotel_id, _day(0), _day(DAYS + 6))))
    rooms = {_day(2): 0, _day(3): 1, _day(7): 3, _day(12): 2}
    rooms |= {_day(n): 0 for n in (17, 18, 19)}  # 17-19 sold out but on request (HR-2)
    await apply(sessionmaker, envelope(allotment_event(busy, rooms)))
    await apply(sessionmaker, envelope(rates_event(busy, {_day(4): 99000, _day(5): 45000})))
    await _restrict(sessionmaker, busy, [1], release_days=3)
    await _restrict(sessionmaker, busy, [10], min_stay=3)
    await _restrict(sessionmaker, busy, [11], closed_to_arrival=True)
    await _restrict(sessionmaker, busy, [14], closed_to_departure=True)
    await _restrict(sessionmaker, busy, [15], stop_sell=True)
    await _restrict(sessionmaker, busy, [16], room_status="full")
    await _restrict(sessionmaker, busy, [17, 18, 19], room_status="on_request")
    await _restrict(sessionmaker, busy, [20, 21], room_status="available", min_stay=2)
    half = await seed_hotel(
        sessionmaker, rooms=2, nights=[_day(n) for n in range(DAYS + 6)], signed=False
    )
    await apply(sessionmaker, envelope(contract_event(half.hotel_id, _day(0), _day(9))))
    # A second contract (its own id) from day 12: days 10 and 11 lie outside both (HR-3).
    later = contract_event(half.hotel_id, _day(12), _day(40))
    await apply(sessionmaker, envelope(later.model_copy(update={"contract_id": uuid.uuid4()})))
    unsigned = await seed_hotel(sessionmaker, rooms=1, signed=False, name_en="Unsigned Inn")
    return [busy, half, unsigned]


async def test_in2_sql_judgement_prices_and_refuses_exactly_as_the_night_by_night_rules(
    sessionmaker,
) -> None:
    hotels = await _varied(sessionmaker)
    sold = refused = 0
    async with sessionmaker() as session:
        plans = await search_repository.plans_of_hotels(session, [h.hotel_id for h in hotels])
        for start in range(DAYS):
            for length in LENGTHS:
                nights = [_day(start + n) for n in range(length)]
                for rooms in (1, 2, 3):
                    expected = await reference_offers(session, plans, nights, rooms)
                    got = await offers.price_offers(session, plans, nights, rooms)
                    assert [o.model_dump() for o in got] == [o.model_dump() for o in expected]
                    only = [o for o in expected if o.can_sell]
                    ids = [h.hotel_id for h in hotels]  # IN-3: plans found and judged at once
                    assert await sellable.sellable_of_hotels(session, ids, nights, rooms) == only
                    sold += len(only)
                    refused += len(expected) - len(only)
    # The data set is varied enough to matter: plenty of both answers.
    assert sold > 100 and refused > 100, (sold, refused)


async def test_in2_a_sale_an_allotment_and_a_price_change_show_in_the_next_search(
    login_as, sessionmaker
) -> None:
    """The search reads the nights themselves, no copy of them: each write shows at once."""
    seeded = await seed_hotel(sessionmaker, rooms=2, sell_minor=50000)
    check_in = _day(5)
    stay = {"city": "Beijing", "check_in": str(check_in), "check_out": str(_day(7)), "rooms": 2}
    agent = await login_as("ana", Role.AGENT)

    async def offer() -> dict[str, Any]:
        found = await agent.get("/intake/api/search", params=stay)
        assert found.status_code == 200, found.text
        [only] = found.json()["offers"]
        return only  # type: ignore[no-any-return]

    assert (await offer())["can_sell"] is True
    sold = await agent.post_json(
        "/intake/api/bookings", booking_body(seeded, check_in, nights=2, rooms=1)
    )
    assert sold.status_code == 201, sold.text
    after_sale = await offer()
    assert after_sale["can_sell"] is False and after_sale["min_remaining"] == 1
    await apply(sessionmaker, envelope(allotment_event(seeded, {check_in: 5, _day(6): 5})))
    assert (await offer())["can_sell"] is True
    await apply(sessionmaker, envelope(rates_event(seeded, {_day(6): 70000})))
    assert (await offer())["total_sell_minor"] == (50000 + 70000) * 2
