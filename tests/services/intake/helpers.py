"""Reading intake's tables in tests, and request bodies for booking."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.services.intake.factories import SeededHotel

Sessionmaker = async_sessionmaker[AsyncSession]


async def inventory(
    sessionmaker: Sessionmaker, room_type_id: uuid.UUID
) -> dict[date, dict[str, int]]:
    """night -> {allotment, sold, remaining}."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT night, allotment, sold, remaining FROM intake.inventory_night "
                "WHERE room_type_id = :rt ORDER BY night"
            ),
            {"rt": room_type_id},
        )
        return {
            r.night: {"allotment": r.allotment, "sold": r.sold, "remaining": r.remaining}
            for r in rows
        }


async def counts(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Rows a booking writes: bookings, their nights, placed events, audit rows."""
    queries = {
        "bookings": "SELECT count(*) FROM intake.booking",
        "booking_nights": "SELECT count(*) FROM intake.booking_night",
        "placed_events": "SELECT count(*) FROM intake.outbox WHERE name = 'intake.booking_placed'",
        "outbox": "SELECT count(*) FROM intake.outbox",
        "audit": "SELECT count(*) FROM intake.audit_log WHERE entity = 'booking'",
    }
    async with sessionmaker() as session:
        return {k: int(await session.scalar(text(q)) or 0) for k, q in queries.items()}


async def call_form(agent: Any, call_id: str, answered_at: str) -> str:
    """Open a booking form for a call through the API (IN-1); returns its ``form_id``."""
    body = {"call_id": call_id, "call_answered_at": answered_at}
    response = await agent.post_json("/intake/api/booking-forms", body)
    assert response.status_code == 201, response.text
    return str(response.json()["form_id"])


def booking_body(
    seeded: SeededHotel, check_in: date, *, nights: int = 2, rooms: int = 1, **overrides: Any
) -> dict[str, Any]:
    """A valid POST /api/bookings body; ``overrides`` replace any field."""
    body: dict[str, Any] = {
        "hotel_id": str(seeded.hotel_id),
        "rate_plan_id": str(seeded.rate_plan_id),
        "check_in": check_in.isoformat(),
        "check_out": (check_in + timedelta(days=nights)).isoformat(),
        "rooms": rooms,
        "guest_names": ["张伟", "Li Lei"],
        "booker_name": "王芳",
        "booker_phone": "+86 139 1234 5678",
        "booker_company": "Acme Trading",
        "member_card": "M123456",
        "payment_mode": seeded.payment_mode,
        "confirm_channel": "sms",
        "special_requests": "High floor, non-smoking",
        "arrival_time": "20:00",
        "idempotency_key": str(uuid.uuid4()),
    }
    return {**body, **overrides}
