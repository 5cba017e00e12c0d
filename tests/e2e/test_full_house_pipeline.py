"""CF-3 end to end: the confirmation desk's ``confirmation.full_house`` event, written to its
outbox as the desk does, travels the real pipeline (outbox → relay → arq → contracts and
intake). Contracts sets the nights full and publishes ``contracts.restrictions_set``, so the
agent's search shows them unsellable; intake sets the booking full with the reason, gives its
rooms back and tells the agent on his search page."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from shared.auth import Role
from shared.clock import clock
from shared.events.confirmation import FullHouseV1
from shared.events.outbox import publish
from tests.services.contracts.helpers import sellable_hotel
from tests.services.intake.helpers import inventory
from tests.support.pipeline import eventually, running_pipeline

REASON = "Front desk: the whole floor is closed for repairs"


def _booking_body(ids: dict[str, str], check_in: date) -> dict[str, Any]:
    return {
        "hotel_id": ids["hotel_id"],
        "rate_plan_id": ids["rate_plan_id"],
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "rooms": 2,
        "guest_names": ["张伟"],
        "booker_name": "王芳",
        "booker_phone": "+86 139 1234 5678",
        "payment_mode": "prepaid",
        "confirm_channel": "sms",
        "idempotency_key": str(uuid.uuid4()),
    }


def _full_house(booking: dict[str, Any], nights: list[date]) -> FullHouseV1:
    return FullHouseV1(
        booking_ref=booking["booking_ref"],
        hotel_id=uuid.UUID(booking["hotel_id"]),
        room_type_id=uuid.UUID(booking["room_type_id"]),
        nights=nights,
        reason=REASON,
        marked_by="cora",
        booking_id=uuid.UUID(booking["booking_id"]),
        marked_at=clock.now(),
    )


async def test_cf3_full_house_closes_the_nights_and_sets_the_booking_full_through_the_pipeline(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    agent = await login_as("lina", Role.AGENT)
    ids = await sellable_hotel(resources, director)
    check_in = clock.today() + timedelta(days=3)
    nights = [check_in, check_in + timedelta(days=1)]
    search = (
        f"/intake/api/search?city=Beijing&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=2)}&rooms=1"
    )

    async def offer() -> dict[str, Any] | None:
        # Until the hotel reaches intake, its city is unknown there: a 422 with no offers.
        offers = (await agent.get(search)).json().get("offers", [])
        return offers[0] if offers else None

    async with running_pipeline(("contracts", "intake")):
        assert (await eventually(offer))["can_sell"] is True  # type: ignore[index]
        placed = await agent.post_json("/intake/api/bookings", _booking_body(ids, check_in))
        assert placed.status_code == 201, placed.text
        booking = placed.json()
        sold = await inventory(sessionmaker, uuid.UUID(ids["room_type_id"]))
        assert [sold[n]["sold"] for n in nights] == [2, 2]
        async with sessionmaker() as session, session.begin():
            # As the confirmation desk publishes it: into its own outbox, in a transaction.
            payload = _full_house(booking, nights)
            await publish(session, schema="confirmation", payload=payload, occurred_at=clock.now())

        async def unsellable() -> str:
            found = await offer()
            return "" if found is None or found["can_sell"] else found["reason"]

        async def status() -> dict[str, Any] | None:
            now = (await agent.get(f"/intake/api/bookings/{booking['booking_ref']}")).json()
            return now if now["status"] == "full" else None

        reason = await eventually(unsellable)
        full = await eventually(status)

    assert f"hotel reports full on {check_in}" in reason.lower()
    assert REASON in full["remarks"]
    sold = await inventory(sessionmaker, uuid.UUID(ids["room_type_id"]))
    assert [sold[n]["sold"] for n in nights] == [0, 0]  # the booking's rooms came back
    banner = await agent.page("/intake/")
    assert f'data-full-house="{booking["booking_ref"]}"' in banner.text
