"""IN-5 across booking statuses: an on-request booking (HR-2) changes and cancels without
returning rooms it never took; a booking awaiting price approval (IN-11) waits for the
pricing desk before anyone changes it."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import (
    API,
    cancel,
    change_counts,
    days,
    modify,
    outbox_payloads,
    sold,
)
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.services.intake.test_on_request import on_request


async def test_in5_hr2_an_on_request_booking_changes_and_cancels_without_moving_rooms(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=8), 4)
    await on_request(sessionmaker, seeded, stay)
    placed = await agent.post_json(API, booking_body(seeded, stay[0], nights=2, rooms=2))
    assert placed.status_code == 201 and placed.json()["status"] == "requested", placed.text
    untouched = await sold(sessionmaker, seeded)

    longer = await modify(agent, placed.json(), check_out=stay[3], rooms=3)
    assert longer.status_code == 200, longer.text
    gone = await cancel(agent, longer.json()["booking"])

    assert gone.status_code == 200, gone.text
    assert longer.json()["booking"]["status"] == "requested"
    assert await sold(sessionmaker, seeded) == untouched  # never taken, never returned
    [event] = await outbox_payloads(sessionmaker, "intake.booking_modified")
    assert event["status"] == "requested" and event["rooms"] == 3  # the desk asks the hotel again
    assert len(await outbox_payloads(sessionmaker, "intake.booking_cancelled")) == 1


async def test_in5_in11_a_booking_awaiting_price_approval_cannot_change_yet(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    body = booking_body(
        seeded, clock.today() + timedelta(days=6), nights=2,
        special_sell_minor=60000, special_price_reason="Matched a competitor's quote",
    )  # fmt: skip
    asked = await agent.post_json(API, body)
    assert asked.status_code == 201 and asked.json()["status"] == "awaiting_price_approval"
    held = await sold(sessionmaker, seeded)

    for response in (await modify(agent, asked.json(), rooms=2), await cancel(agent, asked.json())):
        assert response.status_code == 409, response.text
        assert response.json()["rule"] == "IN-11"
        assert "awaiting price approval" in response.json()["detail"]
    assert await sold(sessionmaker, seeded) == held
    assert (await change_counts(sessionmaker))["changes"] == 0
