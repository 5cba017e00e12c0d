"""Events the confirmation service subscribes to.

Each runs inside ``shared.events.consumer.apply_once``, which records the event id in the
inbox in the same transaction as the effect, so a redelivered event changes nothing. The
hotel's projections (contact, terms) keep the hotel's event version that wrote them and take
only a higher one (issue 12).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import changes, repository, service, thank_you
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.events.contracts import ContractEffectiveV1, HotelPublishedV1
from shared.events.intake import BookingPlacedV1
from shared.events.ordering import source_version
from shared.observability import get_logger

log = get_logger("confirmation.handlers")


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    """Every new booking becomes a confirmation task with its deadline (CF-1, CF-2)."""
    booking = envelope.parse()
    assert isinstance(booking, BookingPlacedV1)
    # The inbox already drops a redelivered event; UNIQUE (booking_id, kind) also catches
    # the same booking announced twice under two event ids.
    if not await service.open_task(session, booking=booking):
        log.info("confirmation_task_exists", booking_ref=booking.booking_ref)


async def on_hotel_published(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the hotel's fax, email and phone for its order sheets (CF-1)."""
    hotel = envelope.parse()
    assert isinstance(hotel, HotelPublishedV1)
    applied = await repository.upsert_hotel_contact(
        session,
        hotel.model_dump(
            include={"hotel_id", "name_zh", "name_en", "city", "confirm_channel"}
            | {"fax", "email", "phone"}
        ),
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )
    if not applied:
        log.info("hotel_snapshot_stale", hotel_id=str(hotel.hotel_id))


async def on_contract_effective(session: AsyncSession, envelope: Envelope) -> None:
    """Keep the signed contract's payment arrangement: it decides an order sheet's prices."""
    signed = envelope.parse()
    assert isinstance(signed, ContractEffectiveV1)
    applied = await repository.upsert_hotel_terms(
        session,
        hotel_id=signed.hotel_id,
        payment_arrangement=signed.payment_arrangement,
        version_no=signed.version_no,
        occurred_at=envelope.occurred_at,
        source_version=source_version(envelope),
    )
    if not applied:
        log.info("hotel_terms_stale", hotel_id=str(signed.hotel_id))


HANDLERS: dict[str, Handler] = {
    BookingPlacedV1.name: on_booking_placed,
    HotelPublishedV1.name: on_hotel_published,
    ContractEffectiveV1.name: on_contract_effective,
    # IN-5 / CF-1: modifications and cancellations are tasks of their own kind.
    "intake.booking_modified": changes.on_booking_modified,
    "intake.booking_cancelled": changes.on_booking_cancelled,
    # NS-3: a no-show corrected to stayed thanks the guest.
    "noshow.stay_completed": thank_you.on_stay_completed,
}
