"""Events the noshow service subscribes to: its read models of bookings and contract terms.

Each runs inside ``shared.events.consumer.apply_once`` (the inbox drops a redelivered event
id). A booking row keeps the booking's event version that wrote it and takes only a newer one
(issue 12, ``shared.events.ordering``); the terms keep the hotel's event version likewise.

Status: intake's (placed, requested, cancelled) until the hotel confirms (``confirmed``, from
the confirmation desk). A later change of a confirmed booking keeps it confirmed (the stay
still happens, NS-1 lists it), unless the change is its cancellation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.models import HotelTerms, StayBooking
from shared.events import Envelope
from shared.events.confirmation import BookingConfirmedV1
from shared.events.consumer import Handler
from shared.events.contracts import ContractEffectiveV1
from shared.events.intake import (
    BookingCancelledV1,
    BookingModifiedV1,
    BookingPlacedV1,
    BookingSnapshot,
)
from shared.events.ordering import is_newer, source_version
from shared.observability import get_logger

log = get_logger("noshow.handlers")

CONFIRMED, CANCELLED = "confirmed", "cancelled"


class BookingNotYetKnown(RuntimeError):
    """A confirmation reached us before its booking: the event is tried again later."""


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
        "guest_names": snapshot.guest_names,
        "booker_name": snapshot.booker_name[:200],
        "booker_phone": snapshot.booker_phone[:40],
        "booker_company": str(getattr(snapshot, "booker_company", ""))[:200],
        "member_card": str(getattr(snapshot, "member_card", ""))[:40],
        "agent_username": snapshot.agent_username,
        "payment_mode": snapshot.payment_mode,
        "currency": snapshot.currency,
        "nights": [night.model_dump(mode="json") for night in snapshot.nights],
        "status": status,
    }


async def _upsert_booking(
    session: AsyncSession, envelope: Envelope, values: dict[str, Any]
) -> None:
    statement = insert(StayBooking).values(**values, source_version=source_version(envelope))
    incoming = statement.excluded
    kept_confirmed = (StayBooking.status == CONFIRMED) & (incoming.status != CANCELLED)
    columns: dict[str, Any] = {name: incoming[name] for name in values if name != "booking_id"}
    columns["status"] = case((kept_confirmed, CONFIRMED), else_=incoming.status)
    columns["source_version"] = incoming.source_version
    applied = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["booking_id"],
            set_=columns,
            where=is_newer(incoming.source_version, StayBooking.source_version),
        ).returning(StayBooking.booking_id)
    )
    if applied.first() is None:
        log.info("stay_booking_stale", booking_ref=values["booking_ref"])


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingPlacedV1)
    await _upsert_booking(session, envelope, _booking_values(event, version=1, status=event.status))


async def on_booking_modified(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingModifiedV1)
    values = _booking_values(event, version=event.booking_version, status=event.status)
    await _upsert_booking(session, envelope, values)


async def on_booking_cancelled(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingCancelledV1)
    values = _booking_values(event, version=event.booking_version, status=CANCELLED)
    await _upsert_booking(session, envelope, values)


async def on_booking_confirmed(session: AsyncSession, envelope: Envelope) -> None:
    """CF-4: the hotel confirmed the stay (new or changed); NS-1 lists only confirmed stays."""
    event = envelope.parse()
    assert isinstance(event, BookingConfirmedV1)
    if event.kind == "cancel":
        return  # the cancellation itself comes from intake
    updated = await session.execute(
        update(StayBooking)
        .where(StayBooking.booking_id == event.booking_id, StayBooking.status != CANCELLED)
        .values(status=CONFIRMED, hotel_confirmation_no=event.hotel_confirmation_no)
        .returning(StayBooking.booking_id)
    )
    if updated.first() is None and await session.get(StayBooking, event.booking_id) is None:
        raise BookingNotYetKnown(event.booking_ref)


async def on_contract_effective(session: AsyncSession, envelope: Envelope) -> None:
    """NS-7 / PAY-4: the terms of the hotel's signed contract (read defensively: fields added
    compatibly in issue 16 are absent from older events)."""
    signed = envelope.parse()
    assert isinstance(signed, ContractEffectiveV1)
    commission = getattr(signed, "commission_percent", None)
    statement = insert(HotelTerms).values(
        hotel_id=signed.hotel_id,
        contract_version_id=signed.version_id,
        payment_arrangement=signed.payment_arrangement,
        guaranteed=bool(getattr(signed, "guaranteed", False)),
        no_show_fee=str(getattr(signed, "no_show_fee", "none")),
        no_show_fee_percent=getattr(signed, "no_show_fee_percent", None),
        commission_percent=None if commission is None else str(commission)[:10],
        source_version=source_version(envelope),
    )
    incoming = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["hotel_id"],
            set_={
                name: incoming[name]
                for name in (
                    "contract_version_id",
                    "payment_arrangement",
                    "guaranteed",
                    "no_show_fee",
                    "no_show_fee_percent",
                    "commission_percent",
                    "source_version",
                )
            },
            where=is_newer(incoming.source_version, HotelTerms.source_version),
        )
    )


HANDLERS: dict[str, Handler] = {
    BookingPlacedV1.name: on_booking_placed,
    BookingModifiedV1.name: on_booking_modified,
    BookingCancelledV1.name: on_booking_cancelled,
    BookingConfirmedV1.name: on_booking_confirmed,
    ContractEffectiveV1.name: on_contract_effective,
}
