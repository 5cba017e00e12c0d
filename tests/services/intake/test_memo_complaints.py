"""CS-3 / IN-7 (issue 18): a member's complaint routed by customer service
(``members.complaint_routed``, built here and applied with intake's real handlers) becomes a
memo in the department's list, once per complaint; the department's answer publishes
``intake.memo_answered`` with the complaint's id in the same transaction. Every answered memo
publishes it: one not raised for a complaint carries ``complaint_id`` None."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events import Envelope
from shared.events.members import ComplaintRoutedV1
from tests.services.confirmation.factories import beijing
from tests.services.intake.factories import apply
from tests.services.intake.test_memos import booking_ref, raise_memo
from tests.support import complaint_events

API = "/intake/api/memos"
FILED_AT = beijing(2026, 12, 3, 16, 30)


def routed(booking: str | None = "RL8K2M4Q", **overrides: Any) -> ComplaintRoutedV1:
    return complaint_events.routed(FILED_AT, complaint_no=42, booking_ref=booking, **overrides)


def envelope(payload: ComplaintRoutedV1) -> Envelope:
    return complaint_events.routed_envelope(payload)


async def outbox(sessionmaker: Any, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM intake.outbox WHERE name = :name ORDER BY occurred_at"),
            {"name": name},
        )
        return [row[0] for row in rows]


async def test_cs3_routed_complaint_is_a_memo_in_the_departments_list_once(
    login_as, sessionmaker
) -> None:
    """CS-3 / IN-7: the complaint shows in hotel resources' memo list as "Member complaint
    #42", due at the department's 17:00, raised by the customer-service user who routed it;
    the same envelope twice, or the same complaint under a new event id, adds no memo."""
    clock.set_now(FILED_AT + timedelta(minutes=1))
    complaint = routed()
    event = envelope(complaint)
    assert await apply(sessionmaker, event) == "handled"
    assert await apply(sessionmaker, event) == "duplicate"
    assert await apply(sessionmaker, envelope(complaint)) == "handled"  # new event id

    resources = await login_as("hana", Role.HOTEL_RESOURCES)
    listed = (await resources.get(API)).json()
    assert listed["total"] == 1
    memo = listed["items"][0]
    assert memo["problem"] == "complaint" and memo["department"] == "hotel_resources"
    assert memo["complaint_id"] == str(complaint.complaint_id) and memo["complaint_no"] == 42
    assert memo["booking_ref"] == "RL8K2M4Q" and memo["raised_by"] == "cathy"
    assert datetime.fromisoformat(memo["due_at"]) == beijing(2026, 12, 3, 17, 0)
    for part in ("王芳", "M0001234", "Peace Hotel", "room", "smelled of smoke", "major"):
        assert part in memo["description"]
    # Stored text every desk reads in either language: labels in Chinese and English.
    assert memo["description"].startswith("会员投诉 #42 / Member complaint #42\n投诉人 / ")
    assert len(await outbox(sessionmaker, "intake.memo_raised")) == 1

    page = await resources.page("/intake/memos")
    assert "Member complaint #42" in page.text
    detail = await resources.page(f"/intake/memos/{memo['memo_id']}")
    assert 'id="memo-complaint">Member complaint #42<' in detail.text
    confirmation = await login_as("cora", Role.CONFIRMATION_DESK)
    assert (await confirmation.get(API)).json()["total"] == 0  # routed elsewhere
    cathy = await login_as("cathy", Role.CUSTOMER_SERVICE)
    assert (await cathy.get(API)).json()["total"] == 1  # she raised it (routed it)


async def test_cs3_a_booking_ref_too_long_for_the_memo_goes_in_the_description(
    login_as, sessionmaker
) -> None:
    """CS-3: a complaint's booking reference (up to 40 characters) that does not fit the
    memo's 12 is kept in the description instead of being refused or cut."""
    clock.set_now(FILED_AT)
    long_ref = "GROUP-2026-BEIJING-EXPO-114"
    await apply(sessionmaker, envelope(routed(booking=long_ref, department="confirmation")))
    confirmation = await login_as("cora", Role.CONFIRMATION_DESK)
    (memo,) = (await confirmation.get(API)).json()["items"]
    assert memo["booking_ref"] == "" and long_ref in memo["description"]


async def test_cs3_answering_a_complaints_memo_publishes_memo_answered_with_the_complaint(
    login_as, sessionmaker
) -> None:
    """CS-3 / SL-5: the department's answer is published as ``intake.memo_answered`` with the
    complaint's id, the reply, who answered and when, in the answer's transaction."""
    clock.set_now(FILED_AT)
    complaint = routed()
    await apply(sessionmaker, envelope(complaint))
    resources = await login_as("hana", Role.HOTEL_RESOURCES)
    (memo,) = (await resources.get(API)).json()["items"]
    assert await outbox(sessionmaker, "intake.memo_answered") == []

    clock.set_now(beijing(2026, 12, 3, 16, 50))
    reply = "Hotel moved the guest to a non-smoking room and apologised; 1 night refunded."
    answered = await resources.post_json(
        f"{API}/{memo['memo_id']}/replies", {"status": "answered", "body": reply}
    )
    assert answered.status_code == 200, answered.text

    (event,) = await outbox(sessionmaker, "intake.memo_answered")
    assert event["complaint_id"] == str(complaint.complaint_id)
    assert event["memo_id"] == memo["memo_id"] and event["memo_no"] == memo["memo_no"]
    assert event["reply"] == reply and event["answered_by"] == "hana"
    assert event["department"] == "hotel_resources"
    assert datetime.fromisoformat(event["answered_at"]) == beijing(2026, 12, 3, 16, 50)


async def test_in7_any_answered_memo_publishes_memo_answered_without_a_complaint(
    login_as, sessionmaker
) -> None:
    """IN-7: a memo a person raised publishes ``intake.memo_answered`` too, with
    ``complaint_id`` None; a reply without the answered status publishes nothing."""
    agent = await login_as("lina", Role.AGENT)
    memo = await raise_memo(agent, await booking_ref(agent, sessionmaker))
    desk = await login_as("cora", Role.CONFIRMATION_DESK)
    replies = f"{API}/{memo['memo_id']}/replies"
    assert (await desk.post_json(replies, {"body": "Looking into it"})).status_code == 200
    assert await outbox(sessionmaker, "intake.memo_answered") == []
    body = {"status": "answered", "body": "Guest name corrected with the hotel."}
    assert (await desk.post_json(replies, body)).status_code == 200
    (event,) = await outbox(sessionmaker, "intake.memo_answered")
    assert event["complaint_id"] is None and event["memo_id"] == memo["memo_id"]


async def test_in7_people_cannot_raise_a_complaint_memo(login_as, sessionmaker) -> None:
    """CS-3: complaint memos come from customer service only: the API refuses the problem
    (422, nothing written) and the form does not offer it."""
    agent = await login_as("lina", Role.AGENT)
    body = {"problem": "complaint", "department": "finance", "description": "Angry guest"}
    refused = await agent.post_json(API, body)
    assert refused.status_code == 422
    assert (await agent.get(API)).json()["total"] == 0
    form = await agent.page("/intake/memos/new")
    assert 'value="complaint"' not in form.text and 'value="other"' in form.text
