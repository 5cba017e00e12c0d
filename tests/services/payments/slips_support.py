"""What the slips tests feed payments with (PAY-1, PAY-2): intake's booking events delivered
through the handlers and the inbox as the worker would, and the people of the desk."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payments.handlers import HANDLERS
from services.payments.slips.models import Slip
from shared.auth import Role, Staff
from shared.clock import clock
from shared.events import Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.intake import (
    BookedNight,
    BookingCancelledV1,
    BookingModifiedV1,
    BookingPlacedV1,
)

Sessionmaker = async_sessionmaker[AsyncSession]
_refs = itertools.count(1)

DESK = Staff(1, "qian", "Qian", (Role.COLLECT_DESK.value,), "")
DESK_TOO = Staff(2, "sun", "Sun", (Role.COLLECT_DESK.value,), "")
LEAD = Staff(3, "lily", "Lily", (Role.TEAM_LEAD.value,), "")
# A team lead who also works the desk: the maker-checker rule is about the person.
LEAD_AT_DESK = Staff(4, "tina", "Tina", (Role.TEAM_LEAD.value, Role.COLLECT_DESK.value), "")
FINANCE = Staff(5, "fay", "Fay", (Role.FINANCE.value,), "")


async def deliver(
    sessionmaker: Sessionmaker, payload: Payload, *, version: int | None = None
) -> str:
    envelope = envelope_for(
        payload, source="intake", occurred_at=clock.now(), aggregate_version=version
    )
    return await apply_once(
        sessionmaker, service="payments", schema="payments", handlers=HANDLERS, envelope=envelope
    )


def placed(*, nights: int = 2, sell_minor: int = 68800, **overrides: Any) -> BookingPlacedV1:
    check_in = clock.today() + timedelta(days=7)
    stay = [check_in + timedelta(days=n) for n in range(nights)]
    values: dict[str, Any] = {
        "booking_id": uuid.uuid4(),
        "booking_ref": f"SL{next(_refs):06d}",
        "hotel_id": uuid.uuid4(),
        "hotel_name": "和平饭店 · Peace Hotel",
        "room_type_id": uuid.uuid4(),
        "room_type_name": "Superior King",
        "rate_plan_id": uuid.uuid4(),
        "rate_plan_name": "Best available",
        "check_in": check_in,
        "check_out": check_in + timedelta(days=nights),
        "rooms": 1,
        "guest_names": ["Wang Fang"],
        "booker_name": "Li Lei",
        "booker_phone": "+86 138 0013 8000",
        "payment_mode": "prepaid",
        "confirm_channel": "phone",
        "currency": "CNY",
        "nights": [BookedNight(night=n, net_minor=58480, sell_minor=sell_minor) for n in stay],
        "total_sell_minor": sell_minor * nights,
        "urgent": False,
        "placed_at": clock.now(),
        "agent_username": "ana",
    }
    return BookingPlacedV1(**{**values, **overrides})


def _change(booking: BookingPlacedV1) -> dict[str, Any]:
    fields = booking.model_dump(exclude={"placed_at", "status", "reply_at_once"})
    keep = set(BookingCancelledV1.model_fields) & set(fields)
    return {name: fields[name] for name in keep}


def modified(booking: BookingPlacedV1, *, version: int, sell_minor: int) -> BookingModifiedV1:
    nights = [
        BookedNight(night=n.night, net_minor=n.net_minor, sell_minor=sell_minor)
        for n in booking.nights
    ]
    return BookingModifiedV1(
        **{**_change(booking), "nights": nights, "total_sell_minor": sell_minor * len(nights)},
        change_id=uuid.uuid4(), booking_version=version, status="placed", changed=["nights"],
        before={}, after={}, reason="Guest asked", reason_category="guest_request",
        modified_at=clock.now(),
    )  # fmt: skip


def cancelled(booking: BookingPlacedV1, *, version: int) -> BookingCancelledV1:
    return BookingCancelledV1(
        **_change(booking), change_id=uuid.uuid4(), booking_version=version,
        reason="Plans changed", reason_category="guest_request", cancelled_at=clock.now(),
    )  # fmt: skip


async def slip_of(sessionmaker: Sessionmaker, booking_id: uuid.UUID) -> Slip | None:
    async with sessionmaker() as session:
        slip: Slip | None = await session.scalar(select(Slip).where(Slip.booking_id == booking_id))
        return slip


async def open_slip(sessionmaker: Sessionmaker, **overrides: Any) -> Slip:
    """A prepaid booking placed; its slip."""
    booking = placed(**overrides)
    assert await deliver(sessionmaker, booking, version=1) == "handled"
    slip = await slip_of(sessionmaker, booking.booking_id)
    assert slip is not None
    return slip


def today() -> date:
    return clock.today()


async def signed_cash_slip(
    sessionmaker: Sessionmaker, amount_minor: int = 50000, *, sign: bool = True
) -> Slip:
    """A slip the desk (qian) took cash on and submitted, signed by a team lead (lily)
    unless ``sign`` is False."""
    from services.payments.slips import service
    from services.payments.slips.gateways import FakeCardGateway
    from shared.db import unit_of_work

    slip = await open_slip(sessionmaker)
    payment = service.PaymentIn(
        method="cash", amount_minor=amount_minor, currency=slip.currency, payer="Li Lei"
    )
    async with unit_of_work(sessionmaker) as session:
        await service.record_payment(
            session, slip.slip_id, payment, DESK, gateway=FakeCardGateway()
        )
        await service.submit(session, slip.slip_id, DESK)
        if sign:
            await service.sign(session, slip.slip_id, LEAD)
    return slip
