"""The caller panel's lookup (IN-8, IN-10): the member found by phone or card with the
compensation prompt, recent bookings, frequent guests, and the VIP request carried into the
booking and its event."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from services.intake.callers import service as callers
from services.intake.changes import service as changes
from services.intake.changes.schemas import CancelRequest
from services.intake.handlers import HANDLERS
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import envelope_for
from shared.events.consumer import apply_once
from shared.events.members import MemberUpdatedV1
from shared.phones import phone_key, phone_key_sql
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body
from tests.support.pipeline import eventually, running_pipeline

CALLERS = "/intake/api/callers"
BOOKINGS = "/intake/api/bookings"
PHONE = "+86 139 1234 5678"
DESK = Staff(0, "tests", "Tests", ("agent",), "")


def member_event(**overrides: Any) -> MemberUpdatedV1:
    fields: dict[str, Any] = {
        "member_id": uuid.UUID(int=7),
        "version_no": 1,
        "card_no": "M123456",
        "full_name": "王芳",
        "phones": ["139-1234-5678"],
        "level": "gold",
        "updated_at": clock.now(),
    }
    return MemberUpdatedV1(**{**fields, **overrides})


async def deliver(sessionmaker, payload: MemberUpdatedV1) -> str:
    event = envelope_for(payload, source="members", occurred_at=clock.now())
    return await apply_once(
        sessionmaker, service="intake", schema="intake", handlers=HANDLERS, envelope=event
    )


async def test_in8_member_found_by_phone_or_card_with_the_compensation_prompt(
    login_as, sessionmaker
) -> None:
    agent = await login_as("ana", Role.AGENT)
    flagged = member_event(
        version_no=2,
        complaint_open=True,
        complaint_note="no hot water in room 1208",
        complaint_on=date(2025, 11, 2),
    )
    assert await deliver(sessionmaker, flagged) == "handled"

    for query in ({"phone": PHONE}, {"phone": "13912345678"}, {"card": " m123456 "}):
        response = await agent.get(CALLERS, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert [m["name"] for m in body["members"]] == ["王芳"], query
        assert body["members"][0]["level"] == "gold"
        assert body["prompts"] == [
            "Major complaint on 11-02 about no hot water in room 1208 — offer compensation "
            "(王芳, card M123456)"
        ]
    stranger = (await agent.get(CALLERS, params={"phone": "021 5555 0101"})).json()
    assert stranger["members"] == [] and stranger["prompts"] == []


async def test_in8_an_older_member_snapshot_arriving_late_changes_nothing(
    login_as, sessionmaker
) -> None:
    agent = await login_as("ana", Role.AGENT)
    cleared = member_event(version_no=3, complaint_open=False)
    stale = member_event(version_no=2, complaint_open=True, complaint_note="rude front desk")
    assert await deliver(sessionmaker, cleared) == "handled"
    assert await deliver(sessionmaker, stale) == "handled"

    body = (await agent.get(CALLERS, params={"card": "M123456"})).json()

    assert body["members"][0]["complaint_open"] is False and body["prompts"] == []


async def test_in8_caller_lookup_without_phone_or_card_is_422_naming_the_field(
    login_as,
) -> None:
    agent = await login_as("ana", Role.AGENT)
    for query, field in (
        ({}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"card": "X" * 41}, "card"),
    ):
        response = await agent.get(CALLERS, params=query)
        assert response.status_code == 422, query
        assert response.json()["fields"][0]["field"] == field


async def test_in8_prompt_reaches_the_agent_through_the_pipeline_from_the_members_page(
    login_as,
) -> None:
    service = await login_as("mei", Role.CUSTOMER_SERVICE)
    agent = await login_as("ana", Role.AGENT)
    created = await service.post_form(
        "/members/members",
        {"card_no": "m777001", "name": "李雷", "phones": "138 0013 8000", "level": "silver"},
    )
    assert created.status_code == 303, created.text
    member_path = created.headers["location"].split("?")[0]
    flagged = await service.post_form(
        f"{member_path}/complaint",
        {
            "note": "room not cleaned",
            "complaint_on": (clock.today() - timedelta(days=2)).isoformat(),
        },
    )
    assert flagged.status_code == 303, flagged.text

    async def prompts() -> list[str]:
        body = (await agent.get(CALLERS, params={"phone": "+86 138 0013 8000"})).json()
        return list(body["prompts"])

    async with running_pipeline(("intake",)):
        shown = await eventually(prompts)
        assert shown[0].startswith("Major complaint on ")
        assert "about room not cleaned — offer compensation (李雷, card M777001)" in shown[0]
        cleared = await service.post_form(f"{member_path}/complaint/clear", {})
        assert cleared.status_code == 303

        async def gone() -> bool:
            return await prompts() == []

        await eventually(gone)


async def test_in8_recent_bookings_found_by_booker_phone_or_member_card(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=4)
    by_phone = await agent.post_json(BOOKINGS, booking_body(seeded, check_in, member_card=""))
    by_card = await agent.post_json(
        BOOKINGS, booking_body(seeded, check_in, booker_phone="010 6512 0000")
    )
    other = await agent.post_json(
        BOOKINGS, booking_body(seeded, check_in, booker_phone="021 5555 0101", member_card="")
    )
    assert {r.status_code for r in (by_phone, by_card, other)} == {201}

    phone_refs = await _recent_refs(agent, {"phone": "139 1234 5678"})
    card_refs = await _recent_refs(agent, {"card": "m123456"})
    both_refs = await _recent_refs(agent, {"phone": PHONE, "card": "M123456"})

    assert phone_refs == [by_phone.json()["booking_ref"]]
    assert card_refs == [by_card.json()["booking_ref"]]
    assert both_refs == [
        by_card.json()["booking_ref"],
        by_phone.json()["booking_ref"],
    ]  # newest first


async def _recent_refs(agent, query: dict[str, str]) -> list[str]:
    body = (await agent.get(CALLERS, params=query)).json()
    return [b["booking_ref"] for b in body["recent_bookings"]]


# --- IN-10 frequent guests -----------------------------------------------------------------


async def _stays_in_the_past(agent, seeded, starts: list[int], **overrides: Any) -> list[str]:
    """Bookings made ``starts`` days after a moment 60 days ago; their stays are over now."""
    real_now = datetime.now(UTC)
    clock.set_now(real_now - timedelta(days=60))
    refs = []
    try:
        for offset in starts:
            body = booking_body(seeded, clock.today() + timedelta(days=offset), **overrides)
            response = await agent.post_json(BOOKINGS, body)
            assert response.status_code == 201, response.text
            refs.append(response.json()["booking_ref"])
    finally:
        clock.set_now(real_now)
    return refs


async def _past_hotel(sessionmaker, name: str = "Peace Hotel"):
    clock.set_now(datetime.now(UTC) - timedelta(days=60))
    try:
        return await seed_hotel(sessionmaker, name_en=name, nights=_nights(120))
    finally:
        clock.set_now(None)


def _nights(count: int) -> list[date]:
    return [clock.today() + timedelta(days=n) for n in range(count)]


async def _frequent(agent, seeded, guests: str | None = None) -> dict[str, Any]:
    query = {"phone": PHONE, "hotel_id": str(seeded.hotel_id)}
    if guests is not None:
        query["guests"] = guests
    response = await agent.get(CALLERS, params=query)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_in10_guest_is_frequent_at_three_stays_and_not_at_two(login_as, sessionmaker) -> None:
    agent = await login_as("ana", Role.AGENT)
    peace = await _past_hotel(sessionmaker)
    other_hotel = await _past_hotel(sessionmaker, "Kunlun Hotel")
    guest = {"guest_names": ["张伟"], "member_card": ""}
    await _stays_in_the_past(agent, peace, [2, 10], **guest)
    await _stays_in_the_past(agent, peace, [20], **guest, booker_phone="021 5555 0101")
    await _stays_in_the_past(agent, other_hotel, [30], **guest)
    cancelled = await _stays_in_the_past(agent, peace, [40], **guest)
    await _cancel(sessionmaker, cancelled[0])

    two = await _frequent(agent, peace)
    assert two["frequent_guests"] == [] and two["vip_request"] == ""

    await _stays_in_the_past(agent, peace, [25], **guest, booker_phone="139-1234-5678")
    three = await _frequent(agent, peace)

    assert [(g["guest_name"], g["stays"]) for g in three["frequent_guests"]] == [("张伟", 3)]
    assert three["vip_request"].startswith(callers.VIP_REQUEST)
    assert "张伟 (3 stays in the last 12 months)" in three["vip_request"]
    assert (await _frequent(agent, peace, guests="Han Meimei"))["vip_request"] == ""
    assert (await _frequent(agent, other_hotel))["frequent_guests"] == []


async def _cancel(sessionmaker, booking_ref: str) -> None:
    clock.set_now(datetime.now(UTC) - timedelta(days=60))
    try:
        async with unit_of_work(sessionmaker) as session:
            request = CancelRequest(
                version=1, reason="plans changed", reason_category="guest_request"
            )
            await changes.cancel_booking(
                session, staff=DESK, booking_ref=booking_ref, request=request
            )
    finally:
        clock.set_now(None)


async def test_in10_vip_request_is_added_to_the_booking_and_its_event(
    login_as, sessionmaker
) -> None:
    agent = await login_as("ana", Role.AGENT)
    peace = await _past_hotel(sessionmaker)
    await _stays_in_the_past(agent, peace, [2, 10, 20], guest_names=["张伟"])
    check_in = clock.today() + timedelta(days=7)

    vip = await agent.post_json(
        BOOKINGS, booking_body(peace, check_in, guest_names=["Li Lei", " 张伟 "])
    )
    plain = await agent.post_json(
        BOOKINGS, booking_body(peace, check_in, guest_names=["Han Meimei"])
    )

    assert vip.status_code == 201 and plain.status_code == 201
    requests = vip.json()["special_requests"]
    assert requests.startswith("High floor, non-smoking; " + callers.VIP_REQUEST), requests
    assert requests.count(callers.VIP_REQUEST) == 1
    assert callers.VIP_REQUEST not in plain.json()["special_requests"]
    async with sessionmaker() as session:
        payload = await session.scalar(
            text(
                "SELECT payload FROM intake.outbox WHERE name = 'intake.booking_placed' "
                "AND payload->>'booking_ref' = :ref"
            ),
            {"ref": vip.json()["booking_ref"]},
        )
    assert payload["special_requests"] == requests


async def test_in10_booking_form_carries_the_caller_panel(login_as, sessionmaker) -> None:
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
    assert form.status_code == 200
    panel = re.search(r'id="caller-panel"[^>]*data-url="([^"]+)" data-hotel="([^"]+)"', form.text)
    assert panel, form.text
    assert panel.groups() == ("/intake/api/callers", str(seeded.hotel_id))


async def test_phone_key_in_sql_matches_python_for_every_spelling(sessionmaker) -> None:
    spellings = [PHONE, "139-1234-5678", "0086 139 1234 5678", "010 6512 0000", "+86 10 6512 0000"]
    spellings += ["(0755) 8888-1234", "12345", "", "86 1065120000"]
    async with sessionmaker() as session:
        for typed in spellings:
            sql = text(f"SELECT {phone_key_sql('CAST(:typed AS text)')}")
            assert await session.scalar(sql, {"typed": typed}) == phone_key(typed), typed
    assert phone_key(PHONE) == phone_key("139 1234 5678") == "13912345678"
    assert phone_key("+86 10 6512 0000") == phone_key("010-6512-0000")


async def test_in8_caller_bookings_query_uses_the_phone_and_card_indexes(sessionmaker) -> None:
    plan_sql = (
        "EXPLAIN SELECT b.booking_ref FROM intake.booking b WHERE "
        f"{callers._booking_match('13912345678', 'M1')}"
    )
    async with sessionmaker() as session:
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            row[0]
            for row in await session.execute(text(plan_sql), {"key": "13912345678", "card": "M1"})
        )
    assert "booking_booker_phone_key" in plan and "booking_member_card" in plan, plan
    assert re.search(r"Seq Scan", plan) is None
