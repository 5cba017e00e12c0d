"""Customer service's member records and the major-complaint flag (CS-1, IN-8): created and
edited through the API and the pages, audited, announced as ``members.member_updated`` v1
through the outbox, refused with the field named when the input is bad."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.events.subscriptions import subscribers

API = "/members/api/members"


def member_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "card_no": "m123456",
        "name": "王芳",
        "phones": ["+86 139 1234 5678", "139-1234-5678", "010 6512 0000"],
        "level": "gold",
    }
    return {**body, **overrides}


async def written(sessionmaker) -> dict[str, int]:
    queries = {
        "members": "SELECT count(*) FROM members.member",
        "events": "SELECT count(*) FROM members.outbox WHERE name = 'members.member_updated'",
        "audit": "SELECT count(*) FROM members.audit_log WHERE entity = 'member'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def events(sessionmaker) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM members.outbox ORDER BY created_at, payload->>'version_no'")
        )
        return [row.payload for row in rows]


async def test_cs1_member_created_normalised_audited_and_announced(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)

    response = await desk.post_json(API, member_body())

    assert response.status_code == 201, response.text
    member = response.json()
    assert member["card_no"] == "M123456" and member["version_no"] == 1
    assert member["phones"] == ["+86 139 1234 5678", "010 6512 0000"]  # one number, one entry
    assert await written(sessionmaker) == {"members": 1, "events": 1, "audit": 1}
    [event] = await events(sessionmaker)
    assert event["member_id"] == member["member_id"] and event["full_name"] == "王芳"
    assert event["complaint_open"] is False and event["level"] == "gold"
    assert subscribers("members.member_updated") == ("intake",)
    fetched = await desk.get(f"{API}/{member['member_id']}")
    assert fetched.status_code == 200 and fetched.json() == member


async def test_cs1_bad_member_input_is_422_naming_the_field_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    bad = [
        ({"card_no": "M1"}, "card_no"),
        ({"card_no": "M 12345"}, "card_no"),
        ({"name": "   "}, "name"),
        ({"phones": ["call the office"]}, "phones"),
        ({"level": "diamond"}, "level"),
    ]
    for override, field in bad:
        response = await desk.post_json(API, member_body(**override))
        assert response.status_code == 422, (override, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    assert await written(sessionmaker) == {"members": 0, "events": 0, "audit": 0}


async def test_cs1_a_card_already_in_use_is_refused_409(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    assert (await desk.post_json(API, member_body())).status_code == 201

    again = await desk.post_json(API, member_body(name="李雷", card_no="M123456"))

    assert again.status_code == 409
    assert again.json()["fields"][0]["field"] == "card_no" and "王芳" in again.json()["detail"]
    assert await written(sessionmaker) == {"members": 1, "events": 1, "audit": 1}


async def test_cs1_edit_needs_the_version_read_and_bumps_it(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()
    path = f"{API}/{member['member_id']}"

    changed = await desk.request_json(
        "PUT", path, member_body(card_no="M999000", level="platinum", version_no=1)
    )
    stale = await desk.request_json("PUT", path, member_body(name="Someone", version_no=1))

    assert changed.status_code == 200, changed.text
    assert changed.json()["card_no"] == "M999000" and changed.json()["version_no"] == 2
    assert stale.status_code == 409 and stale.json()["fields"][0]["field"] == "version_no"
    assert (await desk.get(path)).json()["name"] == "王芳"
    assert [e["version_no"] for e in await events(sessionmaker)] == [1, 2]
    async with sessionmaker() as session:
        before = await session.scalar(
            text("SELECT before->>'card_no' FROM members.audit_log WHERE action = 'update'")
        )
    assert before == "M123456"


async def test_in8_complaint_flag_set_and_cleared_each_announced_once(
    login_as, sessionmaker
) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()
    flag = f"{API}/{member['member_id']}/complaint"
    yesterday = clock.today() - timedelta(days=1)

    future = await desk.request_json("PUT", flag, {"note": "x", "complaint_on": "2999-01-01"})
    empty = await desk.request_json("PUT", flag, {"note": " "})
    flagged = await desk.request_json(
        "PUT", flag, {"note": "no hot water", "complaint_on": yesterday.isoformat()}
    )
    cleared = await desk.request_json("DELETE", flag, None)
    again = await desk.request_json("DELETE", flag, None)

    assert future.status_code == 422 and future.json()["fields"][0]["field"] == "complaint_on"
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "note"
    assert flagged.status_code == 200 and flagged.json()["complaint_open"] is True
    assert flagged.json()["complaint_on"] == yesterday.isoformat()
    assert cleared.json()["complaint_open"] is False and again.status_code == 200
    announced = await events(sessionmaker)
    assert [(e["complaint_open"], e["complaint_note"]) for e in announced] == [
        (False, ""),
        (True, "no hot water"),
        (False, ""),
    ]
    assert (await written(sessionmaker))["audit"] == 3


async def test_cs1_member_pages_create_flag_search_and_refuse_bad_forms(
    login_as, sessionmaker
) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    form = await desk.page("/members/new")
    assert form.status_code == 200 and 'name="csrf_token"' in form.text

    refused = await desk.post_form("/members/members", {"card_no": "M1", "name": "李雷"})
    assert refused.status_code == 422 and '<a href="#field-card_no">Card number</a>' in refused.text
    assert 'value="李雷"' in refused.text  # what was typed is kept
    assert (await written(sessionmaker))["members"] == 0

    created = await desk.post_form(
        "/members/members", {"card_no": "M555", "name": "李雷", "phones": "138 0013 8000"}
    )
    assert created.status_code == 303, created.text
    page_path = created.headers["location"].split("?")[0]
    flagged = await desk.post_form(f"{page_path}/complaint", {"note": "rude reception"})
    assert flagged.status_code == 303
    shown = await desk.page(page_path)
    assert "Major complaint on" in shown.text and "rude reception" in shown.text

    listing = await desk.page("/members/", params={"q": "+86 138-0013-8000"})
    assert "M555" in listing.text and "open since" in listing.text
    none = await desk.page("/members/", params={"q": "nobody"})
    assert "No member matches" in none.text


async def test_cs1_member_list_pages_by_fifty(login_as) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    for n in range(51):
        body = member_body(card_no=f"M{n:05d}", name=f"Member {n}", phones=[])
        assert (await desk.post_json(API, body)).status_code == 201

    first = (await desk.get(API)).json()
    second = (await desk.get(API, params={"page": 2})).json()
    page = await desk.page("/members/")

    assert (first["total"], first["pages"], len(first["members"])) == (51, 2, 50)
    assert len(second["members"]) == 1
    assert "Page 1 of 2" in page.text and re.search(r"page=2\">Next", page.text)


async def test_cs1_members_are_for_customer_service_and_admin_only(login_as, sessionmaker) -> None:
    admin = await login_as("root", Role.ADMIN)
    agent = await login_as("ana", Role.AGENT)

    assert (await admin.post_json(API, member_body())).status_code == 201
    refused = await agent.post_json(API, member_body(card_no="M777"))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert (await agent.page("/members/")).status_code == 403
    assert (await written(sessionmaker))["members"] == 1
