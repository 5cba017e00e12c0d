"""What the points tests feed the members service with (CS-5): a member, points rules, and the
no-show desk's stay outcomes and intake's cancellations delivered through the real inbox
(``apply_once``), as the worker delivers them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.members import service as members
from services.members.handlers import HANDLERS
from services.members.points import ledger, rules
from services.members.points.models import points_lot
from services.members.points.stays_models import points_stay
from services.members.service import MemberIn
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import Envelope, Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.intake import BookedNight, BookingCancelledV1, BookingPlacedV1
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1, StayedNight

Sessionmaker = async_sessionmaker[AsyncSession]
DESK = Staff(0, "mei", "Mei", (Role.CUSTOMER_SERVICE.value,), "")
CARD = "M123456"


def envelope(payload: Payload, *, source: str, version: int) -> Envelope:
    return envelope_for(payload, source=source, occurred_at=clock.now(), aggregate_version=version)


async def deliver_envelope(sessionmaker: Sessionmaker, event: Envelope) -> str:
    """One delivery through the members service's inbox and handlers."""
    return await apply_once(
        sessionmaker, service="members", schema="members", handlers=HANDLERS, envelope=event
    )


async def deliver(
    sessionmaker: Sessionmaker, payload: Payload, *, source: str, version: int
) -> str:
    return await deliver_envelope(sessionmaker, envelope(payload, source=source, version=version))


async def member(sessionmaker: Sessionmaker, *, card: str = CARD, level: str = "gold") -> uuid.UUID:
    async with unit_of_work(sessionmaker) as session:
        made = await members.create_member(
            session, actor=DESK, data=MemberIn(card_no=card, name="王芳", level=level)
        )
    return made.member_id


async def rule(
    sessionmaker: Sessionmaker, level: str, currency: str, per_unit: str, per_night: int
) -> None:
    async with unit_of_work(sessionmaker) as session:
        await rules.set_rule(
            session,
            DESK,
            rules.RuleIn(
                level=level,
                currency=currency,
                points_per_unit=Decimal(per_unit),
                points_per_night=per_night,
            ),
        )


def booking(
    *, card: str = CARD, check_in: date | None = None, nights: int = 2, currency: str = "CNY"
) -> BookingPlacedV1:
    """A booking as intake placed it (68,850 fen a night unless the stay says otherwise)."""
    first = check_in or clock.today() - timedelta(days=nights)
    stay = [first + timedelta(days=n) for n in range(nights)]
    return BookingPlacedV1(
        booking_id=uuid.uuid4(), booking_ref=f"HB{uuid.uuid4().int % 10**6:06d}",
        hotel_id=uuid.uuid4(), hotel_name="Peace Hotel", room_type_id=uuid.uuid4(),
        room_type_name="King", rate_plan_id=uuid.uuid4(), rate_plan_name="BAR",
        check_in=first, check_out=first + timedelta(days=nights), rooms=1,
        guest_names=["Wang Fang"], booker_name="Li Lei", booker_phone="+86 138 0013 8000",
        payment_mode="prepaid", confirm_channel="phone", currency=currency, urgent=False,
        agent_username="ana", member_card=card,
        nights=[BookedNight(night=n, sell_minor=68_850, net_minor=58_480) for n in stay],
        total_sell_minor=68_850 * nights, placed_at=clock.now(),
    )  # fmt: skip


def _common(placed: BookingPlacedV1, version: int) -> dict[str, Any]:
    return {
        "booking_id": placed.booking_id,
        "booking_ref": placed.booking_ref,
        "booking_version": 1,
        "outcome_version": version,
        "hotel_id": placed.hotel_id,
        "member_card": placed.member_card,
        "payment_mode": placed.payment_mode,
        "currency": placed.currency,
        "check_in": placed.check_in,
        "check_out": placed.check_out,
        "rooms": placed.rooms,
        "recorded_by": "nora",
        "recorded_at": clock.now(),
        "corrects_version": version - 1 if version > 1 else None,
    }


def stayed(placed: BookingPlacedV1, version: int, *, revenue: int | None = None) -> StayCompletedV1:
    """The guest stayed every night booked (``revenue`` in all, else the booked prices)."""
    nights = [StayedNight(night=n.night, sell_minor=n.sell_minor, net_minor=n.net_minor)
              for n in placed.nights]  # fmt: skip
    total = sum(n.sell_minor for n in nights) if revenue is None else revenue
    return StayCompletedV1(
        **_common(placed, version),
        nights=nights,
        room_revenue_minor=total,
        net_minor=sum(n.net_minor for n in nights),
    )


def no_show(placed: BookingPlacedV1, version: int, *, stage: str = "final") -> NoShowRecordedV1:
    return NoShowRecordedV1(**_common(placed, version), stage=stage)


def cancelled(placed: BookingPlacedV1, version: int = 2) -> BookingCancelledV1:
    fields = placed.model_dump(
        exclude={"reply_at_once", "placed_at", "status", "source", "booker_company",
                 "member_card", "arrival_time", "handling_started_at", "confirm_contact",
                 "call_id", "handle_seconds"}
    )  # fmt: skip
    return BookingCancelledV1(
        **fields, change_id=uuid.uuid4(), booking_version=version, reason="guest asked",
        reason_category="guest_request", cancelled_at=clock.now(),
    )  # fmt: skip


async def outcome(sessionmaker: Sessionmaker, event: StayCompletedV1 | NoShowRecordedV1) -> str:
    return await deliver(sessionmaker, event, source="noshow", version=event.outcome_version)


async def balance(sessionmaker: Sessionmaker, member_id: uuid.UUID) -> ledger.PointsBalance:
    """The member's buckets; fails unless they add up and the active bucket is what the
    active lots have left (what ``lock`` takes from)."""
    async with sessionmaker() as session:
        points = await ledger.balance(session, member_id=member_id)
        remaining = await session.scalars(
            select(points_lot.c.remaining).where(
                points_lot.c.member_id == member_id, points_lot.c.status == "active"
            )
        )
        active_left = sum(remaining)
    assert points.adds_up, points
    assert points.active == active_left, points
    assert min(points.model_dump().values()) >= 0, points
    return points


async def lots(sessionmaker: Sessionmaker, member_id: uuid.UUID) -> list[Any]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(points_lot)
            .where(points_lot.c.member_id == member_id)
            .order_by(points_lot.c.earned_at, points_lot.c.source)
        )
        return list(rows)


async def stay_row(sessionmaker: Sessionmaker, booking_id: uuid.UUID) -> Any:
    async with sessionmaker() as session:
        return (
            await session.execute(select(points_stay).where(points_stay.c.booking_id == booking_id))
        ).one_or_none()
