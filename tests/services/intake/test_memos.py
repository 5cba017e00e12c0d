"""Internal communication forms (IN-7): special problems raised with a booking reference,
routed to a department that sees them, claimed, answered and closed in a thread, overdue past
their due time, published as ``intake.memo_raised``; bad input writes nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events.subscriptions import subscribers
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body

API = "/intake/api/memos"
RAISED_AT = datetime.combine(date(2026, 12, 3), time(2, 30), tzinfo=clock.business_tz)


async def table_counts(sessionmaker: Any) -> dict[str, int]:
    queries = {
        "memos": "SELECT count(*) FROM intake.memo",
        "replies": "SELECT count(*) FROM intake.memo_reply",
        "events": "SELECT count(*) FROM intake.outbox WHERE name = 'intake.memo_raised'",
        "audit": "SELECT count(*) FROM intake.audit_log WHERE entity = 'memo'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def booking_ref(agent: Any, sessionmaker: Any) -> str:
    """A real booking to name on the forms (placed through the API, like an agent would)."""
    clock.set_now(RAISED_AT)
    seeded = await seed_hotel(sessionmaker)
    placed = await agent.post_json(
        "/intake/api/bookings", booking_body(seeded, clock.today() + timedelta(days=2))
    )
    assert placed.status_code == 201, placed.text
    ref: str = placed.json()["booking_ref"]
    return ref


def memo_body(ref: str, department: str = "confirmation", **overrides: Any) -> dict[str, Any]:
    body = {
        "problem": "guest_name_mismatch",
        "department": department,
        "booking_ref": ref,
        "description": "Hotel has the guest as Zhang Wei, the booker says Zhang Wen.",
    }
    return {**body, **overrides}


async def raise_memo(agent: Any, ref: str, department: str = "confirmation", **kw: Any) -> Any:
    response = await agent.post_json(API, memo_body(ref, department, **kw))
    assert response.status_code == 201, response.text
    return response.json()


async def test_in7_night_agent_raises_a_memo_routed_published_and_audited(
    login_as, sessionmaker
) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)

    memo = await raise_memo(agent, ref.lower())

    assert memo["memo_no"] == 1 and memo["status"] == "open" and memo["owner_username"] is None
    assert memo["booking_ref"] == ref and memo["raised_by"] == "lina"
    assert memo["raised_at"].startswith("2026-12-02T18:30")  # 02:30 in Beijing, in UTC
    assert memo["due_at"].startswith("2026-12-03T18:30")  # 24 hours by default
    assert memo["overdue"] is False and memo["replies"] == []
    async with sessionmaker() as session:
        payload = await session.scalar(
            text("SELECT payload FROM intake.outbox WHERE name = 'intake.memo_raised'")
        )
    assert payload["memo_id"] == memo["memo_id"] and payload["department"] == "confirmation"
    assert payload["problem"] == "guest_name_mismatch" and payload["booking_ref"] == ref
    assert subscribers("intake.memo_raised") == ()  # published for later consumers
    counts = await table_counts(sessionmaker)
    assert counts == {"memos": 1, "replies": 0, "events": 1, "audit": 1}


async def test_in7_due_time_can_be_set_per_memo(login_as, sessionmaker) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)
    memo = await raise_memo(agent, ref, due_in_hours=4)
    assert memo["due_at"].startswith("2026-12-02T22:30")


async def test_in7_bad_memos_are_422_naming_the_field_and_write_nothing(
    login_as, sessionmaker
) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)
    bad = {
        "booking_ref": memo_body(""),  # a mismatch must name its booking
        "department": memo_body(ref, department="kitchen"),
        "problem": memo_body(ref, problem="weather"),
        "description": memo_body(ref, description=" "),
        "due_in_hours": memo_body(ref, due_in_hours=0),
    }
    for field, body in bad.items():
        response = await agent.post_json(API, body)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    unknown = await agent.post_json(API, memo_body("RL99999999"))
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "booking_ref"
    assert await table_counts(sessionmaker) == {"memos": 0, "replies": 0, "events": 0, "audit": 0}
    other = await agent.post_json(API, memo_body("", problem="other"))
    assert other.status_code == 201  # "other" need not concern one booking


async def test_in7_each_desk_sees_the_memos_routed_to_it(login_as, sessionmaker) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)
    to_confirmation = await raise_memo(agent, ref, "confirmation")
    to_finance = await raise_memo(agent, ref, "finance", problem="price_mismatch")
    viewers = {
        "confirmation": await login_as("chen", Role.CONFIRMATION_DESK),
        "collect": await login_as("qian", Role.COLLECT_DESK),
        "resources": await login_as("zhou", Role.HOTEL_RESOURCES),
        "manager": await login_as("gm", Role.GENERAL_MANAGER),
        "agent2": await login_as("wang", Role.AGENT),
    }
    seen = {}
    for name, viewer in viewers.items():
        listing = await viewer.get(API)
        assert listing.status_code == 200, (name, listing.text)
        seen[name] = {m["memo_no"] for m in listing.json()["items"]}

    assert seen == {
        "confirmation": {to_confirmation["memo_no"]},
        "collect": {to_finance["memo_no"]},
        "resources": set(),
        "manager": {1, 2},
        "agent2": {1, 2},
    }
    refused = await viewers["confirmation"].get(f"{API}/{to_finance['memo_id']}")
    assert refused.status_code == 403 and "Finance" in refused.json()["detail"]
    page = await viewers["confirmation"].page(f"/intake/memos/{to_confirmation['memo_id']}")
    assert page.status_code == 200 and "Zhang Wen" in page.text
    admin = await login_as("root", Role.ADMIN)
    assert (await admin.get(API)).status_code == 403


async def test_in7_department_claims_answers_and_the_raiser_closes(login_as, sessionmaker) -> None:
    agent = await login_as("lina", Role.AGENT)
    desk = await login_as("chen", Role.CONFIRMATION_DESK)
    ref = await booking_ref(agent, sessionmaker)
    memo = await raise_memo(agent, ref)
    url = f"{API}/{memo['memo_id']}/replies"

    agent_claims = await agent.post_json(url, {"status": "in_progress"})
    claimed = await desk.post_json(url, {"status": "in_progress"})
    bare_answer = await desk.post_json(url, {"status": "answered"})
    clock.advance(timedelta(hours=3))
    answered = await desk.post_json(
        url, {"status": "answered", "body": "Hotel corrected it to Zhang Wen."}
    )
    closed = await agent.post_json(url, {"status": "closed", "body": "Thanks"})
    after_close = await agent.post_json(url, {"body": "one more thing"})

    assert agent_claims.status_code == 403 and "Confirmation" in agent_claims.json()["detail"]
    assert claimed.status_code == 200 and claimed.json()["owner_username"] == "chen"
    assert claimed.json()["status"] == "in_progress"
    assert bare_answer.status_code == 409 and "Write the answer" in bare_answer.json()["detail"]
    assert answered.json()["status"] == "answered" and answered.json()["answered_at"]
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert after_close.status_code == 409 and "reopen" in after_close.json()["detail"]
    thread = [(r["author"], r["status_from"], r["status_to"]) for r in closed.json()["replies"]]
    assert thread == [
        ("chen", "open", "in_progress"),
        ("chen", "in_progress", "answered"),
        ("lina", "answered", "closed"),
    ]
    reopened = await agent.post_json(url, {"status": "open", "body": "Hotel changed it back"})
    assert reopened.json()["status"] == "open" and reopened.json()["owner_username"] is None
    counts = await table_counts(sessionmaker)
    assert counts["replies"] == 4 and counts["audit"] == 5  # raised + four moves


async def test_in7_overdue_while_the_department_owes_an_answer(login_as, sessionmaker) -> None:
    agent = await login_as("lina", Role.AGENT)
    desk = await login_as("chen", Role.CONFIRMATION_DESK)
    ref = await booking_ref(agent, sessionmaker)
    late = await raise_memo(agent, ref)
    answered = await raise_memo(agent, ref, problem="company_mismatch")
    await desk.post_json(
        f"{API}/{answered['memo_id']}/replies", {"status": "answered", "body": "Fixed"}
    )

    clock.set_now(RAISED_AT + timedelta(hours=23, minutes=59))
    assert (await desk.get(API, params={"overdue": "true"})).json()["items"] == []
    clock.set_now(RAISED_AT + timedelta(hours=24, minutes=1))
    overdue = (await desk.get(API, params={"overdue": "true"})).json()
    listing = await desk.page("/intake/memos", params={"overdue": "1"})

    assert [m["memo_id"] for m in overdue["items"]] == [late["memo_id"]]
    assert overdue["items"][0]["overdue"] is True
    assert listing.status_code == 200 and 'class="overdue"' in listing.text
    assert f"#{late['memo_no']}" in listing.text and f"#{answered['memo_no']}<" not in listing.text


async def test_in7_list_filters_and_pages(login_as, sessionmaker) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)
    for n in range(27):
        await raise_memo(agent, ref, "finance" if n % 9 == 0 else "confirmation")

    first = (await agent.get(API)).json()
    second = (await agent.get(API, params={"page": 2})).json()
    finance = (await agent.get(API, params={"department": "finance"})).json()
    closed = (await agent.get(API, params={"status": "closed"})).json()
    bad = await agent.get(API, params={"status": "lost"})

    assert (first["total"], len(first["items"]), first["pages"]) == (27, 25, 2)
    assert [m["memo_no"] for m in second["items"]] == [26, 27]
    assert [m["memo_no"] for m in finance["items"]] == [1, 10, 19]
    assert closed["items"] == [] and closed["total"] == 0
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"
    page = await agent.page("/intake/memos", params={"department": "finance"})
    assert "3 memos match" in page.text


async def test_in7_memo_pages_raise_refuse_readably_and_show_empty_state(
    login_as, sessionmaker
) -> None:
    agent = await login_as("lina", Role.AGENT)
    ref = await booking_ref(agent, sessionmaker)
    desk = await login_as("chen", Role.CONFIRMATION_DESK)
    empty = await desk.page("/intake/memos")
    assert empty.status_code == 200 and "No internal memos yet" in empty.text

    form = await agent.page("/intake/memos/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text
    refused = await agent.post_form("/intake/memos", memo_body(ref, description=""))
    assert refused.status_code == 422 and "Fill this in." in refused.text
    assert '<a href="#field-description">Description</a>' in refused.text
    assert (await table_counts(sessionmaker))["memos"] == 0

    raised = await agent.post_form("/intake/memos", memo_body(ref))
    assert raised.status_code == 303, raised.text
    shown = await agent.page(raised.headers["location"])
    assert "Memo #1: Guest name mismatch" in shown.text and "Memo raised and routed." in shown.text
    claim = await desk.page(raised.headers["location"].split("?")[0])
    assert "Claim it" in claim.text
    claimed = await desk.post_form(
        raised.headers["location"].split("?")[0] + "/replies", {"status": "in_progress"}
    )
    assert claimed.status_code == 303
    assert "nobody has claimed it" not in (await desk.page(claimed.headers["location"])).text
