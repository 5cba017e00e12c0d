"""HR-8: room-night thresholds and commission tiers are kept per hotel and announced to the
booking desk, whose search shows them on the hotel."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from services.intake.handlers import HANDLERS as INTAKE_HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.consumer import apply_once
from tests.services.contracts.helpers import outbox
from tests.services.intake.factories import seed_hotel

PUBLISHED = "contracts.conditions_published"


async def _relay_latest_to_intake(sessionmaker) -> None:
    """Apply the newest conditions event to intake through its real handler."""
    async with unit_of_work(sessionmaker) as session:
        row = (
            await session.execute(
                text(
                    "SELECT event_id, name, version, payload, occurred_at FROM contracts.outbox "
                    "WHERE name = :name ORDER BY created_at DESC LIMIT 1"
                ),
                {"name": PUBLISHED},
            )
        ).one()
    envelope = Envelope(
        event_id=row.event_id,
        name=row.name,
        version=row.version,
        occurred_at=row.occurred_at,
        source="contracts",
        payload=row.payload,
    )
    await apply_once(
        sessionmaker, service="intake", schema="intake", handlers=INTAKE_HANDLERS, envelope=envelope
    )


async def test_hr8_conditions_reach_the_agents_search(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    agent = await login_as("lina", Role.AGENT)
    hotel_id = (
        await desk.post_json(
            "/contracts/api/hotels",
            {
                "name_zh": "北京饭店",
                "name_en": "Beijing Hotel",
                "city": "Beijing",
                "star_grade": 5,
                "confirm_channel": "email",
                "email": "res@beijinghotel.example",
            },
        )
    ).json()["hotel_id"]
    for form in (
        {"kind": "room_nights", "threshold": "50", "note": "keeps the contract rate"},
        {"kind": "commission_tier", "threshold": "200", "commission_percent": "12"},
    ):
        response = await desk.post_form(f"/contracts/hotels/{hotel_id}/conditions", form)
        assert response.status_code == 303, response.text
    published = await outbox(sessionmaker, PUBLISHED)
    assert len(published) == 2 and len(published[-1]["conditions"]) == 2

    # Intake's projection of that hotel: same id, so the search joins the conditions to it.
    await seed_hotel(sessionmaker, rooms=3, name_en="Beijing Hotel", hotel_id=hotel_id)
    await _relay_latest_to_intake(sessionmaker)
    check_in = clock.today() + timedelta(days=2)
    offers = (
        await agent.get(
            f"/intake/api/search?city=Beijing&check_in={check_in}"
            f"&check_out={check_in + timedelta(days=1)}&rooms=1"
        )
    ).json()
    assert offers["offers"][0]["conditions"] == [
        "12% commission from 200 room nights",
        "at least 50 room nights a month (keeps the contract rate)",
    ]


async def test_hr8_a_tier_without_a_percentage_is_refused(login_as, sessionmaker) -> None:
    desk = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    hotel_id = (
        await desk.post_json(
            "/contracts/api/hotels",
            {
                "name_zh": "北京饭店",
                "name_en": "Beijing Hotel",
                "city": "Beijing",
                "star_grade": 5,
                "confirm_channel": "email",
                "email": "res@beijinghotel.example",
            },
        )
    ).json()["hotel_id"]
    response = await desk.post_form(
        f"/contracts/hotels/{hotel_id}/conditions", {"kind": "commission_tier", "threshold": "200"}
    )
    assert response.status_code == 422 and "needs a percentage" in response.text
    assert await outbox(sessionmaker, PUBLISHED) == []
