"""HR-2 / IN-4: a stay with a night the hotel sells only on request is booked as a REQUEST:
status ``requested``, no allotment taken on any night (inventory untouched), and the event says
so, so the confirmation desk asks the hotel. A normal booking stays ``placed``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import NightRestriction, RestrictionsSetV1
from tests.services.intake.factories import (
    SeededHotel,
    allotment_event,
    apply,
    envelope,
    seed_hotel,
)
from tests.services.intake.helpers import booking_body, counts, inventory

API = "/intake/api/bookings"


async def on_request(
    sessionmaker: Any, seeded: SeededHotel, nights: list[date], **more: Any
) -> None:
    """contracts.restrictions_set: these nights' room status is "on_request" (HR-2)."""
    event = RestrictionsSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightRestriction(night=n, room_status="on_request", **more) for n in nights],
    )
    assert await apply(sessionmaker, envelope(event)) == "handled"


async def _placed_payloads(sessionmaker: Any) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM intake.outbox WHERE name = 'intake.booking_placed'")
        )
        return [row.payload for row in rows]


async def test_hr2_on_request_booking_is_requested_and_takes_no_allotment(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=8)
    await on_request(sessionmaker, seeded, [check_in + timedelta(days=1)])
    before = await inventory(sessionmaker, seeded.room_type_id)

    response = await agent.post_json(API, booking_body(seeded, check_in, nights=3, rooms=2))

    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "requested" and booking["on_request"] is True
    assert booking["total_sell_minor"] == 3 * 2 * 68800  # prices are still frozen
    # Inventory untouched on every night, the available ones included: the whole stay is asked.
    assert await inventory(sessionmaker, seeded.room_type_id) == before
    [payload] = await _placed_payloads(sessionmaker)
    assert payload["status"] == "requested" and payload["booking_ref"] == booking["booking_ref"]
    assert (await counts(sessionmaker))["audit"] == 1


async def test_hr2_on_request_night_with_no_allotment_can_still_be_asked(
    login_as, sessionmaker
) -> None:
    check_in = clock.today() + timedelta(days=5)
    seeded = await seed_hotel(sessionmaker, rooms=3)
    await apply(sessionmaker, envelope(allotment_event(seeded, {check_in: 0})))
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)

    response = await agent.post_json(API, booking_body(seeded, check_in, nights=1, rooms=2))

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "requested"
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in] == {
        "allotment": 0, "sold": 0, "remaining": 0,
    }  # fmt: skip


async def test_hr2_normal_stay_is_placed_and_sells_rooms(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=8)
    await on_request(sessionmaker, seeded, [check_in + timedelta(days=5)])  # outside the stay

    response = await agent.post_json(API, booking_body(seeded, check_in, nights=2, rooms=1))

    assert response.json()["status"] == "placed" and response.json()["on_request"] is False
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in]["sold"] == 1
    [payload] = await _placed_payloads(sessionmaker)
    assert payload["status"] == "placed"


async def test_hr2_on_request_does_not_lift_other_restrictions(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=8)
    await on_request(sessionmaker, seeded, [check_in], min_stay=3)

    response = await agent.post_json(API, booking_body(seeded, check_in, nights=2))

    assert response.status_code == 409 and response.json()["rule"] == "IN-2"
    assert "Minimum stay is 3 nights" in response.json()["detail"]
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_hr2_search_and_form_offer_the_stay_on_request(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=2)
    check_in = clock.today() + timedelta(days=8)
    await apply(sessionmaker, envelope(allotment_event(seeded, {check_in: 0})))
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)
    stay = {"check_in": check_in.isoformat(), "check_out": str(check_in + timedelta(days=1))}

    found = await agent.get("/intake/api/search", params={"city": "Beijing", "rooms": 1, **stay})
    form = await agent.page(
        "/intake/book", params={"rate_plan_id": str(seeded.rate_plan_id), "rooms": "1", **stay}
    )

    [offer] = found.json()["offers"]
    assert offer["can_sell"] is True and offer["on_request"] is True, offer
    # Issue 15: no rule ID in what staff read; the notice says it in words.
    assert form.status_code == 200 and "On request: the hotel sells" in form.text
    assert "Place booking" in form.text


async def test_hr2_requested_booking_page_tells_the_agent(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    check_in = clock.today() + timedelta(days=3)
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)
    placed = (await agent.post_json(API, booking_body(seeded, check_in, nights=1))).json()

    page = await agent.page(f"/intake/bookings/{placed['booking_ref']}")

    assert f"Booking {placed['booking_ref']} requested" in page.text
    assert "no rooms were taken from our allotment" in page.text
