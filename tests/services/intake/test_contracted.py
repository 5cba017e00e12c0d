"""HR-3 at the booking desk: only nights inside a signed contract are offered or booked. A
contract's later supplement replaces its validity; an older version arriving late is ignored."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import apply, contract_event, envelope, seed_hotel
from tests.services.intake.helpers import booking_body, counts

API = "/intake/api"


def _search(check_in, nights: int = 2) -> str:
    return (
        f"{API}/search?city=Beijing&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=nights)}&rooms=1"
    )


async def test_hr3_unsigned_hotel_is_shown_but_not_sold_and_booking_writes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, signed=False)
    agent = await login_as("lina", Role.AGENT)
    check_in = clock.today() + timedelta(days=2)

    offer = (await agent.get(_search(check_in))).json()["offers"][0]
    assert offer["can_sell"] is False
    assert offer["reason"] == (
        f"No signed contract for {check_in}, {check_in + timedelta(days=1)} (HR-3)"
    )
    before = await counts(sessionmaker)
    refused = await agent.post_json(f"{API}/bookings", booking_body(seeded, check_in))
    assert refused.status_code == 409
    assert refused.json()["rule"] == "HR-3" and refused.json()["fields"][0]["field"] == "check_in"
    assert await counts(sessionmaker) == before


async def test_hr3_stay_running_past_the_contract_is_refused_until_a_supplement_extends_it(
    login_as, sessionmaker
) -> None:
    today = clock.today()
    seeded = await seed_hotel(sessionmaker, signed=False)
    agent = await login_as("lina", Role.AGENT)
    first = contract_event(seeded.hotel_id, today, today + timedelta(days=5))
    await apply(sessionmaker, envelope(first))
    check_in = today + timedelta(days=5)  # nights 5 (signed) and 6 (not yet)

    refused = await agent.post_json(f"{API}/bookings", booking_body(seeded, check_in))
    assert refused.status_code == 409
    assert f"No signed contract for {today + timedelta(days=6)}" in refused.json()["detail"]

    longer = contract_event(seeded.hotel_id, today, today + timedelta(days=30), version_no=2)
    await apply(sessionmaker, envelope(longer))
    await apply(sessionmaker, envelope(first))  # v1 again, late: must not shorten it back
    placed = await agent.post_json(f"{API}/bookings", booking_body(seeded, check_in))
    assert placed.status_code == 201, placed.text
