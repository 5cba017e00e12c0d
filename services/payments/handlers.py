"""Events the payments service subscribes to (each inside ``shared.events.consumer.apply_once``:
the inbox drops a redelivered event id).

- intake's booking events keep ``pay_booking`` (ordered by the booking's version, issue 12)
  and open, change or cancel the booking's collect-on-behalf slip (PAY-1);
- contracts' hotel and contract events keep ``pay_hotel``: name, currency and the terms a
  stay settles under (PAY-3, PAY-4);
- the no-show desk's stay outcomes post the hotel side (PAY-4): payable, commission, fees,
  and their reversal on a correction (NS-3).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.hotels import outcomes
from services.payments.models import PayBooking, PayHotel
from services.payments.slips import service as slips
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.events.contracts import ContractEffectiveV1, HotelPublishedV1
from shared.events.intake import (
    BookingCancelledV1,
    BookingModifiedV1,
    BookingPlacedV1,
    BookingSnapshot,
)
from shared.events.noshow import NoShowRecordedV1, StayCompletedV1
from shared.events.ordering import is_newer, source_version
from shared.observability import get_logger

log = get_logger("payments.handlers")


def _booking_values(snapshot: BookingSnapshot, *, version: int, status: str) -> dict[str, Any]:
    return {
        "booking_id": snapshot.booking_id,
        "booking_ref": snapshot.booking_ref,
        "booking_version": version,
        "hotel_id": snapshot.hotel_id,
        "hotel_name": snapshot.hotel_name[:300],
        "check_in": snapshot.check_in,
        "check_out": snapshot.check_out,
        "rooms": snapshot.rooms,
        "booker_name": snapshot.booker_name[:200],
        "booker_phone": snapshot.booker_phone[:40],
        "member_card": str(getattr(snapshot, "member_card", ""))[:40],
        "agent_username": snapshot.agent_username[:120],
        "payment_mode": snapshot.payment_mode,
        "currency": snapshot.currency,
        "total_sell_minor": sum(night.sell_minor for night in snapshot.nights),
        "total_net_minor": sum(night.net_minor for night in snapshot.nights),
        "status": status,
    }


async def _upsert_booking(
    session: AsyncSession, envelope: Envelope, values: dict[str, Any]
) -> PayBooking | None:
    """The booking as this event leaves it, or None when a newer event was applied first."""
    statement = insert(PayBooking).values(**values, source_version=source_version(envelope))
    incoming = statement.excluded
    applied = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["booking_id"],
            set_={name: incoming[name] for name in [*values, "source_version"]},
            where=is_newer(incoming.source_version, PayBooking.source_version),
        ).returning(PayBooking)
    )
    booking = applied.scalar_one_or_none()
    if booking is None:
        log.info("pay_booking_stale", booking_ref=values["booking_ref"])
    return booking


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingPlacedV1)
    values = _booking_values(event, version=1, status=event.status)
    if booking := await _upsert_booking(session, envelope, values):
        await slips.on_booking(session, booking)


async def on_booking_modified(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingModifiedV1)
    values = _booking_values(event, version=event.booking_version, status=event.status)
    if booking := await _upsert_booking(session, envelope, values):
        await slips.on_booking(session, booking)


async def on_booking_cancelled(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingCancelledV1)
    values = _booking_values(event, version=event.booking_version, status="cancelled")
    if booking := await _upsert_booking(session, envelope, values):
        await slips.on_booking(session, booking)
        await outcomes.on_booking_cancelled(session, booking)


async def _upsert_hotel(
    session: AsyncSession, values: dict[str, Any], *, version_column: str
) -> None:
    statement = insert(PayHotel).values(**values)
    incoming = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={name: incoming[name] for name in values if name != "hotel_id"},
            where=is_newer(incoming[version_column], getattr(PayHotel, version_column)),
        )
    )


async def on_hotel_published(session: AsyncSession, envelope: Envelope) -> None:
    hotel = envelope.parse()
    assert isinstance(hotel, HotelPublishedV1)
    values = {
        "hotel_id": hotel.hotel_id,
        "name": (hotel.name_zh or hotel.name_en)[:300],
        "currency": hotel.currency,
        "hotel_version": source_version(envelope),
    }
    await _upsert_hotel(session, values, version_column="hotel_version")


async def on_contract_effective(session: AsyncSession, envelope: Envelope) -> None:
    """PAY-3 / PAY-4 / NS-7: the terms of the hotel's signed contract (fields added
    compatibly are read with their defaults from older events)."""
    signed = envelope.parse()
    assert isinstance(signed, ContractEffectiveV1)
    values = {
        "hotel_id": signed.hotel_id,
        "payment_arrangement": signed.payment_arrangement,
        "commission_percent": signed.commission_percent,
        "monthly_settlement": signed.monthly_settlement,
        "deposit_agreed_minor": signed.deposit_held_minor,
        "guaranteed": signed.guaranteed,
        "no_show_fee": signed.no_show_fee,
        "no_show_fee_percent": signed.no_show_fee_percent,
        "terms_version": source_version(envelope),
    }
    await _upsert_hotel(session, values, version_column="terms_version")


async def on_stay_outcome(session: AsyncSession, envelope: Envelope) -> None:
    outcome = envelope.parse()
    assert isinstance(outcome, StayCompletedV1 | NoShowRecordedV1)
    await outcomes.apply_stay_outcome(session, outcome)


HANDLERS: dict[str, Handler] = {
    BookingPlacedV1.name: on_booking_placed,
    BookingModifiedV1.name: on_booking_modified,
    BookingCancelledV1.name: on_booking_cancelled,
    HotelPublishedV1.name: on_hotel_published,
    ContractEffectiveV1.name: on_contract_effective,
    StayCompletedV1.name: on_stay_outcome,
    NoShowRecordedV1.name: on_stay_outcome,
}
