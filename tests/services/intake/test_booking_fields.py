"""IN-4: every field of a booking is captured, validated, stored and carried by the event the
confirmation desk reads (CF-2, CF-6); bad input is a 422 naming the field with nothing written;
the same request sent five times at once is one booking."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from services.confirmation.handlers import HANDLERS as CONFIRMATION_HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.events import Envelope
from shared.events.consumer import apply_once
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body, call_form, counts, inventory

API = "/intake/api/bookings"
NOTHING = dict.fromkeys(("bookings", "booking_nights", "placed_events", "outbox", "audit"), 0)


async def _row(sessionmaker: Any, ref: str) -> dict[str, Any]:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text("SELECT * FROM intake.booking WHERE booking_ref = :ref"), {"ref": ref}
            )
        ).one()
    return dict(row._mapping)


async def _event(sessionmaker: Any) -> Envelope:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text(
                    "SELECT event_id, name, version, occurred_at, payload FROM intake.outbox "
                    "WHERE name = 'intake.booking_placed'"
                )
            )
        ).one()
    return Envelope(**row._mapping, source="intake")


async def test_in4_every_field_is_stored_returned_and_in_the_event(login_as, sessionmaker) -> None:
    clock.set_now(datetime.fromisoformat("2026-05-04T02:15:00+00:00"))  # 10:15 in Beijing
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=9)
    answered = clock.now() - timedelta(seconds=190)
    body = booking_body(
        seeded, check_in, nights=3, rooms=2, confirm_channel="email",
        confirm_contact="wang.fang@acme.example", reply_at_once=True, arrival_time="21:30",
        form_id=await call_form(agent, "Q7-0042", answered.isoformat()),
    )  # fmt: skip

    response = await agent.post_json(API, body)

    assert response.status_code == 201, response.text
    ref = response.json()["booking_ref"]
    row = await _row(sessionmaker, ref)
    expected = {
        "hotel_id": seeded.hotel_id, "rate_plan_id": seeded.rate_plan_id,
        "room_type_id": seeded.room_type_id, "check_in": check_in,
        "check_out": check_in + timedelta(days=3), "rooms": 2,
        "guest_names": ["张伟", "Li Lei"], "booker_name": "王芳",
        "booker_phone": "+86 139 1234 5678", "booker_company": "Acme Trading",
        "member_card": "M123456", "payment_mode": "prepaid", "confirm_channel": "email",
        "confirm_contact": "wang.fang@acme.example", "reply_at_once": True,
        "special_requests": "High floor, non-smoking", "arrival_time": "21:30",
        "urgent": False, "status": "placed", "on_request": False, "call_id": "Q7-0042",
        "handling_source": "call", "handle_seconds": 190, "agent_username": "ana",
        "total_sell_minor": 3 * 2 * 68800, "currency": "CNY",
    }  # fmt: skip
    assert {key: row[key] for key in expected} == expected
    assert row["handling_started_at"] == answered and row["committed_at"] == clock.now()
    api = response.json()
    assert {k: api[k] for k in ("confirm_contact", "reply_at_once", "handle_seconds")} == {
        "confirm_contact": "wang.fang@acme.example", "reply_at_once": True, "handle_seconds": 190,
    }  # fmt: skip
    async with sessionmaker() as session:
        nights = (
            await session.execute(
                text("SELECT night, net_minor, sell_minor FROM intake.booking_night ORDER BY night")
            )
        ).all()
    assert [(n.night, n.sell_minor) for n in nights] == [
        (check_in + timedelta(days=d), 68800) for d in range(3)
    ]  # per-night prices frozen
    payload = (await _event(sessionmaker)).payload
    for key in ("booker_name", "booker_company", "member_card", "confirm_channel", "arrival_time"):
        assert payload[key] == row[key], key
    assert payload["confirm_contact"] == "wang.fang@acme.example"
    assert payload["reply_at_once"] is True and payload["status"] == "placed"
    assert payload["call_id"] == "Q7-0042" and payload["handle_seconds"] == 190
    assert payload["guest_names"] == ["张伟", "Li Lei"] and payload["rooms"] == 2
    assert [n["sell_minor"] for n in payload["nights"]] == [68800] * 3


async def test_cf6_reply_at_once_gives_the_confirmation_task_one_hour(
    login_as, sessionmaker
) -> None:
    """The event carries "reply at once" and confirmation's own handler turns it into a
    deadline of booked + 1 hour, where a stay 9 days ahead would otherwise get 24 hours."""
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    body = booking_body(seeded, clock.today() + timedelta(days=9), reply_at_once=True)
    placed = await agent.post_json(API, body)
    assert placed.status_code == 201, placed.text

    outcome = await apply_once(
        sessionmaker,
        service="confirmation",
        schema="confirmation",
        handlers=CONFIRMATION_HANDLERS,
        envelope=await _event(sessionmaker),
    )

    assert outcome == "handled"
    async with sessionmaker() as session:
        task = (
            await session.execute(
                text("SELECT booked_at, deadline_at FROM confirmation.confirmation_task")
            )
        ).one()
    assert task.deadline_at - task.booked_at == timedelta(hours=1)


async def test_in4_urgency_is_judged_on_the_business_date_not_utcs(login_as, sessionmaker) -> None:
    # 17:30 UTC on 10 March is 01:30 on 11 March in Beijing: "today" is the 11th.
    clock.set_now(datetime.fromisoformat("2026-03-10T17:30:00+00:00"))
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    beijing_today = clock.today()
    assert beijing_today.isoformat() == "2026-03-11"

    today = await agent.post_json(API, booking_body(seeded, beijing_today, nights=1))
    tomorrow = await agent.post_json(
        API, booking_body(seeded, beijing_today + timedelta(days=1), nights=1)
    )

    assert today.status_code == 201 and today.json()["urgent"] is True
    assert tomorrow.status_code == 201 and tomorrow.json()["urgent"] is False


async def test_in4_phone_and_sms_default_to_the_bookers_phone(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=4)
    sms = await agent.post_json(API, booking_body(seeded, check_in, confirm_channel="sms"))
    fax = await agent.post_json(
        API, booking_body(seeded, check_in, confirm_channel="fax", confirm_contact="010-65120000")
    )
    assert sms.json()["confirm_contact"] == "+86 139 1234 5678"
    assert fax.json()["confirm_contact"] == "010-65120000"


def _without(field: str) -> Any:
    return lambda s, d: {k: v for k, v in booking_body(s, d).items() if k != field}


BAD_INPUT = {
    "check_out_not_after_check_in": ("check_out", lambda s, d: booking_body(s, d, nights=0)),
    "over_30_nights": ("check_out", lambda s, d: booking_body(s, d, nights=31)),
    "zero_rooms": ("rooms", lambda s, d: booking_body(s, d, rooms=0)),
    "malformed_phone": ("booker_phone", lambda s, d: booking_body(s, d, booker_phone="12-ab")),
    "phone_too_short": ("booker_phone", lambda s, d: booking_body(s, d, booker_phone="12345")),
    "guest_name_missing": ("guest_names", lambda s, d: booking_body(s, d, guest_names=[])),
    "guest_names_blank": ("guest_names", lambda s, d: booking_body(s, d, guest_names=["  "])),
    "email_channel_without_email": (
        "confirm_contact",
        lambda s, d: booking_body(s, d, confirm_channel="email"),
    ),
    "email_channel_with_a_phone": (
        "confirm_contact",
        lambda s, d: booking_body(s, d, confirm_channel="email", confirm_contact="13800138000"),
    ),
    "fax_channel_without_fax": (
        "confirm_contact",
        lambda s, d: booking_body(s, d, confirm_channel="fax"),
    ),
    "sms_to_a_non_number": (
        "confirm_contact",
        lambda s, d: booking_body(s, d, confirm_channel="sms", confirm_contact="by pigeon"),
    ),
    "payment_mode_not_the_rate_plans": (
        "payment_mode",
        lambda s, d: booking_body(s, d, payment_mode="pay_at_hotel"),
    ),
    "payment_mode_unknown": ("payment_mode", lambda s, d: booking_body(s, d, payment_mode="cash")),
    "payment_mode_missing": ("payment_mode", _without("payment_mode")),
    "arrival_time_not_hh_mm": (
        "arrival_time",
        lambda s, d: booking_body(s, d, arrival_time="evening"),
    ),
    "member_card_malformed": ("member_card", lambda s, d: booking_body(s, d, member_card="M 1!")),
    "reply_at_once_not_a_flag": (
        "reply_at_once",
        lambda s, d: booking_body(s, d, reply_at_once="perhaps"),
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
async def test_in4_bad_input_is_422_naming_the_field_and_writes_nothing(
    case: str, login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    field, build = BAD_INPUT[case]
    stock = await inventory(sessionmaker, seeded.room_type_id)

    response = await agent.post_json(API, build(seeded, clock.today() + timedelta(days=2)))

    assert response.status_code == 422, response.text
    assert field in [f["field"] for f in response.json()["fields"]], response.json()
    assert await counts(sessionmaker) == NOTHING
    assert await inventory(sessionmaker, seeded.room_type_id) == stock


async def test_in4_the_same_request_sent_five_times_at_once_is_one_booking(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=6)
    body = booking_body(seeded, check_in, nights=2, rooms=2, idempotency_key="call-77-five")

    responses = await asyncio.gather(*(agent.post_json(API, body) for _ in range(5)))

    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.json()["booking_id"] for r in responses}) == 1
    stock = await inventory(sessionmaker, seeded.room_type_id)
    assert [stock[check_in + timedelta(days=d)]["sold"] for d in range(3)] == [2, 2, 0]
    assert await counts(sessionmaker) == {
        "bookings": 1, "booking_nights": 2, "placed_events": 1, "outbox": 1, "audit": 1,
    }  # fmt: skip


async def test_in4_form_asks_for_the_email_and_keeps_what_was_typed(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=3)
    form = await agent.page(
        "/intake/book",
        params={
            "rate_plan_id": str(seeded.rate_plan_id),
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=1)).isoformat(),
            "rooms": "1",
        },
    )
    for label in ("Send confirmation to", "Reply at once", "Special price per room per night"):
        assert label in form.text, label
    hidden = {
        name: value
        for name, value in re.findall(
            r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.text
        )
        if name != "csrf_token"
    }
    filled = {
        **hidden, "guest_names": "张伟", "booker_name": "王芳", "booker_phone": "13800138000",
        "payment_mode": "prepaid", "confirm_channel": "email", "reply_at_once": "true",
    }  # fmt: skip

    refused = await agent.post_form("/intake/bookings", filled)

    assert refused.status_code == 422
    assert "Enter the customer&#39;s email address for an email confirmation." in refused.text
    assert (
        'value="王芳"' in refused.text
        and 'name="reply_at_once" value="true" checked' in refused.text
    )
    assert (await counts(sessionmaker))["bookings"] == 0
    placed = await agent.post_form(
        "/intake/bookings", {**filled, "confirm_contact": "wf@acme.example"}
    )
    assert placed.status_code == 303, placed.text
    page = await agent.page(placed.headers["location"])
    assert "email to wf@acme.example" in page.text and "reply at once" in page.text
