"""IN-3: when a hotel cannot sell a stay, up to five hotels of the same grade in the same city
that can, nearest first by coordinates (hotels without coordinates last), with the distance."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest

from services.intake.search.alternatives import haversine_km
from shared.auth import Role
from shared.clock import clock
from shared.events.contracts import NightRestriction, RestrictionsSetV1
from tests.services.intake.factories import SeededHotel, apply, envelope, seed_hotel

ALTERNATIVES = "/intake/api/alternatives"
SEARCH = "/intake/api/search"
ORIGIN = (39.9100, 116.4100)
KM_OF_LATITUDE = 111.195  # km per degree of latitude on the mean Earth sphere


def _north(km: float) -> dict[str, float]:
    return {"latitude": ORIGIN[0] + km / KM_OF_LATITUDE, "longitude": ORIGIN[1]}


def _stay(rooms: int = 2) -> dict[str, Any]:
    check_in = clock.today() + timedelta(days=7)
    return {
        "check_in": str(check_in),
        "check_out": str(check_in + timedelta(days=2)),
        "rooms": rooms,
    }


async def _hotel(sessionmaker: Any, name: str, **options: Any) -> SeededHotel:
    options.setdefault("star_grade", 4)
    return await seed_hotel(sessionmaker, name_en=name, **options)


async def _neighbourhood(sessionmaker: Any) -> SeededHotel:
    """A full 4★ hotel and, around it, hotels that may or may not stand in for it."""
    full = await _hotel(
        sessionmaker, "Full House", rooms=1, latitude=ORIGIN[0], longitude=ORIGIN[1]
    )
    await _hotel(sessionmaker, "Three Km", **_north(3.0))
    await _hotel(sessionmaker, "One Km", **_north(1.0))
    await _hotel(sessionmaker, "Ten Km", **_north(10.0))
    await _hotel(sessionmaker, "Nowhere Known")  # no coordinates
    await _hotel(sessionmaker, "Also Full", rooms=1, **_north(0.5))
    await _hotel(sessionmaker, "Five Star Next Door", star_grade=5, **_north(0.2))
    await _hotel(sessionmaker, "Unsigned", signed=False, **_north(0.3))  # HR-3
    await _hotel(sessionmaker, "Suspended", sellable=False, **_north(0.4))
    closed = await _hotel(sessionmaker, "Closed To Arrival", **_north(0.6))
    await _restrict(sessionmaker, closed, closed_to_arrival=True)
    await _hotel(sessionmaker, "Other City", city="Shanghai", **_north(0.1))
    return full


async def _restrict(sessionmaker: Any, seeded: SeededHotel, **fields: Any) -> None:
    check_in = clock.today() + timedelta(days=7)
    event = RestrictionsSetV1(
        hotel_id=seeded.hotel_id,
        room_type_id=seeded.room_type_id,
        nights=[NightRestriction(night=check_in, **fields)],
    )
    await apply(sessionmaker, envelope(event))


async def _alternatives(agent: Any, hotel: SeededHotel, **stay: Any) -> dict[str, Any]:
    found = await agent.get(ALTERNATIVES, params={"hotel_id": str(hotel.hotel_id), **_stay(**stay)})
    assert found.status_code == 200, found.text
    return found.json()  # type: ignore[no-any-return]


def test_in3_haversine_gives_great_circle_kilometres() -> None:
    beijing, shanghai = (39.9042, 116.4074), (31.2304, 121.4737)
    assert haversine_km(beijing, shanghai) == pytest.approx(1067, abs=3)
    assert haversine_km(ORIGIN, (ORIGIN[0] + 1 / KM_OF_LATITUDE, ORIGIN[1])) == pytest.approx(1.0)


async def test_in3_same_grade_sellable_hotels_nearest_first_unlocated_last(
    login_as, sessionmaker
) -> None:
    full = await _neighbourhood(sessionmaker)
    agent = await login_as("ana", Role.AGENT)

    answer = await _alternatives(agent, full)

    assert answer["can_sell"] is False and answer["reason"].startswith("Full on ")
    offered = [(a["hotel_name"], a["distance_km"]) for a in answer["alternatives"]]
    assert offered == [
        ("One Km", 1.0),
        ("Three Km", 3.0),
        ("Ten Km", 10.0),
        ("Nowhere Known", None),
    ]
    assert {a["star_grade"] for a in answer["alternatives"]} == {4}
    first = answer["alternatives"][0]["offer"]
    assert first["can_sell"] is True and first["total_sell_minor"] == 2 * 2 * 68800


async def test_in3_at_most_five_alternatives(login_as, sessionmaker) -> None:
    full = await _hotel(sessionmaker, "Full", rooms=1, latitude=ORIGIN[0], longitude=ORIGIN[1])
    for km in (7, 2, 6, 1, 5, 3, 4):
        await _hotel(sessionmaker, f"At {km} km", **_north(km))
    agent = await login_as("ana", Role.AGENT)

    answer = await _alternatives(agent, full)

    assert [a["distance_km"] for a in answer["alternatives"]] == [1.0, 2.0, 3.0, 4.0, 5.0]


async def test_in3_a_hotel_that_can_sell_needs_no_alternatives(login_as, sessionmaker) -> None:
    full = await _neighbourhood(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    answer = await _alternatives(agent, full, rooms=1)
    assert (answer["can_sell"], answer["reason"], answer["alternatives"]) == (True, "", [])


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"sellable": False}, "On stop-sell"),
        ({"signed": False}, "No signed contract for"),
        ({"restriction": {"stop_sell": True}}, "Stop-sell on"),
        ({"restriction": {"min_stay": 3}}, "Minimum stay is 3 nights"),
    ],
)
async def test_in3_stop_sell_restrictions_or_no_contract_also_get_alternatives(
    login_as, sessionmaker, options: dict[str, Any], reason: str
) -> None:
    restriction = options.pop("restriction", None)
    asked = await _hotel(
        sessionmaker, "Asked For", latitude=ORIGIN[0], longitude=ORIGIN[1], **options
    )
    if restriction:
        await _restrict(sessionmaker, asked, **restriction)
    await _hotel(sessionmaker, "Round The Corner", **_north(0.8))
    agent = await login_as("ana", Role.AGENT)

    answer = await _alternatives(agent, asked)

    assert answer["can_sell"] is False and answer["reason"].startswith(reason), answer["reason"]
    assert [a["hotel_name"] for a in answer["alternatives"]] == ["Round The Corner"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"hotel_id": "00000000-0000-0000-0000-000000000000"}, "hotel_id"),
        ({"hotel_id": "not-a-uuid"}, "hotel_id"),
        ({"check_out": "2020-01-01"}, "check_out"),
        ({"rooms": 10}, "rooms"),
    ],
)
async def test_in3_bad_alternatives_request_is_422_naming_the_field(
    login_as, sessionmaker, params: dict[str, Any], field: str
) -> None:
    seeded = await _hotel(sessionmaker, "Any")
    agent = await login_as("ana", Role.AGENT)
    query = {"hotel_id": str(seeded.hotel_id), **_stay(), **params}
    found = await agent.get(ALTERNATIVES, params=query)
    assert found.status_code == 422, found.text
    assert found.json()["fields"][0]["field"] == field


async def test_in3_search_offers_alternatives_under_the_full_hotel(login_as, sessionmaker) -> None:
    full = await _neighbourhood(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    params = {"city": "Beijing", **_stay(), "name": "Full House"}

    body = (await agent.get(SEARCH, params=params)).json()
    page = await agent.page("/intake/search/results", params=params)

    [offer] = body["offers"]
    assert offer["hotel_name"] == "Full House" and offer["can_sell"] is False
    [nearby] = body["alternatives"]
    assert nearby["hotel_id"] == str(full.hotel_id)
    assert [a["hotel_name"] for a in nearby["alternatives"]][:2] == ["One Km", "Three Km"]
    text = html.unescape(page.text)
    assert f"Full House: Full on {_stay()['check_in']} (1 room left)" in text
    assert "— nearby 4★ with rooms:" in text and "One Km" in text and "1.0 km" in text
    one_km = nearby["alternatives"][0]["offer"]["rate_plan_id"]
    assert f"/intake/book?rate_plan_id={one_km}&check_in={_stay()['check_in']}" in text


async def test_in3_sellable_hotels_in_the_search_get_no_alternatives(
    login_as, sessionmaker
) -> None:
    await _neighbourhood(sessionmaker)
    agent = await login_as("ana", Role.AGENT)
    body = (await agent.get(SEARCH, params={"city": "Beijing", **_stay(), "name": "One Km"})).json()
    assert body["offers"][0]["can_sell"] is True and body["alternatives"] == []
