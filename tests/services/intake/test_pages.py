"""The agent's screens: search, the booking form, the placed booking (IN-1, IN-2, IN-4)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import seed_hotel
from tests.services.intake.helpers import booking_body, counts, inventory

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')
FORM_LABELS = (
    "Guest names",
    "Booker name",
    "Booker phone",
    "Company",
    "Member card",
    "Payment mode",
    "Confirmation by",
    "Special requests",
    "Arrival time",
    "Place booking",
)
BOOK_LINK = re.compile(r'href="([^"]+/book\?[^"]+)">Book</a>')


async def _open_form(agent: Any, rooms: int = 1) -> tuple[dict[str, str], str]:
    check_in = clock.today() + timedelta(days=6)
    params = {
        "city": "Beijing",
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=2)).isoformat(),
        "rooms": str(rooms),
    }
    search = await agent.page("/intake/", params=params)
    link = BOOK_LINK.search(search.text)
    assert link, search.text
    form = await agent.page(html.unescape(link.group(1)))
    assert form.status_code == 200, form.text
    hidden = {k: html.unescape(v) for k, v in HIDDEN.findall(form.text) if k != "csrf_token"}
    return hidden, form.text


def _filled(hidden: dict[str, str], **overrides: str) -> dict[str, str]:
    return {
        **hidden,
        "guest_names": "张伟\nLi Lei, Han Meimei",
        "booker_name": "王芳",
        "booker_phone": "138 0013 8000",
        "booker_company": "Acme",
        "member_card": "",
        "payment_mode": "prepaid",
        "confirm_channel": "fax",
        "confirm_contact": "010 6512 3456",
        "special_requests": "Twin beds",
        "arrival_time": "22:00",
        **overrides,
    }


async def test_in4_agent_places_a_booking_through_the_form(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    hidden, form = await _open_form(agent, rooms=2)
    for label in FORM_LABELS:
        assert label in form, label
    assert hidden["idempotency_key"] and hidden["form_id"]  # IN-1

    placed = await agent.post_form("/intake/bookings", _filled(hidden))

    assert placed.status_code == 303, placed.text
    location = placed.headers["location"]
    assert re.fullmatch(r"/intake/bookings/RL[A-Z2-9]{8}", location)
    page = await agent.page(location)
    ref = location.rsplit("/", 1)[1]
    assert f"Booking {ref} placed" in page.text
    assert "Han Meimei" in page.text and "CN¥2,752.00" in page.text
    booking = (await agent.get(f"/intake/api/bookings/{ref}")).json()
    assert booking["guest_names"] == ["张伟", "Li Lei", "Han Meimei"]
    assert booking["rooms"] == 2 and booking["handling_started_at"] is not None
    stock = await inventory(sessionmaker, seeded.room_type_id)
    assert stock[clock.today() + timedelta(days=6)]["sold"] == 2


async def test_issue15_the_booking_desk_speaks_chinese_with_the_locale_cookie(
    login_as, sessionmaker
) -> None:
    """Issue 15: with roomline_locale=zh_CN the search, the booking form and the placed
    booking come from the catalogs, in the desk's own words; the data stays as typed."""
    await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    hidden, _form = await _open_form(agent, rooms=2)
    placed = await agent.post_form("/intake/bookings", _filled(hidden))
    agent.http.cookies.set("roomline_locale", "zh_CN")

    search = await agent.page("/intake/")
    booking = await agent.page(placed.headers["location"])

    assert search.status_code == 200 and booking.status_code == 200
    assert '<html lang="zh-CN">' in search.text
    for chinese in ("查找房间", "来电号码", "入住", "离店", "星级", "搜索"):
        assert chinese in search.text, chinese
    for english in ("Find a room", "Caller phone", "Hotel name", ">Search<"):
        assert english not in search.text, english
    ref = placed.headers["location"].rsplit("/", 1)[1]
    for chinese in (f"订单 {ref} 已下单", "房型", "价格计划", "付款方式", "预付（代收代付）",
                    "确认方式", "传真", "2 间", "修改或取消", "取消订单", "变更记录"):  # fmt: skip
        assert chinese in booking.text, chinese
    for english in ("Room type", "Rate plan", "Payment mode", "Prepaid", "Change or cancel",
                    "Cancel booking", "History", "placed"):  # fmt: skip
        assert english not in booking.text, english
    assert "Han Meimei" in booking.text and "Twin beds" in booking.text  # data as typed


async def test_in4_sending_the_same_form_twice_places_one_booking(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    hidden, _ = await _open_form(agent)
    first = await agent.post_form("/intake/bookings", _filled(hidden))
    second = await agent.post_form("/intake/bookings", _filled(hidden))
    assert first.headers["location"] == second.headers["location"]
    assert (await counts(sessionmaker))["bookings"] == 1


async def test_in4_bad_form_shows_a_readable_error_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    await seed_hotel(sessionmaker, rooms=5)
    agent = await login_as("ana", Role.AGENT)
    hidden, _ = await _open_form(agent)

    refused = await agent.post_form("/intake/bookings", _filled(hidden, guest_names=" , "))

    assert refused.status_code == 422
    assert '<a href="#field-guest_names">' in refused.text  # the summary links to the box
    assert 'id="field-guest_names-error">Enter at least one guest name.</span>' in refused.text
    assert 'value="王芳"' in refused.text  # what the agent typed is kept
    assert "Place booking" in refused.text
    no_phone = await agent.post_form("/intake/bookings", _filled(hidden, booker_phone=""))
    assert no_phone.status_code == 422 and '<a href="#field-booker_phone">' in no_phone.text
    assert (await counts(sessionmaker))["bookings"] == 0


async def test_in4_form_for_a_night_sold_meanwhile_is_409_and_writes_nothing(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=2)
    agent = await login_as("ana", Role.AGENT)
    hidden, _ = await _open_form(agent, rooms=2)
    night = clock.today() + timedelta(days=7)
    rival = await login_as("bo", Role.AGENT)
    taken = await rival.post_json(
        "/intake/api/bookings", booking_body(seeded, night, nights=1, rooms=1)
    )
    assert taken.status_code == 201
    before_counts = await counts(sessionmaker)
    before_stock = await inventory(sessionmaker, seeded.room_type_id)

    refused = await agent.post_form("/intake/bookings", _filled(hidden))

    assert refused.status_code == 409
    assert f"Sold out on {night}: 1 room left, 2 asked" in refused.text
    assert 'class="error"' in refused.text
    assert await counts(sessionmaker) == before_counts
    assert await inventory(sessionmaker, seeded.room_type_id) == before_stock


async def test_in4_booking_page_of_an_unknown_ref_is_404(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    page = await agent.page("/intake/bookings/RLZZZZZZZZ")
    assert page.status_code == 404 and "No booking RLZZZZZZZZ" in page.text
