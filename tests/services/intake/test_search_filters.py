"""IN-2: the agents' search filters (district, hotel name in Chinese / pinyin / initials /
English, star grade, price band), their combinations, paging, refusals and the page fragment.

Hotels are projected through real contracts.* events (factories.seed_hotel), so the pinyin is
computed by the same handler production runs.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

import pytest

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import apply, envelope, rates_event, seed_hotel

SEARCH = "/intake/api/search"
FRAGMENT = "/intake/search/results"

# name_en, name_zh, district, star grade, sell per night (minor units)
BEIJING = {
    "Wangfujing Hilton": ("王府井希尔顿酒店", "Dongcheng", 5, 120000),
    "Peace Hotel": ("和平饭店", "Dongcheng", 4, 68800),
    "Kerry Hotel": ("嘉里大酒店", "Chaoyang", 5, 150000),
    "Home Inn Sanlitun": ("如家三里屯店", "Chaoyang", 2, 25000),
}


def _stay(days_ahead: int = 5, nights: int = 2) -> dict[str, str]:
    check_in = clock.today() + timedelta(days=days_ahead)
    return {
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
    }


async def _seed_beijing(sessionmaker: Any) -> dict[str, Any]:
    seeded = {}
    for name_en, (name_zh, district, stars, sell) in BEIJING.items():
        seeded[name_en] = await seed_hotel(
            sessionmaker,
            name_en=name_en,
            name_zh=name_zh,
            district=district,
            star_grade=stars,
            sell_minor=sell,
        )
    # Same name in another city: the city filter must keep it out.
    await seed_hotel(sessionmaker, city="Shanghai", name_en="Wangfujing Hilton", star_grade=5)
    return seeded


async def _names(agent: Any, **filters: Any) -> list[str]:
    found = await agent.get(SEARCH, params={"city": "Beijing", **_stay(), **filters})
    assert found.status_code == 200, found.text
    return [offer["hotel_name"] for offer in found.json()["offers"]]


async def test_in2_district_filter_is_case_insensitive(login_as, sessionmaker) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    assert sorted(await _names(agent, district="chaoyang")) == ["Home Inn Sanlitun", "Kerry Hotel"]
    assert await _names(agent, district="Haidian") == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("王府井", ["Wangfujing Hilton"]),  # Chinese
        ("和平", ["Peace Hotel"]),
        ("wangfujing", ["Wangfujing Hilton"]),  # full pinyin
        ("Wang Fu-Jing", ["Wangfujing Hilton"]),  # as typed with separators
        ("jiali", ["Kerry Hotel"]),  # 嘉里
        ("wfj", ["Wangfujing Hilton"]),  # initials
        ("WFJXEDJD", ["Wangfujing Hilton"]),  # all the initials, upper case
        ("rjsl", ["Home Inn Sanlitun"]),  # 如家三里屯
        ("kerry", ["Kerry Hotel"]),  # English, any case
        ("inn sanli", ["Home Inn Sanlitun"]),
        ("100%", []),  # LIKE wildcards are literal
    ],
)
async def test_in2_hotel_name_matches_chinese_pinyin_initials_or_english(
    login_as, sessionmaker, typed: str, expected: list[str]
) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    assert await _names(agent, name=typed) == expected


async def test_in2_star_grade_exact_or_minimum(login_as, sessionmaker) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    assert sorted(await _names(agent, star=5)) == ["Kerry Hotel", "Wangfujing Hilton"]
    assert sorted(await _names(agent, star_min=4)) == [
        "Kerry Hotel",
        "Peace Hotel",
        "Wangfujing Hilton",
    ]
    assert await _names(agent, star=3) == []


async def test_in2_price_band_is_per_night_in_the_hotel_currency(login_as, sessionmaker) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    # CNY 688 and 250 a night; bounds are in yuan, not fen.
    assert sorted(await _names(agent, price_min=200, price_max=700)) == [
        "Home Inn Sanlitun",
        "Peace Hotel",
    ]
    assert await _names(agent, price_max="250.00") == ["Home Inn Sanlitun"]
    assert sorted(await _names(agent, price_min=1200)) == ["Kerry Hotel", "Wangfujing Hilton"]


async def test_in2_price_band_judges_the_stays_average_night(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker, sell_minor=50000, name_en="Weekend Dearer")
    stay = _stay(days_ahead=5, nights=2)
    second_night = date.fromisoformat(stay["check_in"]) + timedelta(days=1)
    await apply(sessionmaker, envelope(rates_event(seeded, {second_night: 70000})))
    agent = await login_as("ana", Role.AGENT)

    def band(low: int, high: int) -> dict[str, Any]:
        return {"city": "Beijing", **stay, "price_min": low, "price_max": high}

    inside = (await agent.get(SEARCH, params=band(550, 650))).json()["offers"]
    assert [o["hotel_name"] for o in inside] == ["Weekend Dearer"]  # (500 + 700) / 2 = 600
    assert [n["sell_minor"] for n in inside[0]["nights"]] == [50000, 70000]
    assert (await agent.get(SEARCH, params=band(610, 800))).json()["offers"] == []


async def test_in2_filters_combine(login_as, sessionmaker) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    assert await _names(agent, district="Dongcheng", star_min=5) == ["Wangfujing Hilton"]
    assert await _names(agent, district="Dongcheng", name="jiudian") == ["Wangfujing Hilton"]
    assert await _names(agent, district="Chaoyang", star=5, price_max=1000) == []
    assert await _names(agent, name="hotel", star_min=4, price_max=1300) == ["Peace Hotel"]


async def test_in2_results_page_with_a_total_recommended_first(login_as, sessionmaker) -> None:
    names = [f"Hotel {letter}" for letter in "ABCDE"]
    for name in names:
        await seed_hotel(sessionmaker, name_en=name)
    agent = await login_as("ana", Role.AGENT)

    pages = []
    for page in (1, 2, 3):
        params = {"city": "Beijing", **_stay(), "per_page": 2, "page": page}
        body = (await agent.get(SEARCH, params=params)).json()
        assert (body["total"], body["pages"], body["page"]) == (5, 3, page)
        pages.append([offer["hotel_name"] for offer in body["offers"]])

    assert pages == [names[0:2], names[2:4], names[4:5]]
    past = {"city": "Beijing", **_stay(), "per_page": 2, "page": 9}
    beyond = (await agent.get(SEARCH, params=past)).json()
    assert beyond["offers"] == [] and beyond["total"] == 5


async def test_in2_fifty_offers_a_page_by_default(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    body = (await agent.get(SEARCH, params={"city": "Beijing", **_stay()})).json()
    assert (body["per_page"], body["total"], len(body["offers"])) == (50, 1, 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": 800, "price_max": 500}, "price_max"),
        ({"price_min": -1}, "price_min"),
        ({"price_max": "cheap"}, "price_max"),
        ({"star": 7}, "star"),
        ({"star_min": 0}, "star_min"),
        ({"star": 3, "star_min": 4}, "star"),
        ({"check_in": "soon"}, "check_in"),
        ({"check_out": "2020-01-01"}, "check_out"),
        ({"rooms": 0}, "rooms"),
        ({"city": "  "}, "city"),
        ({"page": 0}, "page"),
        ({"per_page": 500}, "per_page"),
    ],
)
async def test_in2_bad_search_input_is_422_naming_the_field(
    login_as, params: dict[str, Any], field: str
) -> None:
    agent = await login_as("ana", Role.AGENT)
    found = await agent.get(SEARCH, params={"city": "Beijing", **_stay(), **params})
    assert found.status_code == 422, found.text
    body = found.json()
    assert body["error"] == "invalid_input" and body["fields"][0]["field"] == field, body


async def test_in2_results_fragment_is_the_results_area_alone(login_as, sessionmaker) -> None:
    hilton = (await _seed_beijing(sessionmaker))["Wangfujing Hilton"]
    agent = await login_as("ana", Role.AGENT)

    found = await agent.page(FRAGMENT, params={"city": "Beijing", **_stay(), "name": "wfj"})

    assert found.status_code == 200
    assert "<html" not in found.text and "<form" not in found.text
    assert "Wangfujing Hilton" in found.text and "Peace Hotel" not in found.text
    assert f"/intake/book?rate_plan_id={hilton.rate_plan_id}&amp;check_in=" in found.text
    assert "1 offer in Beijing matching “wfj”" in found.text


async def test_in2_empty_state_names_the_filters(login_as, sessionmaker) -> None:
    await _seed_beijing(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    params = {"city": "Beijing", **_stay(), "name": "wfj", "star": "4", "price_max": "900"}
    found = await agent.page(FRAGMENT, params=params)
    assert found.status_code == 200
    assert "No hotel in Beijing matches “wfj”, 4★, 0–900 a night." in found.text


async def test_in2_fragment_shows_a_readable_error_and_page_keeps_the_form(
    login_as, sessionmaker
) -> None:
    agent = await login_as("ana", Role.AGENT)
    params = {"city": "Beijing", **_stay(), "price_min": "800", "price_max": "500"}

    fragment = await agent.page(FRAGMENT, params=params)
    page = await agent.page("/intake/", params={**params, "star": "9"})

    assert fragment.status_code == 422
    assert 'class="error" role="alert"' in fragment.text and "Price to (500)" in fragment.text
    assert page.status_code == 422 and "Stars: Enter 5 or less." in page.text
    assert 'name="star" accesskey="s" aria-invalid="true" autofocus' in page.text
    assert 'name="price_max" type="number" value="500"' in page.text  # what was typed stays


async def test_in2_results_fragment_links_pages_with_the_same_filters(
    login_as, sessionmaker
) -> None:
    for letter in "ABC":
        await seed_hotel(sessionmaker, name_en=f"Hotel {letter}", star_grade=4)
    agent = await login_as("ana", Role.AGENT)
    params = {"city": "Beijing", **_stay(), "star_min": "4", "per_page": "2", "page": "1"}

    first = await agent.page(FRAGMENT, params=params)
    second = await agent.page(FRAGMENT, params={**params, "page": "2"})

    assert "3 offers in Beijing matching 4★ or better" in first.text and "page 1 of 2" in first.text
    assert "Hotel A" in first.text and "Hotel C" not in first.text
    next_link = re.search(r'<a href="/intake/\?([^"]+)" data-page-link rel="next">', first.text)
    assert next_link, first.text
    assert html.unescape(next_link.group(1)).endswith("star_min=4&per_page=2&page=2")
    assert (
        "Hotel C" in second.text and 'rel="prev"' in second.text and 'rel="next"' not in second.text
    )
