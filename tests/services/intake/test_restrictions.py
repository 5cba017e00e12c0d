"""IN-2: contracts' sales restrictions (min stay, release, CTA/CTD, stop-sell, room status) make
a stay unsellable in search, with the reason, and a booking of it is refused naming IN-2 with
nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import NightRestriction, RestrictionsSetV1
from tests.services.intake.factories import SeededHotel, apply, envelope, seed_hotel
from tests.services.intake.helpers import booking_body, counts, inventory

SEARCH = "/intake/api/search"
API = "/intake/api/bookings"


async def restrict(
    sessionmaker: Any,
    seeded: SeededHotel,
    nights: list[date],
    *,
    occurred_at: datetime | None = None,
    version: int | None = None,
    **fields: Any,
) -> str:
    """Deliver a contracts.restrictions_set event for ``nights`` (other fields default)."""
    event = RestrictionsSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightRestriction(night=n, **fields) for n in nights],
    )
    return await apply(sessionmaker, envelope(event, occurred_at=occurred_at, version=version))


async def _search(agent: Any, check_in: date, nights: int) -> dict[str, Any]:
    stay = {"check_in": check_in.isoformat(), "check_out": str(check_in + timedelta(nights))}
    found = await agent.get(SEARCH, params={"city": "Beijing", "rooms": 1, **stay})
    assert found.status_code == 200, found.text
    [offer] = found.json()["offers"]
    return offer  # type: ignore[no-any-return]


async def _refused(agent: Any, sessionmaker: Any, seeded: SeededHotel, body: dict) -> str:
    """POST the booking, assert an IN-2 refusal that wrote nothing; returns the detail."""
    before = await counts(sessionmaker)
    stock = await inventory(sessionmaker, seeded.room_type_id)
    response = await agent.post_json(API, body)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "rule_violated" and response.json()["rule"] == "IN-2"
    assert await counts(sessionmaker) == before
    assert before["bookings"] == 0 and before["outbox"] == 0
    assert await inventory(sessionmaker, seeded.room_type_id) == stock
    return str(response.json()["detail"])


# (restriction fields, which night gets them (offset from check-in), expected phrase)
CASES = {
    "min_stay": ({"min_stay": 3}, 1, "Minimum stay is 3 nights"),
    "closed_to_arrival": ({"closed_to_arrival": True}, 0, "Closed to arrival on {in}"),
    "closed_to_departure": ({"closed_to_departure": True}, 2, "Closed to departure on {out}"),
    "stop_sell": ({"stop_sell": True}, 1, "Stop-sell on {n}"),
    "full": ({"room_status": "full"}, 0, "Hotel reports full on {n}"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_in2_restricted_stay_is_unsellable_in_search_and_refused_when_booked(
    login_as, sessionmaker, case: str
) -> None:
    fields, offset, phrase = CASES[case]
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=10)
    restricted = check_in + timedelta(days=offset)
    await restrict(sessionmaker, seeded, [restricted], **fields)
    expected = phrase.format(**{"in": check_in, "out": check_in + timedelta(2), "n": restricted})
    agent = await login_as("ana", Role.AGENT)

    offer = await _search(agent, check_in, 2)

    assert offer["can_sell"] is False
    assert offer["reason"].startswith(expected), offer["reason"]
    detail = await _refused(agent, sessionmaker, seeded, booking_body(seeded, check_in, nights=2))
    assert detail.startswith(expected) and detail.endswith("(IN-2)"), detail


async def test_in2_minimum_stay_is_met_by_a_long_enough_stay_and_cta_only_binds_arrival(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=10)
    await restrict(sessionmaker, seeded, [check_in + timedelta(1)], min_stay=3)
    await restrict(sessionmaker, seeded, [check_in + timedelta(20)], closed_to_arrival=True)
    agent = await login_as("ana", Role.AGENT)

    assert (await _search(agent, check_in, 3))["can_sell"] is True
    # A stay passing through a closed-to-arrival night (not arriving on it) is sellable.
    assert (await _search(agent, check_in + timedelta(19), 2))["can_sell"] is True
    placed = await agent.post_json(API, booking_body(seeded, check_in, nights=3))
    assert placed.status_code == 201, placed.text
    assert (await counts(sessionmaker))["bookings"] == 1


async def test_in2_release_days_close_a_night_that_close_to_today(login_as, sessionmaker) -> None:
    clock.set_now(datetime(2031, 3, 10, 2, 0, tzinfo=UTC))  # 10:00 in Beijing, 2031-03-10
    today = clock.today()
    seeded = await seed_hotel(sessionmaker, rooms=5)
    await restrict(sessionmaker, seeded, [today + timedelta(d) for d in range(30)], release_days=5)
    agent = await login_as("ana", Role.AGENT)

    soon = today + timedelta(days=4)  # 4 days ahead: inside the 5-day release
    offer = await _search(agent, soon, 1)
    assert offer["can_sell"] is False
    assert offer["reason"] == f"Release: {soon} can't be sold fewer than 5 days ahead"
    detail = await _refused(agent, sessionmaker, seeded, booking_body(seeded, soon, nights=1))
    assert detail == f"Release: {soon} can't be sold fewer than 5 days ahead (IN-2)"
    assert (await _search(agent, today + timedelta(days=5), 2))["can_sell"] is True


async def test_in2_an_older_restrictions_event_after_a_newer_one_does_not_regress(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=10)
    # Issue 12: the hotel's event version orders them, whatever time each one claims.
    now = clock.now()
    await restrict(sessionmaker, seeded, [check_in], occurred_at=now, version=2, stop_sell=True)
    late = await restrict(
        sessionmaker, seeded, [check_in], occurred_at=now + timedelta(hours=1), version=1
    )
    assert late == "handled"
    agent = await login_as("ana", Role.AGENT)

    offer = await _search(agent, check_in, 1)

    assert offer["can_sell"] is False and offer["reason"] == f"Stop-sell on {check_in}"
    # A genuinely newer event lifts it, even with an earlier time on it.
    earlier = now - timedelta(hours=1)
    await restrict(sessionmaker, seeded, [check_in], occurred_at=earlier, version=3)
    assert (await _search(agent, check_in, 1))["can_sell"] is True
