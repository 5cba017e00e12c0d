"""HR-7: a calendar of high seasons and exhibitions per city with the rooms guaranteed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work


async def test_hr7_periods_are_listed_per_city_soonest_first(login_as) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    today = clock.today()
    for name, city, offset in [
        ("Canton Fair 2027", "Guangzhou", 40),
        ("Golden Week", "Beijing", 5),
        ("Auto Show", "Beijing", 20),
    ]:
        first = today + timedelta(days=offset)
        response = await desk.post_form(
            "/contracts/seasons",
            {
                "city": city,
                "name": name,
                "kind": "exhibition",
                "first_night": first.isoformat(),
                "last_night": (first + timedelta(days=4)).isoformat(),
                "guaranteed_rooms": "120",
            },
        )
        assert response.status_code == 303, response.text
    page = await desk.page("/contracts/seasons?city=beijing")
    assert page.text.index("Golden Week") < page.text.index("Auto Show")
    assert "Canton Fair 2027" not in page.text


async def test_hr7_a_period_ending_before_it_starts_is_refused(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    response = await desk.post_form(
        "/contracts/seasons",
        {
            "city": "Beijing",
            "name": "Backwards",
            "kind": "high_season",
            "first_night": "2027-05-05",
            "last_night": "2027-05-01",
        },
    )
    assert response.status_code == 422 and "last night" in response.text
    async with unit_of_work(sessionmaker) as session:
        assert (
            await session.execute(text("SELECT count(*) FROM contracts.season"))
        ).scalar_one() == 0
