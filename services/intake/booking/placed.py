"""A booking as the API shows it, and the ``intake.booking_placed`` event that tells the
confirmation desk and contracts about it (IN-4, CF-1).

Statuses of a booking (the column has no CHECK so the changes module can add its own):

- ``placed``: rooms taken from our allotment, sent to the confirmation desk;
- ``requested``: on request (HR-2): no allotment taken, the confirmation desk asks the hotel;
- ``awaiting_price_approval``: a special price (IN-11) waits for the pricing desk; the rooms
  are held, but nobody outside intake hears of it until it is approved;
- ``price_rejected``: the pricing desk said no; the rooms went back in the same transaction.
- ``confirmed``: the hotel confirmed the booking's current version with its number (CF-4); an
  on-request booking confirmed still holds none of our rooms (``on_request`` says so);
- ``full``: the hotel refused it as full house (CF-3); its rooms went back, the reason is in
  its remarks, and the agent calls the customer with alternatives.

The last two are set by the confirmation desk's events (``confirmation_outcomes.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking import repository
from services.intake.booking.repository import AnyRow
from services.intake.booking.schemas import BookedNightView, BookingView, SpecialPriceView
from services.intake.settings import SCHEMA
from shared.events.intake import BookedNight, BookingPlacedV1
from shared.events.outbox import publish
from shared.i18n import N_

PLACED = "placed"
REQUESTED = "requested"
AWAITING_PRICE_APPROVAL = "awaiting_price_approval"
PRICE_REJECTED = "price_rejected"
CONFIRMED = "confirmed"
FULL = "full"
CANCELLED = "cancelled"  # set by the changes module (IN-5)

# A status as the pages name it (translated where shown, ``{{ _(status_titles[…]) }}``).
STATUS_TITLES: dict[str, str] = {
    PLACED: N_("placed"),
    REQUESTED: N_("requested"),
    AWAITING_PRICE_APPROVAL: N_("awaiting price approval"),
    PRICE_REJECTED: N_("price rejected"),
    CONFIRMED: N_("confirmed"),
    FULL: N_("full"),
    CANCELLED: N_("cancelled"),
}


async def view_of(
    session: AsyncSession, row: AnyRow, special_price: SpecialPriceView | None = None
) -> BookingView:
    nights = await repository.booking_nights(session, row.booking_id)
    return BookingView(
        **row._asdict(),
        nights=[
            BookedNightView(night=n.night, net_minor=n.net_minor, sell_minor=n.sell_minor)
            for n in nights
        ],
        special_price=special_price,
    )


def placed_event(view: BookingView, *, placed_at: datetime) -> BookingPlacedV1:
    """The event of a booking the confirmation desk may now send; ``placed_at`` starts its
    CF-2 deadline (the commit, or the pricing desk's approval of a special price)."""
    return BookingPlacedV1(
        **view.model_dump(exclude={"nights", "committed_at", "special_price"}),
        nights=[BookedNight(**n.model_dump()) for n in view.nights],
        placed_at=placed_at,
    )


async def publish_placed(session: AsyncSession, view: BookingView, *, placed_at: datetime) -> None:
    """Into the outbox, in the caller's transaction (ARCHITECTURE: state and event together)."""
    await publish(
        session,
        schema=SCHEMA,
        payload=placed_event(view, placed_at=placed_at),
        occurred_at=placed_at,
    )
