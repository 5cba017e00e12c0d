"""Request bodies for the contracts API and readers of the contracts schema, for tests."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import clock

Sessionmaker = async_sessionmaker[AsyncSession]
API = "/contracts/api"
TABLES = (
    "hotel",
    "room_type",
    "rate_plan",
    "night_allotment",
    "night_rate",
    "outbox",
    "audit_log",
)


def hotel_body(**overrides: Any) -> dict[str, Any]:
    """A valid POST /api/hotels body; ``overrides`` replace any field."""
    body: dict[str, Any] = {
        "name_zh": "北京王府井希尔顿酒店",
        "name_en": "Hilton Beijing Wangfujing",
        "city": "Beijing",
        "district": "Dongcheng",
        "address": "8 Wangfujing East Street",
        "star_grade": 5,
        "currency": "CNY",
        "confirm_channel": "fax",
        "fax": "010-58128000",
        "phone": "010-58128888",
    }
    return {**body, **overrides}


def night(days_ahead: int) -> str:
    return (clock.today() + timedelta(days=days_ahead)).isoformat()


async def counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Rows in every contracts table a change could write."""
    async with sessionmaker() as session:
        return {
            table: int(await session.scalar(text(f"SELECT count(*) FROM contracts.{table}")) or 0)
            for table in TABLES
        }


async def outbox(sessionmaker: Sessionmaker, name: str | None = None) -> list[dict[str, Any]]:
    """Outbox payloads (optionally of one event name), oldest first."""
    query = "SELECT name, payload FROM contracts.outbox"
    query += " WHERE name = :name" if name else ""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(query + " ORDER BY occurred_at, created_at, event_id"), {"name": name}
        )
        return [{"name": r.name, **r.payload} for r in rows]


async def allotments(sessionmaker: Sessionmaker, room_type_id: str) -> dict[date, int]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT night, rooms FROM contracts.night_allotment "
                "WHERE room_type_id = :id ORDER BY night"
            ),
            {"id": uuid.UUID(room_type_id)},
        )
        return {r.night: r.rooms for r in rows}


async def rates(sessionmaker: Sessionmaker, rate_plan_id: str) -> dict[date, tuple[int, int, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT night, net_minor, sell_minor, currency FROM contracts.night_rate "
                "WHERE rate_plan_id = :id ORDER BY night"
            ),
            {"id": uuid.UUID(rate_plan_id)},
        )
        return {r.night: (r.net_minor, r.sell_minor, r.currency) for r in rows}


async def set_up_hotel(desk: Any) -> dict[str, str]:
    """Create a hotel with one room type and one prepaid rate plan through the API."""
    hotel = await desk.post_json(f"{API}/hotels", hotel_body())
    assert hotel.status_code == 201, hotel.text
    hotel_id = hotel.json()["hotel_id"]
    room_type = await desk.post_json(f"{API}/hotels/{hotel_id}/room-types", {"name": "Deluxe King"})
    assert room_type.status_code == 201, room_type.text
    room_type_id = room_type.json()["room_type_id"]
    plan = await desk.post_json(
        f"{API}/hotels/{hotel_id}/rate-plans",
        {"room_type_id": room_type_id, "name": "Prepaid BAR", "payment_mode": "prepaid"},
    )
    assert plan.status_code == 201, plan.text
    return {
        "hotel_id": hotel_id,
        "room_type_id": room_type_id,
        "rate_plan_id": plan.json()["rate_plan_id"],
    }


async def sign_contract(drafter: Any, director: Any, hotel_id: str, first: str, last: str) -> str:
    """Draft, submit and have ``director`` (not the drafter) sign a prepaid contract (HR-3);
    returns the version id."""
    terms = {"valid_from": first, "valid_to": last, "payment_arrangement": "net_prepaid"}
    draft = await drafter.post_json(f"{API}/hotels/{hotel_id}/contracts", terms)
    assert draft.status_code == 201, draft.text
    version_id = draft.json()["version_id"]
    submitted = await drafter.post_json(f"{API}/versions/{version_id}/submit", {})
    assert submitted.status_code == 200, submitted.text
    signed = await director.post_json(f"{API}/versions/{version_id}/approve", {"note": "Signed"})
    assert signed.status_code == 200, signed.text
    return str(version_id)


async def sellable_hotel(resources: Any, director: Any) -> dict[str, str]:
    """A hotel with 4 rooms at 400/500 on nights 1–10 under a signed contract (HR-3)."""
    ids = await set_up_hotel(resources)
    body = {"first_night": night(1), "last_night": night(10)}
    rooms = {**body, "room_type_id": ids["room_type_id"], "rooms": 4}
    prices = {**body, "rate_plan_id": ids["rate_plan_id"], "net_minor": 40000, "sell_minor": 50000}
    assert (await resources.request_json("PUT", f"{API}/allotments", rooms)).status_code == 200
    assert (await resources.request_json("PUT", f"{API}/rates", prices)).status_code == 200
    await sign_contract(resources, director, ids["hotel_id"], night(1), night(10))
    return ids
