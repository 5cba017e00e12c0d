"""CS-1: one screen answers a member's call — profile and level, points by bucket (from the
real ledger) with the points history, the member's bookings (from intake's events), the card
history and the open complaint flag (IN-8); the same as JSON."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from services.members.points import ledger
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.members.profile_support import cancelled, deliver, placed
from tests.services.members.test_members import API, member_body


async def _earn(sessionmaker, member_id: str, points: int, *, final_in_days: int = 0) -> None:
    today = clock.today()
    async with unit_of_work(sessionmaker) as session:
        await ledger.earn(
            session,
            member_id=uuid.UUID(member_id),
            source=f"stay:{uuid.uuid4()}",
            points=points,
            earned_at=clock.now(),
            final_on=today + timedelta(days=final_in_days),
            expires_on=today + timedelta(days=730),
            actor="system",
            note="Peace Hotel stay",
        )


async def test_cs1_new_member_inquiry_shows_empty_states(login_as) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()

    page = await desk.page(f"/members/members/{member['member_id']}")
    seen = (await desk.get(f"{API}/{member['member_id']}/inquiry")).json()

    assert page.status_code == 200
    assert "No points yet" in page.text and "No bookings yet." in page.text
    assert "have not changed since the member joined" in page.text
    assert seen["balance"]["earned"] == 0 and seen["bookings"]["total"] == 0
    assert seen["points"]["moves"] == [] and seen["card_changes"] == []


async def test_cs1_inquiry_shows_balance_history_and_bookings(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body(card_no="m123456"))).json()
    await _earn(sessionmaker, member["member_id"], 1376)
    await _earn(sessionmaker, member["member_id"], 300, final_in_days=3)  # still pending
    older = placed(member_card="M123456", check_in=clock.today() + timedelta(days=3))
    newer = placed(member_card="m123456", check_in=clock.today() + timedelta(days=20))
    other = placed(member_card="M999999")
    for booking in (older, newer, other):
        await deliver(sessionmaker, booking, version=1)
    await deliver(sessionmaker, cancelled(older, version=2), version=2)

    page = await desk.page(f"/members/members/{member['member_id']}")
    seen = (await desk.get(f"{API}/{member['member_id']}/inquiry")).json()

    assert seen["balance"] == {
        "earned": 1676,
        "pending": 300,
        "active": 1376,
        "locked": 0,
        "spent": 0,
        "expired": 0,
        "reversed": 0,
    }
    assert [m["points"] for m in seen["points"]["moves"]] == [300, 1376]  # newest first
    refs = [b["booking_ref"] for b in seen["bookings"]["bookings"]]
    assert refs == [newer.booking_ref, older.booking_ref]  # not the other member's
    assert seen["bookings"]["bookings"][1]["status"] == "cancelled"
    active = re.search(r'<td class="num" id="active-balance">(.*?)</td>', page.text, re.S)
    assert active and active.group(1) == "<strong>1376</strong>"
    assert "Peace Hotel stay" in page.text
    assert newer.booking_ref in page.text and other.booking_ref not in page.text
    assert page.text.index(newer.booking_ref) < page.text.index(older.booking_ref)
    assert "Cancelled" in page.text


async def test_cs1_inquiry_pages_points_history(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()
    for _n in range(ledger.HISTORY_PAGE + 1):
        await _earn(sessionmaker, member["member_id"], 10)
    path = f"{API}/{member['member_id']}/inquiry"

    first = (await desk.get(path)).json()
    second = (await desk.get(path, params={"points_page": 2})).json()
    page = await desk.page(f"/members/members/{member['member_id']}", params={"points_page": 2})

    assert (first["points"]["pages"], len(first["points"]["moves"])) == (2, ledger.HISTORY_PAGE)
    assert len(second["points"]["moves"]) == 1
    assert "Page 2 of 2" in page.text
    assert (await desk.get(path, params={"points_page": 0})).status_code == 422


async def test_cs1_inquiry_is_for_customer_service_and_admin(login_as) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    agent = await login_as("ana", Role.AGENT)
    member = (await desk.post_json(API, member_body())).json()
    path = f"{API}/{member['member_id']}/inquiry"

    assert (await agent.get(path)).status_code == 403
    assert (await desk.get(f"{API}/{uuid.uuid4()}/inquiry")).status_code == 404


async def test_cs1_bookings_on_a_replaced_card_stay_the_members(login_as, sessionmaker) -> None:
    """A lost card is replaced: bookings made on the old number still show, and bookings on
    the new one too."""
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body(card_no="M123456"))).json()
    before = placed(member_card="M123456")
    await deliver(sessionmaker, before, version=1)
    path = f"{API}/{member['member_id']}"
    swap = member_body(card_no="M900001", card_reason="lost card", version_no=1)
    assert (await desk.request_json("PUT", path, swap)).status_code == 200
    after = placed(member_card="m900001", check_in=before.check_in + timedelta(days=30))
    await deliver(sessionmaker, after, version=1)

    seen = (await desk.get(f"{path}/inquiry")).json()

    refs = [b["booking_ref"] for b in seen["bookings"]["bookings"]]
    assert refs == [after.booking_ref, before.booking_ref]
    assert seen["card_changes"][0]["reason"] == "lost card"
