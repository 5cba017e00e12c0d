"""The hotels' answers on the booking desk's side, through intake's real event handlers:
confirmed bookings with the hotel's number (CF-4), full house (CF-3: status full, the reason in
the remarks, our rooms back, the agent told until he called the customer), and online bookings
(CF-5: the source stored and announced)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import cancel, modify, place
from tests.services.intake.factories import apply, seed_hotel
from tests.services.intake.helpers import booking_body, inventory
from tests.services.intake.outcomes_support import (
    REASON,
    answers,
    audit_actions,
    confirmed,
    fetched,
    full_house,
    handle_again,
)
from tests.services.intake.test_on_request import on_request

API = "/intake/api/bookings"


# --- CF-4: confirmed ---------------------------------------------------------------------


async def test_cf4_confirmed_booking_shows_confirmed_with_the_hotels_number(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=4))
    event = confirmed(booking, number="HX-2291")

    assert await apply(sessionmaker, event) == "handled"

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "confirmed" and now["hotel_confirmation_no"] == "HX-2291"
    assert now["hotel_confirmed_version"] == 1 and now["version"] == 1
    page = await agent.page(f"/intake/bookings/{booking['booking_ref']}")
    assert f"Booking {booking['booking_ref']} confirmed" in page.text
    assert "Confirmed by the hotel: confirmation no." in page.text and "HX-2291" in page.text
    assert ("cora" in page.text) and ("Hotel's answers" in page.text)
    # Redelivered: the inbox drops it; run past the inbox, the handler itself changes nothing.
    assert await apply(sessionmaker, event) == "duplicate"
    await handle_again(sessionmaker, event)
    assert await fetched(agent, booking["booking_ref"]) == now
    assert len(await answers(sessionmaker, booking["booking_id"])) == 1
    actions = await audit_actions(sessionmaker, booking["booking_ref"])
    assert actions == [("ana", "place"), ("confirmation:cora", "hotel_confirmed")]


async def test_cf4_a_late_confirmation_of_an_older_version_does_not_overwrite(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=4)
    booking = await place(agent, seeded, check_in, nights=3)
    changed = await modify(agent, booking, check_out=(check_in + timedelta(days=2)).isoformat())
    assert changed.status_code == 200, changed.text
    assert changed.json()["booking"]["version"] == 2

    # The hotel confirmed the stay as first sent, after the agent had shortened it.
    assert await apply(sessionmaker, confirmed(booking, number="OLD-1", version=1)) == "handled"

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "placed" and now["hotel_confirmation_no"] is None
    assert await apply(sessionmaker, confirmed(booking, number="NEW-2", version=2)) == "handled"
    later_old = confirmed(booking, number="OLD-1b", version=1, at=clock.now() + timedelta(hours=1))
    assert await apply(sessionmaker, later_old) == "handled"

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "confirmed" and now["hotel_confirmation_no"] == "NEW-2"
    kept = await answers(sessionmaker, booking["booking_id"])
    assert [(a["confirmation_no"], a["applied"]) for a in kept] == [
        ("OLD-1", False),
        ("NEW-2", True),
        ("OLD-1b", False),
    ]
    page = await agent.page(f"/intake/bookings/{booking['booking_ref']}")
    assert "OLD-1b" in page.text and "not applied: the booking changed since" in page.text


async def test_cf4_a_confirmed_booking_changed_awaits_the_hotel_again_and_can_be_cancelled(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=4)
    booking = await place(agent, seeded, check_in, nights=2, rooms=2)
    await apply(sessionmaker, confirmed(booking, number="HX-1"))

    changed = await modify(agent, booking, rooms=3)

    assert changed.status_code == 200, changed.text
    after = changed.json()["booking"]
    assert after["status"] == "placed" and after["hotel_confirmation_no"] == "HX-1"
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in]["sold"] == 3
    page = await agent.page(f"/intake/bookings/{booking['booking_ref']}")
    assert "the change to version 2 awaits the hotel" in page.text
    # A confirmed booking holds its rooms: cancelling it gives every one back (IN-5).
    await apply(sessionmaker, confirmed(after, number="HX-2"))
    assert (await fetched(agent, booking["booking_ref"]))["status"] == "confirmed"
    assert (await cancel(agent, {**after, "version": 2})).status_code == 200
    assert (await inventory(sessionmaker, seeded.room_type_id))[check_in]["sold"] == 0


async def test_cf4_a_confirmed_cancellation_keeps_the_hotels_number_and_the_status(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=4))
    assert (await cancel(agent, booking)).status_code == 200

    await apply(sessionmaker, confirmed(booking, number="CX-77", version=2, kind="cancel"))

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "cancelled" and now["hotel_cancellation_no"] == "CX-77"
    assert now["hotel_confirmation_no"] is None
    page = await agent.page(f"/intake/bookings/{booking['booking_ref']}")
    assert "Cancellation confirmed, no. CX-77" in page.text


async def test_hr2_on_request_booking_the_hotel_confirms_is_confirmed_and_takes_no_rooms(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=6)
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, check_in, nights=2)
    assert booking["status"] == "requested"
    before = await inventory(sessionmaker, seeded.room_type_id)

    await apply(sessionmaker, confirmed(booking, number="REQ-9"))

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "confirmed" and now["on_request"] is True
    assert await inventory(sessionmaker, seeded.room_type_id) == before


# --- CF-3: full house --------------------------------------------------------------------


async def test_cf3_full_house_sets_full_with_the_reason_and_gives_the_rooms_back(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=6)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=5)
    refused = await place(agent, seeded, check_in, nights=3, rooms=2)
    kept = await place(agent, seeded, check_in + timedelta(days=1), nights=1, rooms=1)
    event = full_house(refused)

    assert await apply(sessionmaker, event) == "handled"

    now = await fetched(agent, refused["booking_ref"])
    assert now["status"] == "full" and REASON in now["remarks"]
    stock = await inventory(sessionmaker, seeded.room_type_id)
    nights = [check_in + timedelta(days=n) for n in range(3)]
    # Each night gives back this booking's 2 rooms; the other booking's room stays sold.
    assert [stock[n]["sold"] for n in nights] == [0, 1, 0]
    assert (await fetched(agent, kept["booking_ref"]))["status"] == "placed"
    page = await agent.page(f"/intake/bookings/{refused['booking_ref']}")
    assert f"Full house: {REASON} — call the customer with alternatives" in html.unescape(page.text)
    # Redelivery changes nothing: not the status, not the remarks, not one room count.
    assert await apply(sessionmaker, event) == "duplicate"
    await handle_again(sessionmaker, event)
    assert await fetched(agent, refused["booking_ref"]) == now
    assert await inventory(sessionmaker, seeded.room_type_id) == stock
    refused_change = await modify(agent, {**refused, "version": now["version"]}, rooms=1)
    assert refused_change.status_code == 409  # IN-5: a full booking is settled


async def test_cf3_on_request_booking_full_house_returns_no_rooms(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    check_in = clock.today() + timedelta(days=6)
    await on_request(sessionmaker, seeded, [check_in])
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, check_in, nights=2, rooms=2)
    before = await inventory(sessionmaker, seeded.room_type_id)

    assert await apply(sessionmaker, full_house(booking)) == "handled"

    assert (await fetched(agent, booking["booking_ref"]))["status"] == "full"
    assert await inventory(sessionmaker, seeded.room_type_id) == before


async def test_cf3_full_house_of_a_cancelled_booking_is_kept_but_changes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    booking = await place(agent, seeded, clock.today() + timedelta(days=6))
    assert (await cancel(agent, booking)).status_code == 200
    before = await inventory(sessionmaker, seeded.room_type_id)

    assert await apply(sessionmaker, full_house(booking)) == "handled"

    now = await fetched(agent, booking["booking_ref"])
    assert now["status"] == "cancelled" and now["remarks"] == ""
    assert await inventory(sessionmaker, seeded.room_type_id) == before
    assert [a["applied"] for a in await answers(sessionmaker, booking["booking_id"])] == [False]
    assert (await agent.get("/intake/api/full-house")).json() == []


async def test_cf3_banner_tells_only_the_bookings_agent_until_he_called_the_customer(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    ana = await login_as("ana", Role.AGENT)
    bo = await login_as("bo", Role.AGENT)
    booking = await place(ana, seeded, clock.today() + timedelta(days=6))
    ref = booking["booking_ref"]
    await apply(sessionmaker, full_house(booking))

    banner = await ana.page("/intake/")
    assert _banner_refs(banner.text) == [ref] and REASON in banner.text
    assert "Called the customer" in banner.text
    assert _banner_refs((await bo.page("/intake/")).text) == []
    assert (
        await bo.post_json(f"/intake/api/full-house/{ref}/acknowledgement", {})
    ).status_code == 403

    called = await ana.post_form(f"/intake/full-house/{ref}/acknowledge", {})

    assert called.status_code == 303 and called.headers["location"] == f"/intake/?called={ref}"
    after = await ana.page(called.headers["location"])
    assert _banner_refs(after.text) == [] and f"you called the customer of {ref}" in after.text
    assert (await ana.get("/intake/api/full-house")).json() == []
    page = await ana.page(f"/intake/bookings/{ref}")
    assert "Customer called by ana at" in page.text
    again = await ana.post_json(f"/intake/api/full-house/{ref}/acknowledgement", {})
    assert again.status_code == 200 and again.json()["acknowledged_by"] == "ana"
    actions = await audit_actions(sessionmaker, ref)
    assert actions.count(("ana", "full_house_called")) == 1
    assert ("confirmation:cora", "full_house") in actions


def _banner_refs(page: str) -> list[str]:
    return re.findall(r'data-full-house="(RL\w+)"', page)


# --- CF-5: online bookings ----------------------------------------------------------------


async def test_cf5_an_online_booking_is_stored_and_announced_as_online(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=6)

    online = await agent.post_json(API, booking_body(seeded, check_in, source="online"))
    phone = await agent.post_json(API, booking_body(seeded, check_in))

    assert online.status_code == 201 and phone.status_code == 201, online.text
    assert online.json()["source"] == "online" and phone.json()["source"] == "phone"
    payloads = await _placed_payloads(sessionmaker)
    assert payloads[online.json()["booking_ref"]]["source"] == "online"
    assert payloads[phone.json()["booking_ref"]]["source"] == "phone"
    async with sessionmaker() as session:
        stored = await session.scalar(
            text("SELECT source FROM intake.booking WHERE booking_ref = :ref"),
            {"ref": online.json()["booking_ref"]},
        )
    assert stored == "online"


async def test_cf5_an_unknown_source_is_refused_naming_the_field(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)

    refused = await agent.post_json(
        API, booking_body(seeded, clock.today() + timedelta(days=6), source="web")
    )

    assert refused.status_code == 422
    assert [f["field"] for f in refused.json()["fields"]] == ["source"]
    async with sessionmaker() as session:
        assert await session.scalar(text("SELECT count(*) FROM intake.booking")) == 0


async def test_cf5_the_agents_form_always_books_by_phone(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=4)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=6)
    form = await agent.page(
        "/intake/book",
        params={
            "rate_plan_id": str(seeded.rate_plan_id),
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=1)).isoformat(),
            "rooms": "1",
        },
    )
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.text))
    hidden.pop("csrf_token", None)
    body = {
        **{k: html.unescape(v) for k, v in hidden.items()},
        **_form_fields(),
        "payment_mode": seeded.payment_mode,
        "source": "online",
    }

    placed = await agent.post_form("/intake/bookings", body)

    assert placed.status_code == 303, placed.text
    ref = placed.headers["location"].rsplit("/", 1)[1]
    assert (await fetched(agent, ref))["source"] == "phone"


def _form_fields() -> dict[str, str]:
    return {
        "guest_names": "张伟",
        "booker_name": "王芳",
        "booker_phone": "138 0013 8000",
        "confirm_channel": "phone",
    }


async def _placed_payloads(sessionmaker: Any) -> dict[str, dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM intake.outbox WHERE name = 'intake.booking_placed'")
        )
        return {row.payload["booking_ref"]: row.payload for row in rows}
