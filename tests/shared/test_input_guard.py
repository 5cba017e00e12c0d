"""The door's check (shared.input_guard, issue 14): a NUL byte or another control character,
an oversized string or an integer no column holds, in a query string, a JSON body or a form,
is a 422 naming the field, and nothing is written. Before, a NUL reached PostgreSQL and the
request ended in a 500 with a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from shared.auth import Role
from shared.input_guard import BODY_STRING_MAX, QUERY_VALUE_MAX, json_problem, pairs_problem

MEMBERS = "/members/api/members"


def member(**fields: Any) -> dict[str, Any]:
    return {"card_no": "RL-1001", "name": "王小明", "phones": ["13800138000"], **fields}


async def member_count(sessionmaker: Any) -> int:
    async with sessionmaker() as session:
        return int((await session.execute(text("SELECT count(*) FROM members.member"))).scalar())


@pytest.mark.parametrize("bad", ["a\x00b", "\x07bell", "x\x1bescape", "del\x7f"])
async def test_a_control_character_in_a_query_is_422_naming_the_parameter(login_as, bad) -> None:
    desk = await login_as("cs", Role.CUSTOMER_SERVICE)
    response = await desk.get(MEMBERS, params={"q": bad})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["fields"][0]["field"] == "q"
    assert "U+00" in body["fields"][0]["message"]


async def test_a_nul_in_a_json_field_is_422_naming_it_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    desk = await login_as("cs", Role.CUSTOMER_SERVICE)
    response = await desk.post_json(MEMBERS, member(name="王\x00小明"))
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [
        {
            "field": "name",
            "message": "含有不可见的控制字符 U+0000，请删除 / "
            "contains the control character U+0000; remove it",
        }
    ]
    nested = await desk.post_json(MEMBERS, member(phones=["13800138000", "1\x00"]))
    assert nested.status_code == 422
    assert nested.json()["fields"][0]["field"] == "phones.1"
    assert await member_count(sessionmaker) == 0
    # The same member without the NUL is taken: the refusal was the character, nothing else.
    assert (await desk.post_json(MEMBERS, member())).status_code == 201
    assert await member_count(sessionmaker) == 1


async def test_a_nul_in_a_form_field_is_a_readable_page_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    desk = await login_as("cs", Role.CUSTOMER_SERVICE)
    form = {"card_no": "RL-1002", "name": "李\x00四", "phones": "", "level": "standard"}
    response = await desk.post_form("/members/members", form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "name:" in response.text and "U+0000" in response.text
    assert "Traceback" not in response.text
    assert await member_count(sessionmaker) == 0


async def test_oversized_strings_and_numbers_are_refused_at_the_door(login_as) -> None:
    desk = await login_as("cs", Role.CUSTOMER_SERVICE)
    long_query = await desk.get(MEMBERS, params={"q": "x" * (QUERY_VALUE_MAX + 1)})
    assert long_query.status_code == 422
    assert long_query.json()["fields"][0]["field"] == "q"
    long_json = await desk.post_json(MEMBERS, member(name="名" * (BODY_STRING_MAX + 1)))
    assert long_json.status_code == 422
    assert "too long" in long_json.json()["detail"]
    huge = await desk.request_json("PUT", f"{MEMBERS}/1", {**member(), "version_no": 2**70})
    assert huge.status_code == 422
    assert huge.json()["fields"][0]["field"] == "version_no"


def test_text_keeps_tabs_and_line_breaks_and_names_nested_fields() -> None:
    assert json_problem(b'{"note": "line one\\nline two\\tend\\r\\n"}') is None
    assert json_problem(b'{"rooms": [{"guest_names": ["ok", "bad\\u0000"]}]}') == (
        "rooms.0.guest_names.1",
        "含有不可见的控制字符 U+0000，请删除 / contains the control character U+0000; remove it",
    )
    assert json_problem(b"not json") is None  # the route's own parser answers that
    assert json_problem(b"[1, 2, 99999999999999999999999]") is not None
    assert pairs_problem([("city", "北京"), ("page", "2")], 100) is None
    problem = pairs_problem([("city", "北\x01京")], 100)
    assert problem is not None and problem[0] == "city"
