"""The confirmation desk's answers as events for intake's tests (CF-3, CF-4), and reading what
they leave behind. Events go through the real handlers with ``apply_once``, as in production."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from services.intake.handlers import HANDLERS
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import Envelope, envelope_for
from shared.events.confirmation import BookingConfirmedV1, FullHouseV1
from tests.services.intake.helpers import Sessionmaker

REASON = "Front desk: fully booked for a trade fair"


def confirmed(
    booking: dict[str, Any],
    *,
    number: str = "HX-2291",
    version: int | None = None,
    kind: str = "new",
    at: datetime | None = None,
) -> Envelope:
    """``confirmation.booking_confirmed`` for the booking's version as the test saw it."""
    payload = BookingConfirmedV1(
        booking_id=uuid.UUID(booking["booking_id"]),
        booking_ref=booking["booking_ref"],
        kind=kind,
        booking_version=version if version is not None else booking["version"],
        hotel_confirmation_no=number,
        confirmed_by="cora",
        confirmed_at=at or clock.now(),
    )
    return envelope_for(payload, source="confirmation", occurred_at=payload.confirmed_at)


def full_house(booking: dict[str, Any], *, reason: str = REASON) -> Envelope:
    """``confirmation.full_house`` for the booking's stay, as the desk publishes it."""
    check_in = date.fromisoformat(booking["check_in"])
    check_out = date.fromisoformat(booking["check_out"])
    payload = FullHouseV1(
        booking_ref=booking["booking_ref"],
        hotel_id=uuid.UUID(booking["hotel_id"]),
        room_type_id=uuid.UUID(booking["room_type_id"]),
        nights=[check_in + timedelta(days=n) for n in range((check_out - check_in).days)],
        reason=reason,
        marked_by="cora",
        booking_id=uuid.UUID(booking["booking_id"]),
        marked_at=clock.now(),
    )
    return envelope_for(payload, source="confirmation", occurred_at=clock.now())


async def handle_again(sessionmaker: Sessionmaker, event: Envelope) -> None:
    """Run the handler itself once more, past the inbox: it must be idempotent on its own."""
    async with unit_of_work(sessionmaker) as session:
        await HANDLERS[event.name](session, event)


async def fetched(agent: Any, ref: str) -> dict[str, Any]:
    response = await agent.get(f"/intake/api/bookings/{ref}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def answers(sessionmaker: Sessionmaker, booking_id: str) -> list[dict[str, Any]]:
    """The hotel's answers kept for a booking, oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT outcome, kind, booking_version, confirmation_no, reason, applied "
                "FROM intake.hotel_answer WHERE booking_id = :id ORDER BY received_at"
            ),
            {"id": booking_id},
        )
        return [dict(row._mapping) for row in rows]


async def audit_actions(sessionmaker: Sessionmaker, ref: str) -> list[tuple[str, str]]:
    """(actor, action) of the booking's audit rows, oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT actor, action FROM intake.audit_log WHERE entity = 'booking' "
                "AND entity_id = :ref ORDER BY audit_id"
            ),
            {"ref": ref},
        )
        return [(row.actor, row.action) for row in rows]
