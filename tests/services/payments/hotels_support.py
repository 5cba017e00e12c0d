"""Events and postings the hotel-side tests feed payments with (PAY-3, PAY-4): a hotel and its
contract, a booking placed or cancelled, stay outcomes, and money a guest paid."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.payments.handlers import HANDLERS
from services.payments.ledger import chart
from services.payments.ledger.postings import Posting, post, transfer
from shared.clock import clock
from shared.events import Payload, envelope_for
from shared.events.consumer import apply_once
from shared.events.contracts import ContractEffectiveV1, HotelPublishedV1
from shared.events.intake import BookedNight, BookingCancelledV1, BookingPlacedV1
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1, StayedNight

Sessionmaker = async_sessionmaker[AsyncSession]
_refs = itertools.count(1)
_contract_versions = itertools.count(10)


async def deliver(
    sessionmaker: Sessionmaker, payload: Payload, *, source: str, version: int | None = None
) -> str:
    """One delivery, through the inbox, as the worker would."""
    envelope = envelope_for(
        payload, source=source, occurred_at=clock.now(), aggregate_version=version
    )
    return await apply_once(
        sessionmaker, service="payments", schema="payments", handlers=HANDLERS, envelope=envelope
    )


async def hotel(
    sessionmaker: Sessionmaker,
    *,
    name: str = "Peace Hotel",
    commission_percent: Decimal | None = None,
    guaranteed: bool = False,
    deposit_minor: int = 0,
    currency: str = "CNY",
) -> uuid.UUID:
    """A hotel published and its contract signed, as payments hears of them."""
    hotel_id = uuid.uuid4()
    published = HotelPublishedV1(
        hotel_id=hotel_id, name_zh=name, name_en=name, city="Shanghai", star_grade=4,
        currency=currency, confirm_channel="fax", room_types=[], rate_plans=[],
    )  # fmt: skip
    assert await deliver(sessionmaker, published, source="contracts", version=1) == "handled"
    arrangement = "net_prepaid" if commission_percent is None else "pay_at_hotel_commission"
    signed = ContractEffectiveV1(
        hotel_id=hotel_id, contract_id=uuid.uuid4(), version_id=uuid.uuid4(), version_no=1,
        valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
        payment_arrangement=arrangement, guaranteed=guaranteed,
        commission_percent=commission_percent, deposit_held_minor=deposit_minor,
    )  # fmt: skip
    version = next(_contract_versions)
    assert await deliver(sessionmaker, signed, source="contracts", version=version) == "handled"
    return hotel_id


def placed(
    hotel_id: uuid.UUID,
    *,
    payment_mode: str = "prepaid",
    sell_minor: int = 68_800,
    net_minor: int = 58_480,
    check_in: date | None = None,
    nights: int = 1,
) -> BookingPlacedV1:
    first = check_in or clock.today() - timedelta(days=2)
    stay = [first + timedelta(days=n) for n in range(nights)]
    return BookingPlacedV1(
        booking_id=uuid.uuid4(), booking_ref=f"HB{next(_refs):06d}", hotel_id=hotel_id,
        hotel_name="Peace Hotel", room_type_id=uuid.uuid4(), room_type_name="King",
        rate_plan_id=uuid.uuid4(), rate_plan_name="BAR", check_in=first,
        check_out=first + timedelta(days=nights), rooms=1, guest_names=["Wang Fang"],
        booker_name="Li Lei", booker_phone="+86 138 0013 8000", payment_mode=payment_mode,
        confirm_channel="phone", currency="CNY", urgent=False, agent_username="ana",
        nights=[BookedNight(night=n, sell_minor=sell_minor, net_minor=net_minor) for n in stay],
        total_sell_minor=sell_minor * nights, placed_at=clock.now(),
    )  # fmt: skip


async def place(sessionmaker: Sessionmaker, booking: BookingPlacedV1) -> BookingPlacedV1:
    assert await deliver(sessionmaker, booking, source="intake", version=1) == "handled"
    return booking


def cancelled(booking: BookingPlacedV1, version: int = 2) -> BookingCancelledV1:
    fields = booking.model_dump(
        exclude={"reply_at_once", "placed_at", "status", "source", "booker_company",
                 "member_card", "arrival_time", "handling_started_at", "confirm_contact",
                 "call_id", "handle_seconds"}
    )  # fmt: skip
    return BookingCancelledV1(
        **fields, change_id=uuid.uuid4(), booking_version=version, reason="guest asked",
        reason_category="guest_request", cancelled_at=clock.now(),
    )  # fmt: skip


async def cancel(sessionmaker: Sessionmaker, booking: BookingPlacedV1, version: int = 2) -> None:
    assert await deliver(
        sessionmaker, cancelled(booking, version), source="intake", version=version
    )


def _common(booking: BookingPlacedV1, version: int, at: datetime | None) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "booking_ref": booking.booking_ref,
        "booking_version": 1,
        "outcome_version": version,
        "hotel_id": booking.hotel_id,
        "payment_mode": booking.payment_mode,
        "currency": booking.currency,
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "rooms": booking.rooms,
        "recorded_by": "nora",
        "recorded_at": at or clock.now(),
        "corrects_version": version - 1 if version > 1 else None,
    }


def stayed(
    booking: BookingPlacedV1, version: int, *, revenue: int | None = None, net: int | None = None,
    at: datetime | None = None,
) -> StayCompletedV1:  # fmt: skip
    """The guest stayed every night booked (or the revenue and net given)."""
    revenue = sum(n.sell_minor for n in booking.nights) if revenue is None else revenue
    net = sum(n.net_minor for n in booking.nights) if net is None else net
    return StayCompletedV1(
        **_common(booking, version, at),
        nights=[StayedNight(night=booking.check_in, sell_minor=revenue, net_minor=net)],
        room_revenue_minor=revenue,
        net_minor=net,
    )


def no_show(
    booking: BookingPlacedV1, version: int, *, stage: str = "final", fee: int = 0,
    guaranteed: bool = False, at: datetime | None = None,
) -> NoShowRecordedV1:  # fmt: skip
    return NoShowRecordedV1(
        **_common(booking, version, at), stage=stage, guaranteed=guaranteed,
        no_show_fee="first_night" if fee else "none", fee_minor=fee,
    )  # fmt: skip


async def outcome(sessionmaker: Sessionmaker, event: StayCompletedV1 | NoShowRecordedV1) -> str:
    return await deliver(sessionmaker, event, source="noshow", version=event.outcome_version)


async def pay(session: AsyncSession, booking_id: uuid.UUID, amount: int, n: int = 1) -> None:
    """The guest paid ``amount`` by bank transfer (what a slip's payment posts)."""
    await post(
        session,
        Posting(
            idempotency_key=f"test-slip:{booking_id}:payment:{n}",
            kind="payment_taken",
            legs=transfer("bank", chart.guest_receivable(booking_id), amount, "CNY"),
            booking_id=booking_id,
        ),
        actor="qian",
    )
