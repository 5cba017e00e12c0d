"""HR-6: recommended hotels go online for agents only after a director (not the proposer)
approves them; the approval reaches intake's projection as an event."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text

from services.intake.handlers import HANDLERS as INTAKE_HANDLERS
from services.intake.inventory.recommended import recommended_in
from shared.auth import Role
from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.consumer import apply_once
from tests.services.contracts.helpers import hotel_body, outbox

APPROVED = "contracts.recommendation_approved"


async def _propose(client, hotel_id: str, month: str = "2026-12") -> object:
    return await client.post_form(
        "/contracts/recommendations",
        {"month": month, "hotel_id": hotel_id, "reason": "Top reviews"},
    )


async def _proposal_id(sessionmaker) -> uuid.UUID:
    async with unit_of_work(sessionmaker) as session:
        return (
            await session.execute(text("SELECT recommendation_id FROM contracts.recommendation"))
        ).scalar_one()


async def test_hr6_director_approval_publishes_and_intake_ranks_it(login_as, sessionmaker) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = (await resources.post_json("/contracts/api/hotels", hotel_body())).json()["hotel_id"]
    assert (await _propose(resources, hotel_id)).status_code == 303
    assert await outbox(sessionmaker, APPROVED) == []  # not online before approval

    rec_id = await _proposal_id(sessionmaker)
    approved = await director.post_form(f"/contracts/recommendations/{rec_id}/approve", {})
    assert approved.status_code == 303
    events = await outbox(sessionmaker, APPROVED)
    assert [{k: e[k] for k in ("hotel_id", "city", "month")} for e in events] == [
        {"hotel_id": hotel_id, "city": "Beijing", "month": "2026-12-01"}
    ]

    async with unit_of_work(sessionmaker) as session:
        row = (
            await session.execute(
                text(
                    "SELECT event_id, name, version, payload, occurred_at FROM contracts.outbox "
                    "WHERE name = :name"
                ),
                {"name": APPROVED},
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
    async with unit_of_work(sessionmaker) as session:
        assert await recommended_in(session, month_of=date(2026, 12, 20)) == {uuid.UUID(hotel_id)}
        assert await recommended_in(session, month_of=date(2027, 1, 5)) == set()


async def test_hr6_proposer_cannot_approve_own_recommendation(login_as, sessionmaker) -> None:
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    hotel_id = (await director.post_json("/contracts/api/hotels", hotel_body())).json()["hotel_id"]
    await _propose(director, hotel_id)
    rec_id = await _proposal_id(sessionmaker)
    refused = await director.post_form(f"/contracts/recommendations/{rec_id}/approve", {})
    assert refused.status_code == 403 and "another director" in refused.text
    assert await outbox(sessionmaker, APPROVED) == []


async def test_hr6_unsigned_hotel_or_missing_reason_is_refused(login_as, sessionmaker) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    prospect = await resources.post_json("/contracts/api/hotels", hotel_body(status="prospective"))
    response = await _propose(resources, prospect.json()["hotel_id"])
    assert response.status_code == 422 and "signed, active" in response.text
    hotel_id = (
        await resources.post_json("/contracts/api/hotels", hotel_body(name_en="Other"))
    ).json()["hotel_id"]
    no_reason = await resources.post_form(
        "/contracts/recommendations", {"month": "2026-12", "hotel_id": hotel_id}
    )
    assert no_reason.status_code == 422 and "why" in no_reason.text.lower()
    async with unit_of_work(sessionmaker) as session:
        count = (
            await session.execute(text("SELECT count(*) FROM contracts.recommendation"))
        ).scalar_one()
    assert count == 0
