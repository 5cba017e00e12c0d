"""IN-11 / HR-4: a special price below the published one holds the rooms but waits for the
pricing desk; approving sends the booking on (its event), rejecting releases the rooms in the
same transaction and tells the agent why. Never below net. Maker-checker: agents never
approve, nor does the person who asked."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body, counts, inventory
from tests.services.intake.test_on_request import on_request

API = "/intake/api/bookings"
QUEUE = "/intake/api/special-prices"
# seed_hotel: sell 68800 per night, net 85% of it = 58480.
SELL, NET = 68800, 58480


def special(seeded: Any, days_ahead: int = 6, **overrides: Any) -> dict[str, Any]:
    body = {
        "special_sell_minor": 60000,
        "special_price_reason": "Regular corporate guest, matched a competitor's quote",
        **overrides,
    }
    return booking_body(
        seeded, clock.today() + timedelta(days=days_ahead), nights=2, rooms=2, **body
    )


async def _placed_events(sessionmaker: Any) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT payload, occurred_at FROM intake.outbox "
                "WHERE name = 'intake.booking_placed' ORDER BY created_at"
            )
        )
        return [{**row.payload, "_occurred_at": row.occurred_at} for row in rows]


async def _sold(sessionmaker: Any, seeded: Any, days_ahead: int = 6) -> list[int]:
    stock = await inventory(sessionmaker, seeded.room_type_id)
    first = clock.today() + timedelta(days=days_ahead)
    return [stock[first + timedelta(days=d)]["sold"] for d in range(3)]


async def _asked(login_as: Any, sessionmaker: Any, **overrides: Any) -> tuple[Any, dict[str, Any]]:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, special(seeded, **overrides))
    assert response.status_code == 201, response.text
    return seeded, response.json()


async def test_in11_special_price_holds_the_rooms_but_tells_nobody_yet(
    login_as, sessionmaker
) -> None:
    seeded, booking = await _asked(login_as, sessionmaker)

    assert booking["status"] == "awaiting_price_approval"
    assert [n["sell_minor"] for n in booking["nights"]] == [60000, 60000]
    assert [n["net_minor"] for n in booking["nights"]] == [NET, NET]
    assert booking["total_sell_minor"] == 60000 * 2 * 2
    assert booking["special_price"]["state"] == "pending"
    assert await _sold(sessionmaker, seeded) == [2, 2, 0]  # held
    assert await _placed_events(sessionmaker) == []  # not sent to the confirmation desk
    assert (await counts(sessionmaker))["audit"] == 1


async def test_in11_pricing_desk_sees_the_queue_and_agents_do_not(login_as, sessionmaker) -> None:
    _, booking = await _asked(login_as, sessionmaker)
    resources = await login_as("hua", Role.HOTEL_RESOURCES)
    agent = await login_as("bo", Role.AGENT)

    listing = await resources.get(QUEUE)
    page = await resources.page("/intake/special-prices")

    [item] = listing.json()["items"]
    assert item["booking_ref"] == booking["booking_ref"] and item["rooms"] == 2
    assert (
        item["special"]["special_sell_minor"] == 60000 and item["special"]["requested_by"] == "ana"
    )
    assert [n["sell_minor"] for n in item["published"]] == [SELL, SELL]  # what was published
    assert booking["booking_ref"] in page.text and "CN¥600.00" in page.text
    assert "CN¥688.00" in page.text and "Approve" in page.text
    assert "Regular corporate guest" in page.text
    assert (await agent.get(QUEUE)).status_code == 403
    assert (await agent.page("/intake/special-prices")).status_code == 403


async def test_in11_approval_sends_the_booking_on_with_its_event(login_as, sessionmaker) -> None:
    seeded, booking = await _asked(login_as, sessionmaker)
    director = await login_as("wu", Role.RESOURCES_DIRECTOR)
    clock.set_now(clock.now() + timedelta(minutes=20))

    response = await director.post_json(f"{QUEUE}/{booking['booking_ref']}/approve", {})

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "placed"
    assert response.json()["special_price"]["decided_by"] == "wu"
    [event] = await _placed_events(sessionmaker)
    assert event["booking_ref"] == booking["booking_ref"] and event["status"] == "placed"
    assert [n["sell_minor"] for n in event["nights"]] == [60000, 60000]
    assert event["_occurred_at"] == clock.now()  # CF-2's clock starts at the approval
    assert await _sold(sessionmaker, seeded) == [2, 2, 0]  # still held, not sold twice
    assert (await director.get(QUEUE)).json()["items"] == []
    assert (await counts(sessionmaker))["audit"] == 2


async def test_in11_rejection_releases_the_rooms_and_the_agent_reads_why(
    login_as, sessionmaker
) -> None:
    seeded, booking = await _asked(login_as, sessionmaker)
    resources = await login_as("hua", Role.HOTEL_RESOURCES)
    agent = await login_as("ana2", Role.AGENT)
    ref = booking["booking_ref"]

    rejected = await resources.post_form(
        f"/intake/special-prices/{ref}/reject", {"note": "Margin too thin in high season"}
    )

    assert rejected.status_code == 303
    assert rejected.headers["location"] == f"/intake/special-prices?decided={ref}+rejected"
    assert await _sold(sessionmaker, seeded) == [0, 0, 0]  # the rooms are back
    assert await _placed_events(sessionmaker) == []
    page = await agent.page(f"/intake/bookings/{ref}")
    assert f"Booking {ref} price rejected" in page.text
    assert (
        "Special price rejected by hua" in page.text
        and "Margin too thin in high season" in page.text
    )
    decided = (await resources.get(QUEUE, params={"state": "rejected"})).json()["items"]
    assert [i["booking_ref"] for i in decided] == [ref]


async def test_in11_rejecting_needs_a_reason_and_changes_nothing_without(
    login_as, sessionmaker
) -> None:
    seeded, booking = await _asked(login_as, sessionmaker)
    resources = await login_as("hua", Role.HOTEL_RESOURCES)

    api = await resources.post_json(f"{QUEUE}/{booking['booking_ref']}/reject", {"note": " "})
    form = await resources.post_form(f"/intake/special-prices/{booking['booking_ref']}/reject", {})

    assert api.status_code == 422 and api.json()["fields"][0]["field"] == "note"
    assert form.status_code == 422 and "Say why, so the agent can tell the guest." in form.text
    assert await _sold(sessionmaker, seeded) == [2, 2, 0]
    assert (await resources.get(QUEUE)).json()["total"] == 1


async def test_in11_agents_can_never_approve(login_as, sessionmaker) -> None:
    _, booking = await _asked(login_as, sessionmaker)
    lead = await login_as("lena", Role.TEAM_LEAD)
    for client in (await login_as("bo", Role.AGENT), lead):
        response = await client.post_json(f"{QUEUE}/{booking['booking_ref']}/approve", {})
        assert response.status_code == 403
    assert await _placed_events(sessionmaker) == []
    assert (await lead.get(f"{API}/{booking['booking_ref']}")).json()[
        "status"
    ] == "awaiting_price_approval"


async def test_in11_nobody_approves_their_own_special_price(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    both = await login_as("mixed", Role.AGENT, Role.HOTEL_RESOURCES)
    booking = (await both.post_json(API, special(seeded))).json()

    response = await both.post_json(f"{QUEUE}/{booking['booking_ref']}/approve", {})

    assert (
        response.status_code == 403 and "another person must approve" in response.json()["detail"]
    )
    assert await _placed_events(sessionmaker) == []


async def test_in11_approve_and_reject_racing_decide_once(login_as, sessionmaker) -> None:
    seeded, booking = await _asked(login_as, sessionmaker)
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    wu = await login_as("wu", Role.RESOURCES_DIRECTOR)
    path = f"{QUEUE}/{booking['booking_ref']}"

    approved, rejected = await asyncio.gather(
        hua.post_json(f"{path}/approve", {}), wu.post_json(f"{path}/reject", {"note": "No"})
    )

    assert sorted([approved.status_code, rejected.status_code]) == [200, 409]
    events = await _placed_events(sessionmaker)
    held = await _sold(sessionmaker, seeded)
    if approved.status_code == 200:
        assert len(events) == 1 and held == [2, 2, 0]
    else:
        assert events == [] and held == [0, 0, 0]


async def test_in11_on_request_special_price_takes_no_rooms_either_way(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=6)
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)
    resources = await login_as("hua", Role.HOTEL_RESOURCES)
    first = (await agent.post_json(API, special(seeded))).json()
    second = (await agent.post_json(API, special(seeded))).json()

    approved = await resources.post_json(f"{QUEUE}/{first['booking_ref']}/approve", {})
    rejected = await resources.post_json(f"{QUEUE}/{second['booking_ref']}/reject", {"note": "No"})

    assert first["on_request"] and first["status"] == "awaiting_price_approval"
    assert (
        approved.json()["status"] == "requested" and rejected.json()["status"] == "price_rejected"
    )
    assert await _sold(sessionmaker, seeded) == [0, 0, 0]
    [event] = await _placed_events(sessionmaker)
    assert event["status"] == "requested"


BAD_SPECIALS = {
    "below_net": ("special_sell_minor", {"special_sell_minor": NET - 1}),
    "equal_to_published": ("special_sell_minor", {"special_sell_minor": SELL}),
    "above_published": ("special_sell_minor", {"special_sell_minor": SELL + 100}),
    "zero": ("special_sell_minor", {"special_sell_minor": 0}),
    "not_a_number": ("special_sell_minor", {"special_sell_minor": "cheap"}),
    "no_reason": ("special_price_reason", {"special_price_reason": "  "}),
}


@pytest.mark.parametrize("case", list(BAD_SPECIALS))
async def test_in11_hr4_bad_special_price_is_422_naming_the_field_and_writes_nothing(
    case: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    field, overrides = BAD_SPECIALS[case]

    response = await agent.post_json(API, special(seeded, **overrides))

    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]]
    assert await counts(sessionmaker) == dict.fromkeys(
        ("bookings", "booking_nights", "placed_events", "outbox", "audit"), 0
    )
    assert await _sold(sessionmaker, seeded) == [0, 0, 0]


async def test_in11_hr4_below_net_names_the_rule(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    response = await agent.post_json(API, special(seeded, special_sell_minor=NET - 1))
    assert response.json()["rule"] == "HR-4"
    at_net = await agent.post_json(API, special(seeded, special_sell_minor=NET))
    assert at_net.status_code == 201  # at net is allowed: never *below* it


async def test_in11_agent_asks_for_a_special_price_through_the_form(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=6)
    form = await agent.page(
        "/intake/book",
        params={"rate_plan_id": str(seeded.rate_plan_id), "check_in": check_in.isoformat(),
                "check_out": str(check_in + timedelta(days=2)), "rooms": "2"},
    )  # fmt: skip
    hidden = {
        k: html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.text)
        if k != "csrf_token"
    }
    filled = {**hidden, "guest_names": "张伟", "booker_name": "王芳", "booker_phone": "13800138000",
              "payment_mode": "prepaid", "confirm_channel": "phone", "special_sell": "600.00",
              "special_price_reason": "Matched a competitor"}  # fmt: skip

    placed = await agent.post_form("/intake/bookings", filled)

    assert placed.status_code == 303, placed.text
    page = await agent.page(placed.headers["location"])
    assert "awaiting price approval" in page.text and "Waiting for the pricing desk" in page.text
    assert await _sold(sessionmaker, seeded) == [2, 2, 0]
    bad = await agent.post_form(
        "/intake/bookings", {**filled, "idempotency_key": "x2", "special_sell": "6,00"}
    )
    assert (
        bad.status_code == 422 and "Special price: enter an amount like 580.00 (CNY)." in bad.text
    )
