"""Placing a booking through the JSON API (IN-1, IN-4): rooms sold in SQL, prices frozen, the
event in the same transaction, idempotent by key, and refusals that write nothing."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import apply, envelope, rates_event, seed_hotel
from tests.services.intake.helpers import booking_body, call_form, counts, inventory

API = "/intake/api/bookings"
REF = re.compile(r"^RL[A-HJ-NP-Z2-9]{8}$")


async def test_in4_booking_sells_each_night_freezes_prices_and_emits_one_event(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=10)
    started = (clock.now() - timedelta(minutes=3)).isoformat()
    form_id = await call_form(agent, "Q1-778", started)  # IN-1
    body = booking_body(seeded, check_in, nights=2, rooms=2, form_id=form_id)

    response = await agent.post_json(API, body)

    assert response.status_code == 201, response.text
    booking = response.json()
    assert REF.match(booking["booking_ref"])
    assert booking["status"] == "placed" and booking["urgent"] is False
    assert booking["total_sell_minor"] == 2 * 2 * 68800 and booking["currency"] == "CNY"
    assert [n["sell_minor"] for n in booking["nights"]] == [68800, 68800]
    assert booking["agent_username"] == "ana" and booking["handling_started_at"]
    stock = await inventory(sessionmaker, seeded.room_type_id)
    for night in (check_in, check_in + timedelta(days=1)):
        assert stock[night] == {"allotment": 5, "sold": 2, "remaining": 3}
    assert stock[check_in + timedelta(days=2)]["sold"] == 0  # check-out night is not sold
    assert await counts(sessionmaker) == {
        "bookings": 1, "booking_nights": 2, "placed_events": 1, "outbox": 1, "audit": 1,
    }  # fmt: skip
    async with sessionmaker() as session:
        payload = await session.scalar(text("SELECT payload FROM intake.outbox"))
    assert payload["booking_ref"] == booking["booking_ref"]
    assert payload["rooms"] == 2 and len(payload["nights"]) == 2
    assert payload["booker_company"] == "Acme Trading" and payload["arrival_time"] == "20:00"
    fetched = await agent.get(f"/intake/api/bookings/{booking['booking_ref']}")
    assert fetched.status_code == 200 and fetched.json() == booking


async def test_in4_prices_frozen_into_a_booking_survive_a_later_rate_change(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, sell_minor=50000)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=3)
    placed = (await agent.post_json(API, booking_body(seeded, check_in, nights=1))).json()
    await apply(sessionmaker, envelope(rates_event(seeded, {check_in: 90000})))
    again = await agent.get(f"/intake/api/bookings/{placed['booking_ref']}")
    assert again.json()["nights"][0]["sell_minor"] == 50000
    assert again.json()["total_sell_minor"] == 50000


async def test_in4_check_in_today_is_urgent(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, booking_body(seeded, clock.today(), nights=1))
    assert response.status_code == 201, response.text
    assert response.json()["urgent"] is True


async def test_in4_sold_out_night_is_409_naming_the_night_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=3)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=7)
    second_night = check_in + timedelta(days=1)
    # Another agent takes 2 of the 3 rooms on the second night only.
    taken = await agent.post_json(API, booking_body(seeded, second_night, nights=1, rooms=2))
    assert taken.status_code == 201
    before_counts = await counts(sessionmaker)
    before_stock = await inventory(sessionmaker, seeded.room_type_id)

    response = await agent.post_json(API, booking_body(seeded, check_in, nights=3, rooms=2))

    assert response.status_code == 409, response.text
    assert response.json()["error"] == "conflict"
    assert response.json()["detail"] == f"Sold out on {second_night}: 1 room left, 2 asked"
    assert await counts(sessionmaker) == before_counts
    assert await inventory(sessionmaker, seeded.room_type_id) == before_stock


async def test_in4_night_with_no_allotment_released_is_refused(login_as, sessionmaker) -> None:
    check_in = clock.today() + timedelta(days=4)
    seeded = await seed_hotel(sessionmaker, nights=[check_in])  # the second night is missing
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, booking_body(seeded, check_in, nights=2))
    assert response.status_code == 409
    assert str(check_in + timedelta(days=1)) in response.json()["detail"]
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in4_same_idempotency_key_twice_places_one_booking(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    body = booking_body(seeded, check_in, nights=2, idempotency_key="call-42-ana")

    first = await agent.post_json(API, body)
    second = await agent.post_json(API, body)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in]["sold"] == 1
    assert (await counts(sessionmaker))["bookings"] == 1
    assert (await counts(sessionmaker))["placed_events"] == 1


async def test_in4_same_idempotency_key_racing_places_one_booking(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    body = booking_body(seeded, check_in, nights=2, idempotency_key="double-click")

    responses = await asyncio.gather(*(agent.post_json(API, body) for _ in range(6)))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["booking_ref"] for r in responses}) == 1
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in]["sold"] == 1
    assert (await counts(sessionmaker))["placed_events"] == 1


BAD_INPUT = {
    "past_check_in": ("check_in", lambda s, d: booking_body(s, clock.today() - timedelta(days=1))),
    "check_out_before_check_in": (
        "check_out",
        lambda s, d: booking_body(s, d, check_out=(d - timedelta(days=1)).isoformat()),
    ),
    "check_out_same_day": ("check_out", lambda s, d: booking_body(s, d, nights=0)),
    "stay_over_30_nights": ("check_out", lambda s, d: booking_body(s, d, nights=31)),
    "rooms_0": ("rooms", lambda s, d: booking_body(s, d, rooms=0)),
    "rooms_minus_1": ("rooms", lambda s, d: booking_body(s, d, rooms=-1)),
    "rooms_10": ("rooms", lambda s, d: booking_body(s, d, rooms=10)),
    "unknown_hotel": ("hotel_id", lambda s, d: booking_body(s, d, hotel_id=str(uuid.uuid4()))),
    "unknown_rate_plan": (
        "rate_plan_id",
        lambda s, d: booking_body(s, d, rate_plan_id=str(uuid.uuid4())),
    ),
    "no_guest": ("guest_names", lambda s, d: booking_body(s, d, guest_names=[" ", ""])),
    "no_booker_name": ("booker_name", lambda s, d: booking_body(s, d, booker_name="  ")),
    "bad_booker_phone": ("booker_phone", lambda s, d: booking_body(s, d, booker_phone="call me")),
    "missing_booker_phone": (
        "booker_phone",
        lambda s, d: {k: v for k, v in booking_body(s, d).items() if k != "booker_phone"},
    ),
    "unknown_confirm_channel": (
        "confirm_channel",
        lambda s, d: booking_body(s, d, confirm_channel="pigeon"),
    ),
    "payment_mode_not_the_rate_plans": (
        "payment_mode",
        lambda s, d: booking_body(s, d, payment_mode="pay_at_hotel"),
    ),
    "rooms_not_a_number": ("rooms", lambda s, d: booking_body(s, d, rooms="two")),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
async def test_in4_bad_input_is_422_naming_the_field_and_writes_nothing(
    case: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    field, build = BAD_INPUT[case]
    before = await inventory(sessionmaker, seeded.room_type_id)

    response = await agent.post_json(API, build(seeded, clock.today() + timedelta(days=2)))

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert field in [f["field"] for f in body["fields"]], body
    assert await counts(sessionmaker) == dict.fromkeys(
        ("bookings", "booking_nights", "placed_events", "outbox", "audit"), 0
    )
    assert await inventory(sessionmaker, seeded.room_type_id) == before


async def test_in4_malformed_json_is_422_and_writes_nothing(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.http.post(
        API,
        content=b'{"hotel_id": "x", "rooms": ',
        headers={"x-csrf-token": agent.csrf, "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"
    assert "JSON" in response.json()["detail"]
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in4_stop_sell_hotel_cannot_be_booked(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, sellable=False)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, booking_body(seeded, clock.today() + timedelta(days=1)))
    assert response.status_code == 409 and "stop-sell" in response.json()["detail"]
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in4_team_lead_may_book(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)
    response = await lead.post_json(API, booking_body(seeded, clock.today() + timedelta(days=1)))
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", API),
        ("GET", "/intake/api/search?city=Beijing&check_in=2030-01-01&check_out=2030-01-02"),
        ("GET", "/intake/api/bookings/RLABCDEFGH"),
        ("GET", "/intake/"),
    ],
)
async def test_in4_confirmation_desk_gets_403_and_nothing_is_written(
    method: str, path: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    desk = await login_as("cora", Role.CONFIRMATION_DESK)
    body = booking_body(seeded, clock.today() + timedelta(days=1))
    response = await desk.request_json(method, path, body if method == "POST" else None)
    assert response.status_code == 403
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in4_unknown_booking_ref_is_404(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    response = await agent.get("/intake/api/bookings/RLZZZZZZZZ")
    assert response.status_code == 404 and response.json()["error"] == "not_found"
