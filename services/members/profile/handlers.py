"""Events the profile package consumes (merged into ``services.members.handlers``): intake's
booking events, projected into ``member_booking`` for the inquiry screen (CS-1, see
``services.members.profile.bookings``). Each runs inside ``shared.events.consumer.apply_once``
(the inbox drops a redelivered event id).

A cancellation also takes back the points its stay earned (CS-5: a refunded stay earns
nothing), through the points package, in the same transaction.

The stay outcomes (``noshow.stay_completed`` / ``no_show_recorded``) are the points package's
events; it calls ``bookings.set_stay_outcome``.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.members.points import stays
from services.members.profile import bookings
from shared.events import Envelope
from shared.events.consumer import Handler
from shared.events.intake import BookingCancelledV1, BookingModifiedV1, BookingPlacedV1


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingPlacedV1)
    await bookings.on_placed(session, event, event.member_card)


async def on_booking_modified(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingModifiedV1)
    await bookings.on_changed(session, event, version=event.booking_version, status="modified")


async def on_booking_cancelled(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, BookingCancelledV1)
    await bookings.on_changed(session, event, version=event.booking_version, status="cancelled")
    await stays.on_refund(session, event.booking_id)  # CS-5: a refunded stay's points go back


HANDLERS: dict[str, Handler] = {
    BookingPlacedV1.name: on_booking_placed,
    BookingModifiedV1.name: on_booking_modified,
    BookingCancelledV1.name: on_booking_cancelled,
}
