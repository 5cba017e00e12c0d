"""HR-3 end to end: a hotel's prices and rooms are loaded, but nothing of it is sellable in
intake until a director other than the drafter signs its contract; then the nights of the
contract's validity (and only those) appear, through outbox → relay → arq → intake."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import API, night, set_up_hotel
from tests.support.pipeline import eventually, running_pipeline


async def _load_nights(desk: Any, ids: dict[str, str]) -> None:
    body = {"first_night": night(1), "last_night": night(20)}
    rooms = {**body, "room_type_id": ids["room_type_id"], "rooms": 6}
    prices = {**body, "rate_plan_id": ids["rate_plan_id"], "net_minor": 50000, "sell_minor": 62000}
    assert (await desk.request_json("PUT", f"{API}/allotments", rooms)).status_code == 200
    assert (await desk.request_json("PUT", f"{API}/rates", prices)).status_code == 200


def _search(days_ahead: int, nights: int = 2) -> str:
    check_in = clock.today() + timedelta(days=days_ahead)
    return (
        f"/intake/api/search?city=Beijing&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=nights)}&rooms=1"
    )


def _booking(ids: dict[str, str], days_ahead: int) -> dict[str, Any]:
    check_in = clock.today() + timedelta(days=days_ahead)
    return {
        "hotel_id": ids["hotel_id"],
        "rate_plan_id": ids["rate_plan_id"],
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "rooms": 1,
        "guest_names": ["张伟"],
        "booker_name": "王芳",
        "booker_phone": "13912345678",
        "payment_mode": "prepaid",
        "confirm_channel": "sms",
        "idempotency_key": f"hr3-{days_ahead}",
    }


async def test_hr3_nothing_is_sellable_until_another_director_signs(login_as) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    drafter = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    director = await login_as("lina", Role.RESOURCES_DIRECTOR)
    agent = await login_as("xiaomei", Role.AGENT)
    ids = await set_up_hotel(resources)
    async with running_pipeline(("intake", "contracts")):
        await _load_nights(resources, ids)

        async def offered() -> list[dict[str, Any]]:
            # Until the hotel reaches intake, its city is unknown there: a 422 with no offers.
            return (await agent.get(_search(3))).json().get("offers", [])

        unsigned = await eventually(offered)  # prices and rooms have reached intake...
        assert unsigned[0]["can_sell"] is False  # ...but no contract is signed (HR-3)
        assert "No signed contract for" in unsigned[0]["reason"]
        refused = await agent.post_json("/intake/api/bookings", _booking(ids, 3))
        assert refused.status_code == 409 and refused.json()["rule"] == "HR-3"

        terms = {
            "valid_from": night(1),
            "valid_to": night(10),
            "payment_arrangement": "net_prepaid",
        }
        draft = await drafter.post_json(f"{API}/hotels/{ids['hotel_id']}/contracts", terms)
        version = draft.json()["version_id"]
        assert (await drafter.post_json(f"{API}/versions/{version}/submit", {})).status_code == 200
        own = await drafter.post_json(f"{API}/versions/{version}/approve", {"note": "ok"})
        assert own.status_code == 403
        assert (await offered())[0]["can_sell"] is False

        signed = await director.post_json(f"{API}/versions/{version}/approve", {"note": "ok"})
        assert signed.status_code == 200

        async def sellable() -> bool:
            return bool((await offered())[0]["can_sell"])

        await eventually(sellable)
        placed = await agent.post_json("/intake/api/bookings", _booking(ids, 3))
        assert placed.status_code == 201, placed.text
        beyond = (await agent.get(_search(10))).json()["offers"][0]  # nights 10 and 11
        assert beyond["can_sell"] is False
        assert f"no signed contract for {night(11)}" in beyond["reason"].lower()
