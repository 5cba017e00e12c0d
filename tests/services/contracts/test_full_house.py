"""CF-3: the confirmation desk records that the hotel is full; its event makes hotel resources
set those nights' room status to full (audited, with the desk user as actor) and intake stops
selling them, through outbox → relay → arq → contracts → outbox → intake."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import text

from services.contracts.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.events import envelope_for
from shared.events.confirmation import FullHouseV1
from shared.events.consumer import apply_once
from shared.events.outbox import publish
from tests.services.contracts.helpers import sellable_hotel
from tests.support.pipeline import eventually, running_pipeline


def _full_house(ids: dict[str, str], days: list[int]) -> FullHouseV1:
    return FullHouseV1(
        booking_ref="RL7Q2K9X",
        hotel_id=uuid.UUID(ids["hotel_id"]),
        room_type_id=uuid.UUID(ids["room_type_id"]),
        nights=[clock.today() + timedelta(days=d) for d in days],
        reason="Front desk: fully booked for a conference",
        marked_by="chenjing",
    )


async def test_cf3_full_house_stops_sale_in_intake_through_the_pipeline(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    agent = await login_as("lina", Role.AGENT)
    ids = await sellable_hotel(resources, director)
    check_in = clock.today() + timedelta(days=3)
    search = (
        f"/intake/api/search?city=Beijing&check_in={check_in}"
        f"&check_out={check_in + timedelta(days=2)}&rooms=1"
    )
    async with running_pipeline(("contracts", "intake")):

        async def can_sell() -> bool | None:
            # Until the hotel reaches intake, its city is unknown there: a 422 with no offers.
            offers = (await agent.get(search)).json().get("offers", [])
            return offers[0]["can_sell"] if offers else None

        assert await eventually(can_sell) is True
        async with sessionmaker() as session, session.begin():
            payload = _full_house(ids, [3, 4])
            await publish(session, schema="confirmation", payload=payload, occurred_at=clock.now())

        async def full() -> str:
            offer = (await agent.get(search)).json()["offers"][0]
            return "" if offer["can_sell"] else offer["reason"]

        reason = await eventually(full)
        assert f"hotel reports full on {check_in}" in reason.lower()
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                text("SELECT night, room_status FROM contracts.night_restriction ORDER BY night")
            )
        ).all()
        audit = (
            await session.execute(
                text(
                    "SELECT actor, after FROM contracts.audit_log "
                    "WHERE action = 'set_room_status_full'"
                )
            )
        ).one()
    assert [(r.night, r.room_status) for r in rows] == [
        (check_in, "full"),
        (check_in + timedelta(days=1), "full"),
    ]
    assert audit.actor == "confirmation:chenjing"
    assert "RL7Q2K9X" in str(audit.after)


async def test_cf3_a_redelivered_full_house_event_changes_nothing_twice(
    login_as, sessionmaker
) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    ids = await sellable_hotel(resources, director)
    event = envelope_for(_full_house(ids, [2]), source="confirmation", occurred_at=clock.now())

    results = [
        await apply_once(
            sessionmaker,
            service="contracts",
            schema="contracts",
            handlers=HANDLERS,
            envelope=event,
        )
        for _ in range(2)
    ]

    assert results == ["handled", "duplicate"]
    async with sessionmaker() as session:
        published = await session.scalar(
            text("SELECT count(*) FROM contracts.outbox WHERE name = 'contracts.restrictions_set'")
        )
    assert published == 1
