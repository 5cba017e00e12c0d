"""Placing, changing and cancelling bookings through the API in tests, and reading what a
change leaves behind (IN-5)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from tests.services.intake.factories import SeededHotel
from tests.services.intake.helpers import Sessionmaker, booking_body

API = "/intake/api/bookings"


async def place(
    agent: Any, seeded: SeededHotel, check_in: date, *, nights: int = 2, rooms: int = 1
) -> dict[str, Any]:
    response = await agent.post_json(
        API, booking_body(seeded, check_in, nights=nights, rooms=rooms)
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def reason(category: str = "guest_request", why: str = "Guest's flight moved") -> dict[str, str]:
    return {"reason_category": category, "reason": why}


async def modify(agent: Any, booking: dict[str, Any], **fields: Any) -> httpx.Response:
    """POST a modification naming the booking's version (``version=`` overrides it)."""
    body = {"version": booking["version"], **reason(), **fields}
    body = {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}
    return await agent.post_json(f"{API}/{booking['booking_ref']}/modify", body)  # type: ignore[no-any-return]


async def cancel(agent: Any, booking: dict[str, Any], **fields: Any) -> httpx.Response:
    body = {"version": booking["version"], **reason("hotel_request", "Hotel closed"), **fields}
    return await agent.post_json(f"{API}/{booking['booking_ref']}/cancel", body)  # type: ignore[no-any-return]


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=n) for n in range(count)]


async def change_counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Rows a change writes: history, its events, its audit rows; and the nights booked."""
    events = "SELECT count(*) FROM intake.outbox WHERE name = "
    queries = {
        "changes": "SELECT count(*) FROM intake.booking_change",
        "modified_events": events + "'intake.booking_modified'",
        "cancelled_events": events + "'intake.booking_cancelled'",
        "audit_changes": "SELECT count(*) FROM intake.audit_log"
        " WHERE action IN ('modify', 'cancel')",
        "booking_nights": "SELECT count(*) FROM intake.booking_night",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def outbox_payloads(sessionmaker: Sessionmaker, name: str) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT payload FROM intake.outbox WHERE name = :name ORDER BY created_at"),
            {"name": name},
        )
        return [row.payload for row in rows]


async def sold(sessionmaker: Sessionmaker, seeded: SeededHotel) -> dict[date, int]:
    """night -> rooms sold, from intake.inventory_night."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT night, sold FROM intake.inventory_night WHERE room_type_id = :rt"),
            {"rt": seeded.room_type_id},
        )
        return {row.night: row.sold for row in rows}
