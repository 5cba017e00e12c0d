"""Finding bookings (issue 15): one box finds a booking by its reference, the booker's phone in
any spelling, a member card, or a guest's or the booker's name in Chinese or pinyin; results
are links to the booking page, in pages, with an empty state; the query is bounded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.intake.lookup.keys import search_names
from services.intake.lookup.service import PAGE_SIZE
from shared.auth import Role
from shared.clock import clock
from tests.services.intake.changes_support import API, modify
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body

LOOKUP = "/intake/api/lookup"


async def _place(agent: Any, seeded: Any, days: int = 3, **fields: Any) -> dict[str, Any]:
    body = booking_body(seeded, clock.today() + timedelta(days=days), **fields)
    response = await agent.post_json(API, body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _refs(agent: Any, q: str, page: int = 1) -> list[str]:
    response = await agent.get(LOOKUP, params={"q": q, "page": page})
    assert response.status_code == 200, response.text
    return [b["booking_ref"] for b in response.json()["bookings"]]


def test_names_are_kept_as_typed_and_in_pinyin() -> None:
    keys = search_names("王芳", ["吕布", "Mary-Jane Li", "王芳"])

    assert keys.split(" ") == ["王芳", "wangfang", "吕布", "lvbu", "lubu", "maryjaneli"]


async def test_finds_by_reference_in_any_case_and_spacing(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    wanted = await _place(agent, seeded)
    await _place(agent, seeded)
    ref = wanted["booking_ref"]

    assert await _refs(agent, ref) == [ref]
    assert await _refs(agent, f" {ref[:5].lower()} {ref[5:].lower()} ") == [ref]
    assert await _refs(agent, ref[:-1] + "Z" if ref[-1] != "Z" else ref[:-1] + "Y") == []


async def test_finds_by_phone_in_any_spelling(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    wanted = await _place(agent, seeded, booker_phone="139-1234-5678")
    await _place(agent, seeded, booker_phone="+86 138 0000 1111")

    for spelling in ("+86 139-1234-5678", "139 1234 5678", "13912345678", "0086 13912345678"):
        assert await _refs(agent, spelling) == [wanted["booking_ref"]], spelling
    assert await _refs(agent, "139 1234 5679") == []


async def test_finds_by_chinese_or_pinyin_name_of_guest_or_booker(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    wanted = await _place(agent, seeded, booker_name="王芳", guest_names=["张伟", "Li Lei"])
    await _place(agent, seeded, booker_name="陈静", guest_names=["刘洋"])
    ref = wanted["booking_ref"]

    for query in ("王芳", "wang fang", "WangFang", "fang", "王", "张伟", "zhang wei", "li lei"):
        assert await _refs(agent, query) == [ref], query
    # A name sounding the same but written differently is someone else.
    assert await _refs(agent, "王方") == []
    assert await _refs(agent, "zhao") == []


async def test_finds_by_member_card(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    wanted = await _place(agent, seeded, member_card="M123456")
    await _place(agent, seeded, member_card="")

    assert await _refs(agent, "m123456") == [wanted["booking_ref"]]


async def test_a_guest_changed_is_found_by_the_new_name_only(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await _place(agent, seeded, booker_name="Acme", guest_names=["张伟"])

    changed = await modify(agent, booking, guest_names=["赵敏"])

    assert changed.status_code == 200, changed.text
    assert await _refs(agent, "zhao min") == [booking["booking_ref"]]
    assert await _refs(agent, "张伟") == []


async def test_results_come_in_pages_newest_first(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=PAGE_SIZE + 5)
    agent = await login_as("ana", Role.AGENT)
    refs = []
    for _ in range(PAGE_SIZE + 1):
        refs.append((await _place(agent, seeded, guest_names=["孙丽"]))["booking_ref"])
        clock.set_now(clock.now() + timedelta(seconds=1))  # a distinct time, a stable order

    first = await agent.get(LOOKUP, params={"q": "sun li"})
    second = await agent.get(LOOKUP, params={"q": "sun li", "page": 2})

    assert first.json()["has_next"] is True and second.json()["has_next"] is False
    found = [b["booking_ref"] for b in first.json()["bookings"] + second.json()["bookings"]]
    assert found == refs[::-1]
    page = await agent.page("/intake/find", params={"q": "sun li", "page": 2})
    assert 'rel="prev" href="/intake/find?q=sun+li&amp;page=1"' in page.text
    assert 'rel="next"' not in page.text


async def test_results_page_links_each_booking_and_says_when_none_matches(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    booking = await _place(agent, seeded, booker_name="王芳")

    found = await agent.page("/intake/find", params={"q": "wangfang"})
    none = await agent.page("/intake/find", params={"q": "nobody here"})

    assert found.status_code == 200
    assert f'href="/intake/bookings/{booking["booking_ref"]}"' in found.text
    assert 'value="wangfang"' in found.text  # the box keeps the query
    assert none.status_code == 200
    assert "No booking matches “nobody here”." in none.text
    assert "/intake/bookings/" not in none.text


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x" * 201}, "q"), ({"q": "a\x07b"}, "q"), ({"q": "王", "page": 0}, "page")],
)
async def test_query_is_bounded(login_as, sessionmaker, params, field) -> None:
    agent = await login_as("ana", Role.AGENT)

    response = await agent.get(LOOKUP, params=params)
    page = await agent.page("/intake/find", params=params)

    assert response.status_code == 422 and field in response.text
    assert page.status_code == 422 and "<html" in page.text
