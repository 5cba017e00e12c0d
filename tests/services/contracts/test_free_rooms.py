"""HR-9: free rooms granted by hotels, counted monthly; a staff stay needs the director's and
then the general manager's approval, never the requester's own."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.services.contracts.helpers import hotel_body


async def _state(sessionmaker) -> list[str]:
    async with unit_of_work(sessionmaker) as session:
        rows = await session.execute(text("SELECT state FROM contracts.free_room_use"))
        return [r.state for r in rows]


async def _use_id(sessionmaker) -> str:
    async with unit_of_work(sessionmaker) as session:
        return str(
            (await session.execute(text("SELECT use_id FROM contracts.free_room_use"))).scalar_one()
        )


async def _grant(desk, sessionmaker, per_month: int = 4) -> str:
    hotel_id = (await desk.post_json("/contracts/api/hotels", hotel_body())).json()["hotel_id"]
    today = clock.today()
    response = await desk.post_form(
        "/contracts/free-rooms/grants",
        {
            "hotel_id": hotel_id,
            "room_nights_per_month": str(per_month),
            "valid_from": today.isoformat(),
            "valid_to": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert response.status_code == 303, response.text
    async with unit_of_work(sessionmaker) as session:
        return str(
            (
                await session.execute(text("SELECT grant_id FROM contracts.free_room_grant"))
            ).scalar_one()
        )


def _stay(grant_id: str, nights: int) -> dict[str, str]:
    first = clock.today().replace(day=1) + timedelta(days=40)
    return {
        "grant_id": grant_id,
        "first_night": first.replace(day=2).isoformat(),
        "nights": str(nights),
        "rooms": "1",
        "traveller": "Zhang Wei",
        "purpose": "Visit the Guangzhou office",
    }


async def test_hr9_director_then_general_manager_approve_a_stay(login_as, sessionmaker) -> None:
    resources = await login_as("zhoujie", Role.HOTEL_RESOURCES)
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    manager = await login_as("hugang", Role.GENERAL_MANAGER)
    grant_id = await _grant(resources, sessionmaker)
    assert (
        await resources.post_form("/contracts/free-rooms/uses", _stay(grant_id, 2))
    ).status_code == 303
    use_id = await _use_id(sessionmaker)

    early = await manager.post_form(f"/contracts/free-rooms/uses/{use_id}/approve", {})
    assert early.status_code == 403  # the director decides first
    assert (
        await director.post_form(f"/contracts/free-rooms/uses/{use_id}/approve", {})
    ).status_code == 303
    assert await _state(sessionmaker) == ["director_approved"]
    assert (
        await manager.post_form(f"/contracts/free-rooms/uses/{use_id}/approve", {})
    ).status_code == 303
    assert await _state(sessionmaker) == ["approved"]
    page = await manager.page("/contracts/free-rooms")
    assert "Zhang Wei" in page.text and "approved" in page.text


async def test_hr9_requester_cannot_approve_and_month_limit_holds(login_as, sessionmaker) -> None:
    director = await login_as("wuhua", Role.RESOURCES_DIRECTOR)
    grant_id = await _grant(director, sessionmaker, per_month=3)
    assert (
        await director.post_form("/contracts/free-rooms/uses", _stay(grant_id, 2))
    ).status_code == 303
    own = await director.post_form(
        f"/contracts/free-rooms/uses/{await _use_id(sessionmaker)}/approve", {}
    )
    assert own.status_code == 403 and await _state(sessionmaker) == ["requested"]
    over = await director.post_form("/contracts/free-rooms/uses", _stay(grant_id, 2))
    assert over.status_code == 409 and "Only 1 free room nights left" in over.text
    assert await _state(sessionmaker) == ["requested"]
