"""IN-5: modifications and cancellations through the JSON API. Rooms move in the change's own
transaction (kept nights keep their frozen price, new ones take today's), a change that
cannot be satisfied names the night or rule and writes nothing, a stale version is 409, and
every change leaves a history row, an audit row and an event."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import (
    API,
    cancel,
    change_counts,
    days,
    modify,
    outbox_payloads,
    place,
    sold,
)
from tests.services.intake.factories import apply, envelope, rates_event, seed_hotel
from tests.services.intake.helpers import counts


async def test_in5_shortening_returns_the_nights_and_keeps_the_frozen_prices(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=3, rooms=2)
    await apply(sessionmaker, envelope(rates_event(seeded, dict.fromkeys(stay, 99000))))

    response = await modify(agent, booking, check_out=stay[2])

    assert response.status_code == 200, response.text
    changed = response.json()["booking"]
    assert changed["version"] == 2 and changed["check_out"] == stay[2].isoformat()
    assert [n["sell_minor"] for n in changed["nights"]] == [68800, 68800]  # frozen, not 99000
    assert changed["total_sell_minor"] == 2 * 2 * 68800
    assert await sold(sessionmaker, seeded) == {
        **dict.fromkeys(seeded.nights, 0), stay[0]: 2, stay[1]: 2, stay[2]: 0,
    }  # fmt: skip
    [event] = await outbox_payloads(sessionmaker, "intake.booking_modified")
    assert event["before"]["check_out"] == (stay[2] + timedelta(days=1)).isoformat()
    assert event["after"]["check_out"] == stay[2].isoformat() and event["booking_version"] == 2
    assert [n["night"] for n in event["nights"]] == [stay[0].isoformat(), stay[1].isoformat()]
    assert event["reason_category"] == "guest_request" and event["reason"]


async def test_in5_extending_takes_the_new_night_at_the_current_sell_price(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=2)
    await apply(sessionmaker, envelope(rates_event(seeded, dict.fromkeys(stay, 75000))))

    response = await modify(agent, booking, check_out=stay[2] + timedelta(days=1))

    assert response.status_code == 200, response.text
    nights = response.json()["booking"]["nights"]
    assert [(n["night"], n["sell_minor"]) for n in nights] == [
        (stay[0].isoformat(), 68800), (stay[1].isoformat(), 68800), (stay[2].isoformat(), 75000),
    ]  # fmt: skip
    assert response.json()["booking"]["total_sell_minor"] == 68800 * 2 + 75000
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [1, 1, 1]
    assert response.json()["change"]["after"]["new_nights"][0]["sell_minor"] == 75000


async def test_in5_extending_onto_a_full_night_is_409_naming_it_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=1)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=10), 3)
    booking = await place(agent, seeded, stay[0], nights=2)
    await place(agent, seeded, stay[2], nights=1)  # someone else takes the last room of stay[2]
    before = (await counts(sessionmaker), await change_counts(sessionmaker))
    stock = await sold(sessionmaker, seeded)

    response = await modify(agent, booking, check_out=stay[2] + timedelta(days=1))

    assert response.status_code == 409, response.text
    assert response.json()["detail"] == f"Sold out on {stay[2]}: 0 rooms left, 1 more asked"
    assert (await counts(sessionmaker), await change_counts(sessionmaker)) == before
    assert await sold(sessionmaker, seeded) == stock
    again = await agent.get(f"{API}/{booking['booking_ref']}")
    assert again.json()["version"] == 1 and again.json()["check_out"] == stay[2].isoformat()


async def test_in5_moving_a_stay_returns_the_old_nights_and_takes_the_new(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)
    span = days(clock.today() + timedelta(days=10), 4)
    booking = await place(agent, seeded, span[0], nights=2, rooms=2)
    await apply(sessionmaker, envelope(rates_event(seeded, dict.fromkeys(span, 70000))))

    response = await modify(agent, booking, check_in=span[1], check_out=span[3])

    assert response.status_code == 200, response.text
    stock = await sold(sessionmaker, seeded)
    assert [stock[n] for n in span] == [0, 2, 2, 0]
    nights = response.json()["booking"]["nights"]
    assert [(n["night"], n["sell_minor"]) for n in nights] == [
        (span[1].isoformat(), 68800), (span[2].isoformat(), 70000),
    ]  # fmt: skip
    lines = response.json()["change"]["lines"]
    assert f"Check-in: {span[0]} → {span[1]}" in lines
    assert f"Nights released: {span[0]}" in lines


async def test_in5_rooms_count_up_and_down_moves_every_night(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=5), 2)
    booking = await place(agent, seeded, stay[0], nights=2, rooms=1)

    up = await modify(agent, booking, rooms=3)
    assert up.status_code == 200, up.text
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [3, 3]
    too_many = await modify(agent, up.json()["booking"], rooms=5)
    assert too_many.status_code == 409
    assert too_many.json()["detail"].startswith(f"Sold out on {stay[0]}: 1 room left, 2 more")
    down = await modify(agent, up.json()["booking"], rooms=1)
    assert down.status_code == 200, down.text
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [1, 1]
    assert down.json()["booking"]["version"] == 3
    assert down.json()["booking"]["total_sell_minor"] == 68800 * 2


async def test_in5_cancellation_returns_every_night_and_announces_it(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=3), 3)
    booking = await place(agent, seeded, stay[0], nights=3, rooms=2)

    response = await cancel(agent, booking)

    assert response.status_code == 200, response.text
    assert response.json()["booking"]["status"] == "cancelled"
    assert set((await sold(sessionmaker, seeded)).values()) == {0}
    [event] = await outbox_payloads(sessionmaker, "intake.booking_cancelled")
    assert event["booking_ref"] == booking["booking_ref"] and event["booking_version"] == 2
    assert [n["night"] for n in event["nights"]] == [n.isoformat() for n in stay]
    assert event["reason_category"] == "hotel_request" and event["reason"] == "Hotel closed"


async def test_in5_a_cancelled_booking_cannot_be_modified_or_cancelled_again(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    cancelled = (await cancel(agent, booking)).json()["booking"]
    before = (await change_counts(sessionmaker), await sold(sessionmaker, seeded))

    for response in (await modify(agent, cancelled, rooms=2), await cancel(agent, cancelled)):
        assert response.status_code == 409, response.text
        assert response.json()["rule"] == "IN-5" and "is cancelled" in response.json()["detail"]
    assert (await change_counts(sessionmaker), await sold(sessionmaker, seeded)) == before


async def test_in5_past_check_out_cannot_be_modified(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today(), nights=1)
    clock.set_now(clock.now() + timedelta(days=2))

    response = await modify(agent, booking, special_requests="Late checkout")

    assert response.status_code == 409, response.text
    assert "ended on" in response.json()["detail"] and response.json()["rule"] == "IN-5"
    assert (await change_counts(sessionmaker))["changes"] == 0


async def test_in5_stale_version_is_409_when_two_agents_change_one_booking(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    ana, bo = await login_as("ana", Role.AGENT), await login_as("bo", Role.TEAM_LEAD)
    stay = days(clock.today() + timedelta(days=7), 3)
    booking = await place(ana, seeded, stay[0], nights=3)

    # Both saw version 1 and send at once: one wins, the other is told to reload.
    first, second = await asyncio.gather(
        modify(ana, booking, check_out=stay[2]), modify(bo, booking, rooms=2)
    )

    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert loser.json()["fields"][0]["field"] == "version"
    assert "you saw 1" in loser.json()["detail"] and "Reload" in loser.json()["detail"]
    assert (await change_counts(sessionmaker))["changes"] == 1
    current = (await ana.get(f"{API}/{booking['booking_ref']}")).json()
    assert current["version"] == 2
    expected = [1, 1, 0] if current["rooms"] == 1 else [2, 2, 2]  # whichever change won
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == expected
    retried = await modify(bo, current, special_requests="Twin beds")
    assert retried.status_code == 200 and retried.json()["booking"]["version"] == 3


async def test_in5_reason_and_its_category_are_required_422_naming_the_field(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    before = (await change_counts(sessionmaker), await sold(sessionmaker, seeded))
    url = f"{API}/{booking['booking_ref']}"
    cases = [
        (f"{url}/modify", {"version": 1, "rooms": 2, "reason_category": "other"}, "reason"),
        (f"{url}/modify", {"version": 1, "rooms": 2, "reason": "  ", "reason_category": "other"},
         "reason"),
        (f"{url}/cancel", {"version": 1, "reason": "Guest ill", "reason_category": "x"},
         "reason_category"),
        (f"{url}/cancel", {"reason": "Guest ill", "reason_category": "other"}, "version"),
        (f"{url}/modify", {"version": 1, "rooms": 0, "reason": "r", "reason_category": "other"},
         "rooms"),
        (f"{url}/modify", {"version": 1, "check_out": str(clock.today()), "reason": "r",
                           "reason_category": "other"}, "check_out"),
        (f"{url}/modify", {"version": 1, "hotel_id": "x", "reason": "r",
                           "reason_category": "other"}, "hotel_id"),
        (f"{url}/modify", {"version": 1, "reason": "r", "reason_category": "other"}, "body"),
    ]  # fmt: skip
    for path, body, field in cases:
        response = await agent.post_json(path, body)
        assert response.status_code == 422, (body, response.text)
        assert field in [f["field"] for f in response.json()["fields"]], (body, response.text)
    assert (await change_counts(sessionmaker), await sold(sessionmaker, seeded)) == before


async def test_in5_history_rows_and_audit_record_who_when_why_before_and_after(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    stay = days(clock.today() + timedelta(days=4), 2)
    booking = await place(agent, seeded, stay[0], nights=2)
    changed = await modify(agent, booking, guest_names=["张伟"], arrival_time="23:00")
    await cancel(agent, changed.json()["booking"], reason="Trip called off")

    history = (await agent.get(f"{API}/{booking['booking_ref']}/changes")).json()
    assert history["total"] == 2
    newest, oldest = history["items"]
    assert (newest["kind"], newest["booking_version"], newest["changed_by"]) == ("cancel", 3, "ana")
    assert newest["before"] == {"status": "placed"} and newest["after"] == {"status": "cancelled"}
    assert newest["reason"] == "Trip called off"
    assert oldest["before"] == {"guest_names": ["张伟", "Li Lei"], "arrival_time": "20:00"}
    assert oldest["after"] == {"guest_names": ["张伟"], "arrival_time": "23:00"}
    async with sessionmaker() as session:
        audit = list(
            await session.execute(
                text(
                    "SELECT actor, action, before, after FROM intake.audit_log"
                    " WHERE entity = 'booking' AND entity_id = :ref ORDER BY audit_id"
                ),
                {"ref": booking["booking_ref"]},
            )
        )
    assert [(row.actor, row.action) for row in audit] == [
        ("ana", "place"), ("ana", "modify"), ("ana", "cancel"),
    ]  # fmt: skip
    assert audit[1].after["arrival_time"] == "23:00" and audit[1].after["version"] == 2
    assert audit[2].after["reason"] == "Trip called off"
    # Guests and arrival time move no rooms; the event still tells the hotel (CF-1).
    assert [(await sold(sessionmaker, seeded))[n] for n in stay] == [0, 0]
    assert len(await outbox_payloads(sessionmaker, "intake.booking_modified")) == 1


async def test_in5_only_agents_and_team_leads_change_bookings_403_otherwise(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=3))
    before = (await change_counts(sessionmaker), await sold(sessionmaker, seeded))
    for role in (Role.CONFIRMATION_DESK, Role.HOTEL_RESOURCES, Role.FINANCE):
        outsider = await login_as(f"user_{role.value}", role)
        for response in (await modify(outsider, booking, rooms=2), await cancel(outsider, booking)):
            assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert (await change_counts(sessionmaker), await sold(sessionmaker, seeded)) == before
