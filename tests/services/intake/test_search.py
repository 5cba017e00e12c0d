"""Search sellable rooms by city, dates and room count (IN-2)."""

from __future__ import annotations

from datetime import timedelta

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import allotment_event, apply, envelope, seed_hotel

SEARCH = "/intake/api/search"


def _stay(days_ahead: int, nights: int) -> dict[str, str]:
    check_in = clock.today() + timedelta(days=days_ahead)
    return {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
    }


async def test_in2_search_shows_per_night_prices_total_and_remaining(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5, sell_minor=68800, city="Beijing")
    await seed_hotel(sessionmaker, city="Shanghai", name_en="Bund Hotel")
    check_in = clock.today() + timedelta(days=4)
    await apply(sessionmaker, envelope(allotment_event(seeded, {check_in + timedelta(days=1): 3})))
    agent = await login_as("ana", Role.AGENT)

    found = await agent.get(SEARCH, params={"city": "  beijing ", "rooms": 2, **_stay(4, 2)})

    assert found.status_code == 200, found.text
    [offer] = found.json()["offers"]
    assert offer["hotel_name"] == "Peace Hotel" and offer["rate_plan_id"] == str(
        seeded.rate_plan_id
    )
    assert [(n["sell_minor"], n["remaining"]) for n in offer["nights"]] == [(68800, 5), (68800, 3)]
    assert offer["total_sell_minor"] == 2 * 2 * 68800
    assert offer["min_remaining"] == 3
    assert offer["can_sell"] is True and offer["currency"] == "CNY"


async def test_in2_a_night_short_of_rooms_makes_the_offer_unsellable(
    login_as, sessionmaker
) -> None:
    seeded = await seed_hotel(sessionmaker, rooms=5)
    check_in = clock.today() + timedelta(days=4)
    await apply(sessionmaker, envelope(allotment_event(seeded, {check_in: 1})))
    agent = await login_as("ana", Role.AGENT)

    found = await agent.get(SEARCH, params={"city": "Beijing", "rooms": 2, **_stay(4, 2)})

    [offer] = found.json()["offers"]
    assert offer["can_sell"] is False
    assert offer["reason"] == f"Full on {check_in} (1 room left)"


async def test_in2_nights_without_allotment_or_price_are_not_sellable(
    login_as, sessionmaker
) -> None:
    check_in = clock.today() + timedelta(days=4)
    await seed_hotel(sessionmaker, nights=[check_in])
    agent = await login_as("ana", Role.AGENT)
    found = await agent.get(SEARCH, params={"city": "Beijing", **_stay(4, 2)})
    [offer] = found.json()["offers"]
    assert offer["can_sell"] is False and offer["total_sell_minor"] is None
    assert offer["nights"][1] == {
        "night": (check_in + timedelta(days=1)).isoformat(),
        "sell_minor": None,
        "remaining": None,
    }


async def test_in2_stop_sell_hotels_are_not_offered(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker, sellable=False)
    agent = await login_as("ana", Role.AGENT)
    found = await agent.get(SEARCH, params={"city": "Beijing", **_stay(1, 1)})
    assert found.json()["offers"] == []


async def test_in2_search_with_reversed_dates_is_422_naming_check_out(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    stay = _stay(3, 1)
    params = {"city": "Beijing", "check_in": stay["check_out"], "check_out": stay["check_in"]}
    found = await agent.get(SEARCH, params=params)
    assert found.status_code == 422
    assert found.json()["fields"][0]["field"] == "check_out"


async def test_in2_search_page_lists_offers_with_a_book_link(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, sell_minor=68800)
    agent = await login_as("ana", Role.AGENT)

    page = await agent.page("/intake/", params={"city": "Beijing", "rooms": "1", **_stay(2, 2)})

    assert page.status_code == 200
    for label in ("City", "Check-in", "Check-out", "Rooms", "Search"):
        assert label in page.text
    assert "Peace Hotel" in page.text and "CN¥688.00" in page.text and "CN¥1,376.00" in page.text
    assert f"/intake/book?rate_plan_id={seeded.rate_plan_id}&amp;check_in=" in page.text
    assert ">Book</a>" in page.text


async def test_in2_search_page_says_when_no_hotel_can_sell(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker, rooms=1)
    agent = await login_as("ana", Role.AGENT)
    # A city without our hotels is not blamed on the dates (issue 15; tests/…/test_cities.py).
    page = await agent.page("/intake/", params={"city": "Chengdu", "rooms": "1", **_stay(2, 1)})
    assert page.status_code == 422
    assert "We have no hotel in Chengdu." in page.text and "these dates" not in page.text
    full = await agent.page("/intake/", params={"city": "Beijing", "rooms": "3", **_stay(2, 1)})
    assert "No hotel in Beijing can sell these dates." in full.text and ">Book</a>" not in full.text


async def test_in2_search_page_shows_a_readable_error_for_a_bad_date(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    page = await agent.page(
        "/intake/", params={"city": "Beijing", "check_in": "soon", "check_out": "", "rooms": "1"}
    )
    assert page.status_code == 422
    assert 'class="error"' in page.text and "Check-in: enter a date" in page.text
