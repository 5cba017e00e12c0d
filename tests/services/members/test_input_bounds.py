"""Bounded input on the members desk (issue 14): a NUL in a search or a form, a page number
past any list, a date at the edge of the calendar, too many or too long phones: each a 422
naming the field (a readable page on the HTML routes), never a 500, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.members.service import ComplaintFlagIn, MemberEdit, MemberIn
from shared.auth import Role
from tests.services.members.test_members import API, member_body, written
from tests.shared.test_input_bounds import unbounded_fields

NOTHING = {"members": 0, "events": 0, "audit": 0}


@pytest.fixture
async def desk(login_as) -> Any:
    return await login_as("mei", Role.CUSTOMER_SERVICE)


def test_every_field_of_the_members_api_has_a_bound() -> None:
    # The events admin routes come from shared.events.admin, bounded there.
    found = [f for f in unbounded_fields("members") if "/admin/events/" not in f]
    assert found == []


async def test_a_nul_in_the_member_search_is_422_naming_q(desk) -> None:
    api = await desk.get(API, params={"q": "王\x00芳"})
    assert api.status_code == 422, api.text
    assert api.json()["fields"][0]["field"] == "q"
    page = await desk.page("/members/", params={"q": "\x00"})
    assert page.status_code == 422 and "q: " in page.text


async def test_a_huge_page_number_is_422_naming_page(desk) -> None:
    api = await desk.get(API, params={"page": 10**12})
    assert api.status_code == 422 and api.json()["fields"][0]["field"] == "page"
    beyond_int64 = await desk.get(API, params={"page": 10**20})
    assert beyond_int64.status_code == 422
    page = await desk.page("/members/", params={"page": 10**12})
    assert page.status_code == 422 and "Page: " in page.text
    assert (await desk.get(API, params={"page": 100_000})).status_code == 200  # the last one


async def test_an_over_long_search_is_422_naming_q(desk) -> None:
    response = await desk.get(API, params={"q": "x" * 201})
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "q"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"name": "王\x00芳"}, "name"),
        ({"name": "王" * 121}, "name"),
        ({"phones": ["139 1234 5678\x00"]}, "phones.0"),
        ({"phones": ["1" * 41]}, "phones.0"),
        ({"phones": [f"13912345{n:03d}" for n in range(6)]}, "phones"),
    ],
)
async def test_bad_member_input_is_422_naming_the_field_and_writes_nothing(
    desk, sessionmaker, override: dict[str, Any], field: str
) -> None:
    response = await desk.post_json(API, member_body(**override))
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field, response.json()
    assert await written(sessionmaker) == NOTHING


async def test_a_nul_in_the_member_form_is_a_readable_422_and_writes_nothing(
    desk, sessionmaker
) -> None:
    form = {"card_no": "M123456", "name": "王\x00芳", "phones": "139 1234 5678", "level": "gold"}
    page = await desk.post_form("/members/members", form)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html") and "name: " in page.text
    assert await written(sessionmaker) == NOTHING


async def test_blank_lines_in_the_phones_box_do_not_count_against_the_limit(
    desk, sessionmaker
) -> None:
    phones = "\n".join(f"13912345{n:03d}" for n in range(5)) + "\n\n"
    form = {"card_no": "M123456", "name": "王芳", "phones": phones, "level": "gold"}
    saved = await desk.post_form("/members/members", form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    too_many = {**form, "card_no": "M123457", "phones": phones + "13912345999"}
    refused = await desk.post_form("/members/members", too_many)
    assert refused.status_code == 422 and "phones" in refused.text
    assert (await written(sessionmaker))["members"] == 1


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
async def test_a_complaint_dated_at_the_edge_of_the_calendar_is_422(
    desk, sessionmaker, day: str
) -> None:
    member = (await desk.post_json(API, member_body())).json()
    flag = f"{API}/{member['member_id']}/complaint"
    response = await desk.request_json("PUT", flag, {"note": "no hot water", "complaint_on": day})
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "complaint_on"
    assert (await desk.get(f"{API}/{member['member_id']}")).json()["complaint_open"] is False


async def test_a_version_past_any_integer_column_is_422_naming_version_no(desk) -> None:
    member = (await desk.post_json(API, member_body())).json()
    path = f"{API}/{member['member_id']}"
    response = await desk.request_json("PUT", path, member_body(version_no=2**31))
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "version_no"


async def test_a_member_id_that_is_not_an_id_is_422(desk) -> None:
    response = await desk.get(f"{API}/{'9' * 300}")
    assert response.status_code == 422 and response.json()["fields"][0]["field"] == "member_id"


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (MemberIn, member_body(name="a\x00b"), "name"),
        (MemberIn, member_body(phones=["139\x0012345678"]), "phones"),
        (MemberEdit, {**member_body(), "version_no": 2**31}, "version_no"),
        (ComplaintFlagIn, {"note": "bad\x07"}, "note"),
        (ComplaintFlagIn, {"note": "x", "complaint_on": "0001-01-01"}, "complaint_on"),
    ],
)
def test_the_types_refuse_by_themselves(model: Any, data: dict[str, Any], field: str) -> None:
    """Without the door's guard (the service called from a worker or a test), the models
    themselves refuse a control character, an overflow and an edge date."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    assert refused.value.errors()[0]["loc"][0] == field
