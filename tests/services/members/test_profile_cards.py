"""CS-1: a member's contact details, the card number's change history with its reason, and
level changes in the audit; bad contact details are refused with the field named and nothing
is written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from shared.auth import Role
from tests.services.members.test_members import API, member_body, written


async def _rows(sessionmaker, query: str) -> list[Any]:
    async with sessionmaker() as session:
        return list((await session.execute(text(query))).all())


async def test_cs1_contact_details_saved_through_the_api(login_as) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    body = member_body(
        email="wang.fang@example.cn",
        address="朝阳区建国路 88 号",
        postcode="100022",
        city="北京",
        joined_via="online",
    )
    made = await desk.post_json(API, body)
    assert made.status_code == 201, made.text
    member = made.json()
    assert (member["email"], member["postcode"], member["city"]) == (
        "wang.fang@example.cn",
        "100022",
        "北京",
    )
    assert member["joined_via"] == "online" and member["joined_on"]


async def test_cs1_card_change_is_kept_with_its_reason_and_shown(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()
    path = f"{API}/{member['member_id']}"

    same_card = await desk.request_json("PUT", path, member_body(name="王芳芳", version_no=1))
    lost = await desk.request_json(
        "PUT", path, member_body(card_no="m900001", card_reason="lost card", version_no=2)
    )

    assert same_card.status_code == 200 and lost.status_code == 200, lost.text
    changes = await _rows(
        sessionmaker,
        "SELECT old_card, new_card, reason, changed_by FROM members.card_change",
    )
    assert [tuple(c) for c in changes] == [("M123456", "M900001", "lost card", "mei")]
    page = await desk.page(f"/members/members/{member['member_id']}")
    assert "Card M123456 → M900001" in page.text and "lost card" in page.text


async def test_cs1_card_change_through_the_page_form(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body())).json()
    form = {
        "version_no": "1",
        "card_no": "M900002",
        "name": "王芳",
        "phones": "13912345678",
        "level": "gold",
        "joined_via": "desk",
        "card_reason": "card damaged",
    }
    saved = await desk.post_form(f"/members/members/{member['member_id']}", form)
    assert saved.status_code == 303, saved.text
    [change] = await _rows(sessionmaker, "SELECT new_card, reason FROM members.card_change")
    assert tuple(change) == ("M900002", "card damaged")


async def test_cs1_level_change_is_its_own_audit_entry_shown_by_name(
    login_as, sessionmaker
) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    member = (await desk.post_json(API, member_body(level="silver"))).json()
    path = f"{API}/{member['member_id']}"
    await desk.request_json("PUT", path, member_body(level="silver", name="王 芳", version_no=1))
    await desk.request_json("PUT", path, member_body(level="platinum", version_no=2))

    levels = await _rows(
        sessionmaker,
        "SELECT before->>'level', after->>'level' FROM members.audit_log "
        "WHERE action = 'change_level'",
    )
    assert [tuple(r) for r in levels] == [("silver", "platinum")]
    page = await desk.page(f"/members/members/{member['member_id']}")
    assert "Level Silver → Platinum" in page.text and "Level: Platinum" in page.text


async def test_cs1_bad_contact_details_are_422_and_write_nothing(login_as, sessionmaker) -> None:
    desk = await login_as("mei", Role.CUSTOMER_SERVICE)
    bad = [
        ({"email": "abc"}, "email"),
        ({"postcode": "1234567890123"}, "postcode"),
        ({"city": "x" * 61}, "city"),
        ({"joined_via": "fax"}, "joined_via"),
    ]
    for override, field in bad:
        response = await desk.post_json(API, member_body(**override))
        assert response.status_code == 422, (override, response.text)
        assert response.json()["fields"][0]["field"] == field, response.json()
    assert await written(sessionmaker) == {"members": 0, "events": 0, "audit": 0}

    member = (await desk.post_json(API, member_body())).json()
    path = f"{API}/{member['member_id']}"
    long_reason = member_body(card_no="M900003", card_reason="x" * 201, version_no=1)
    refused = await desk.request_json("PUT", path, long_reason)
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "card_reason"
    assert await _rows(sessionmaker, "SELECT 1 FROM members.card_change") == []

    page = await desk.post_form(
        f"/members/members/{member['member_id']}",
        {"version_no": "1", "card_no": "M123456", "name": "王芳", "email": "abc"},
    )
    assert page.status_code == 422 and 'href="#field-email"' in page.text
    assert 'value="abc"' in page.text  # what was typed is kept
    assert (await written(sessionmaker))["audit"] == 1  # only the creation
