"""IN-5 with IN-2, HR-3 and IN-4: the nights a change takes must still be for sale (signed
contract, restrictions, a price, released rooms); returning rooms is never refused by a
sales rule; nights before today never change. A refusal names the night or rule and writes
nothing."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import change_counts, days, modify, place, sold
from tests.services.intake.factories import (
    apply,
    contract_event,
    envelope,
    hotel_event,
    seed_hotel,
)
from tests.services.intake.test_on_request import on_request
from tests.services.intake.test_restrictions import restrict


async def test_in5_in2_extension_onto_a_stop_sell_night_is_refused_naming_it(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=2)
    await restrict(sessionmaker, seeded, [stay[2]], stop_sell=True)
    before = (await change_counts(sessionmaker), await sold(sessionmaker, seeded))

    response = await modify(agent, booking, check_out=stay[2] + timedelta(days=1))

    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "IN-2"
    assert f"Stop-sell on {stay[2]}" in response.json()["detail"]
    assert (await change_counts(sessionmaker), await sold(sessionmaker, seeded)) == before


async def test_in5_hr2_extending_a_held_booking_onto_an_on_request_night_is_refused(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=2)
    await on_request(sessionmaker, seeded, [stay[2]])

    response = await modify(agent, booking, check_out=stay[2] + timedelta(days=1))

    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "HR-2" and str(stay[2]) in response.json()["detail"]
    assert (await sold(sessionmaker, seeded))[stay[2]] == 0


async def test_in5_shortening_is_never_refused_by_a_restriction_on_kept_nights(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=2), 3)
    booking = await place(agent, seeded, stay[0], nights=3)
    # Since the booking: stop-sell, a 3-night minimum and 5 release days on every night.
    await restrict(sessionmaker, seeded, stay, stop_sell=True, min_stay=3, release_days=5)

    response = await modify(agent, booking, check_out=stay[2])

    assert response.status_code == 200, response.text
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [1, 1, 0]


async def test_in5_hr3_extension_past_the_signed_contract_is_refused_naming_the_night(
    login_as, sessionmaker
) -> None:
    first = clock.today() + timedelta(days=5)
    window = days(first, 4)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=window, signed=False)
    await apply(sessionmaker, envelope(contract_event(seeded.hotel_id, window[0], window[2])))
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, window[1], nights=2)

    response = await modify(agent, booking, check_out=window[3] + timedelta(days=1))

    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "HR-3"
    assert f"No signed contract for {window[3]}" in response.json()["detail"]
    assert (await change_counts(sessionmaker))["changes"] == 0


async def test_in5_in4_a_night_with_no_rooms_released_or_no_price_is_refused_naming_it(
    login_as, sessionmaker
) -> None:
    window = days(clock.today() + timedelta(days=5), 2)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=window)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, window[0], nights=2)
    beyond = window[1] + timedelta(days=1)

    response = await modify(agent, booking, check_out=beyond + timedelta(days=1))

    assert response.status_code == 409, response.text
    assert str(beyond) in response.json()["detail"]  # no price, no contract, no rooms: named
    assert (await change_counts(sessionmaker))["changes"] == 0
    assert [(await sold(sessionmaker, seeded))[n] for n in window] == [1, 1]


async def test_in5_nights_before_today_never_change_422_naming_the_field(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=days(clock.today(), 10))
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today(), nights=3, rooms=1)
    clock.set_now(clock.now() + timedelta(days=1))  # the guest is in house since yesterday

    more_rooms = await modify(agent, booking, rooms=2)
    earlier = await modify(agent, booking, check_in=clock.today() - timedelta(days=2))
    shorter = await modify(agent, booking, check_out=clock.today() + timedelta(days=1))

    assert more_rooms.status_code == 422 and more_rooms.json()["fields"][0]["field"] == "rooms"
    assert earlier.status_code == 422 and earlier.json()["fields"][0]["field"] == "check_in"
    assert "before today" in more_rooms.json()["detail"]
    assert shorter.status_code == 200, shorter.text  # in house, leaving a night early is fine
    stock = await sold(sessionmaker, seeded)
    yesterday = clock.today() - timedelta(days=1)
    assert [stock[yesterday + timedelta(days=n)] for n in range(3)] == [1, 1, 0]


async def test_in5_a_hotel_on_stop_sell_can_still_be_shortened_but_not_extended(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=3), 3)
    booking = await place(agent, seeded, stay[0], nights=2)
    ids = {k: getattr(seeded, k) for k in ("hotel_id", "room_type_id", "rate_plan_id")}
    await apply(sessionmaker, envelope(hotel_event(**ids, sellable=False)))

    longer = await modify(agent, booking, check_out=stay[2] + timedelta(days=1))
    shorter = await modify(agent, booking, check_out=stay[1])

    assert longer.status_code == 409 and "stop-sell" in longer.json()["detail"]
    assert shorter.status_code == 200, shorter.text
