"""HR-2: two people editing the same hotel's grid at once. The one who saves second, over a
change made after they opened the grid, gets a clear conflict and nothing of theirs is written;
nothing is overwritten silently. Bulk edits touch only the chosen weekdays."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.contracts.helpers import API, counts, night, rates, set_up_hotel

DESK = "/contracts"


async def _grid_version(desk, hotel_id: str) -> int:
    return (await desk.get(f"{API}/hotels/{hotel_id}")).json()["grid_version"]


def _prices(ids: dict[str, str], sell: int, **extra: object) -> dict[str, object]:
    return {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(7),
        "net_minor": 50000,
        "sell_minor": sell,
        **extra,
    }


async def test_hr2_second_api_save_over_a_newer_change_is_a_conflict(
    login_as, sessionmaker
) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    jie = await login_as("jie", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(hua)
    seen = await _grid_version(hua, ids["hotel_id"])
    assert seen == await _grid_version(jie, ids["hotel_id"])

    first = await hua.request_json("PUT", f"{API}/rates", _prices(ids, 60000, grid_version=seen))
    assert first.status_code == 200, first.text
    before = await counts(sessionmaker)
    second = await jie.request_json("PUT", f"{API}/rates", _prices(ids, 70000, grid_version=seen))

    assert second.status_code == 409
    refusal = second.json()
    assert refusal["error"] == "conflict" and refusal["fields"][0]["field"] == "grid_version"
    assert "hua changed this hotel's grid" in refusal["detail"] and "Reload" in refusal["detail"]
    assert await counts(sessionmaker) == before
    assert {sell for _, sell, _ in (await rates(sessionmaker, ids["rate_plan_id"])).values()} == {
        60000
    }
    fresh = await _grid_version(jie, ids["hotel_id"])
    assert fresh == seen + 1
    retry = await jie.request_json("PUT", f"{API}/rates", _prices(ids, 70000, grid_version=fresh))
    assert retry.status_code == 200, retry.text


async def test_hr2_two_saves_racing_on_the_same_version_one_wins(login_as, sessionmaker) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    jie = await login_as("jie", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(hua)
    seen = await _grid_version(hua, ids["hotel_id"])
    allotment = {
        "room_type_id": ids["room_type_id"],
        "first_night": night(1),
        "last_night": night(30),
        "grid_version": seen,
    }

    answers = await asyncio.gather(
        hua.request_json("PUT", f"{API}/allotments", {**allotment, "rooms": 5}),
        jie.request_json("PUT", f"{API}/allotments", {**allotment, "rooms": 9}),
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    winner = 5 if answers[0].status_code == 200 else 9
    async with sessionmaker() as session:
        rooms = set(
            (await session.scalars(text("SELECT rooms FROM contracts.night_allotment"))).all()
        )
    assert rooms == {winner}
    assert await _grid_version(hua, ids["hotel_id"]) == seen + 1


async def test_hr2_hotel_page_save_after_a_colleague_changed_the_grid_shows_the_conflict(
    login_as, sessionmaker
) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    jie = await login_as("jie", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(hua)
    page = await jie.get(f"{DESK}/hotels/{ids['hotel_id']}")
    assert 'name="grid_version" value="0"' in page.text

    await hua.request_json("PUT", f"{API}/rates", _prices(ids, 60000))
    before = await counts(sessionmaker)
    form = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": night(1),
        "last_night": night(7),
        "net": "500.00",
        "sell": "650.00",
        "grid_version": "0",
    }
    response = await jie.post_form(f"{DESK}/hotels/{ids['hotel_id']}/rates", form)

    assert response.status_code == 409
    assert "hua changed this hotel&#39;s grid" in response.text
    assert 'value="650.00"' in response.text  # what jie typed is still there to save again
    assert 'name="grid_version" value="1"' in response.text  # now showing the fresh grid
    assert await counts(sessionmaker) == before


async def test_hr2_bulk_price_edit_touches_only_the_chosen_weekdays(login_as, sessionmaker) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(hua)
    first = clock.today() + timedelta(days=1)
    last = first + timedelta(days=13)
    base = {"first_night": first.isoformat(), "last_night": last.isoformat()}
    weekdays = await hua.request_json("PUT", f"{API}/rates", {**_prices(ids, 60000), **base})
    assert weekdays.status_code == 200
    weekend = {**_prices(ids, 80000), **base, "weekdays": [4, 5]}  # Friday and Saturday nights
    response = await hua.request_json("PUT", f"{API}/rates", weekend)
    assert response.status_code == 200, response.text
    assert response.json()["nights"] == 4

    sells = {
        n: sell for n, (_, sell, _) in (await rates(sessionmaker, ids["rate_plan_id"])).items()
    }
    assert all(sells[n] == (80000 if n.weekday() in (4, 5) else 60000) for n in sells)
    assert len(sells) == 14

    none = await hua.request_json(
        "PUT",
        f"{API}/rates",
        {**_prices(ids, 80000), "first_night": night(1), "last_night": night(1),
         "weekdays": [(clock.today() + timedelta(days=2)).weekday()]},
    )  # fmt: skip
    assert none.status_code == 422 and none.json()["fields"][0]["field"] == "weekdays"


async def test_hr2_hotel_page_bulk_edits_weekends_only(login_as, sessionmaker) -> None:
    hua = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(hua)
    first: date = clock.today() + timedelta(days=1)
    form = {
        "room_type_id": ids["room_type_id"],
        "first_night": first.isoformat(),
        "last_night": (first + timedelta(days=6)).isoformat(),
        "rooms": "7",
        "grid_version": "0",
        "weekdays": ["5", "6"],
    }
    response = await hua.post_form(f"{DESK}/hotels/{ids['hotel_id']}/allotments", form)
    assert response.status_code == 303, response.text
    async with sessionmaker() as session:
        nights = (await session.scalars(text("SELECT night FROM contracts.night_allotment"))).all()
    assert sorted(n.weekday() for n in nights) == [5, 6]
