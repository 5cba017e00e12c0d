"""HR-6 / IN-2: the month's director-approved recommended hotels rank first in the search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.intake.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.events import envelope_for
from shared.events.consumer import apply_once
from shared.events.contracts import RecommendationApprovedV1
from tests.services.intake.factories import seed_hotel


async def test_hr6_recommended_hotel_ranks_first_and_is_tagged(login_as, sessionmaker) -> None:
    await seed_hotel(sessionmaker, rooms=5, name_en="Aardvark Inn")
    favourite = await seed_hotel(sessionmaker, rooms=5, name_en="Zhongguo Grand")
    agent = await login_as("lina", Role.AGENT)
    check_in = clock.today() + timedelta(days=3)
    query = (
        f"/intake/api/search?city=Beijing&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=1)}&rooms=1"
    )
    before = [o["hotel_name"] for o in (await agent.get(query)).json()["offers"]]
    assert before[0] == "Aardvark Inn"

    approved = RecommendationApprovedV1(
        hotel_id=favourite.hotel_id, city="Beijing", month=check_in.replace(day=1)
    )
    await apply_once(
        sessionmaker,
        service="intake",
        schema="intake",
        handlers=HANDLERS,
        envelope=envelope_for(approved, source="contracts", occurred_at=datetime.now(UTC)),
    )
    offers = (await agent.get(query)).json()["offers"]
    assert offers[0]["hotel_name"] == "Zhongguo Grand" and offers[0]["recommended"] is True
    assert offers[-1]["recommended"] is False
    page = await agent.page(query.replace("/api/search", "/"))
    assert '<span class="tag">recommended</span>' in page.text
