"""Members' bookings, projected from intake's booking events (CS-1: the inquiry screen shows
what a member booked, changed and cancelled, and how each stay ended).

Ordering (issue 12, ``shared.events.ordering``): a row keeps the ``booking_version`` of the
event that last wrote it and takes only a strictly newer one, so events handled out of order
or twice leave the newest state.

The card: only ``intake.booking_placed`` carries ``member_card``; a change or cancellation
does not. A change that arrives before its placement is kept with the card unknown (NULL,
never shown); the placement then fills the card in (even when the change is newer), or
deletes the row when the booking has no card: only members' bookings are kept. A change of a
non-member's booking handled after its placement leaves such a card-less row too;
``purge_unknown_cards`` removes them once the placement can no longer be on its way.

Cards are stored upper-case (members' cards are, ``services.members.service.MemberIn``), so
an agent's ``m123456`` finds member ``M123456``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.profile.models import STAY_OUTCOMES, member_booking
from shared.clock import clock
from shared.events.intake import BookingSnapshot
from shared.observability import get_logger

log = get_logger("members.profile.bookings")
BOOKINGS_PAGE = 20
# How long a booking's change may wait for its placement before the row counts as a
# non-member's: the relay delivers in seconds, a dead-lettered event is redriven within days.
UNKNOWN_CARD_KEPT = timedelta(days=7)


class MemberBooking(BaseModel):
    booking_id: uuid.UUID
    booking_ref: str
    hotel_name: str
    check_in: date
    check_out: date
    rooms: int
    currency: str
    total_sell_minor: int
    status: str
    stay_outcome: str | None
    booking_version: int
    updated_at: datetime


class BookingsPage(BaseModel):
    bookings: list[MemberBooking]
    total: int
    page: int
    pages: int


def card_key(card: str) -> str:
    """The one spelling of a card (cards are read out on the phone, any case)."""
    return card.strip().upper()


def _values(snapshot: BookingSnapshot, *, version: int, status: str) -> dict[str, Any]:
    return {
        "booking_id": snapshot.booking_id,
        "booking_ref": snapshot.booking_ref[:40],
        "hotel_id": snapshot.hotel_id,
        "hotel_name": snapshot.hotel_name[:300],
        "check_in": snapshot.check_in,
        "check_out": snapshot.check_out,
        "rooms": snapshot.rooms,
        "currency": snapshot.currency,
        "total_sell_minor": snapshot.total_sell_minor,
        "status": status,
        "booking_version": version,
        "updated_at": clock.now(),
    }


async def _upsert(session: AsyncSession, values: dict[str, Any], card: str | None) -> bool:
    """Write the booking unless a newer version is held; True when this one was applied."""
    statement = insert(member_booking).values(**values, member_card=card)
    incoming = statement.excluded
    applied = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["booking_id"],
            set_={name: incoming[name] for name in values if name != "booking_id"},
            where=incoming.booking_version > member_booking.c.booking_version,
        ).returning(member_booking.c.booking_id)
    )
    if applied.first() is None:
        log.info("member_booking_stale", booking_ref=values["booking_ref"])
        return False
    return True


async def on_placed(session: AsyncSession, snapshot: BookingSnapshot, member_card: str) -> None:
    """The placement: the only event with the card. No card: not a member's booking."""
    card = card_key(member_card)[:40]
    booking_id = snapshot.booking_id
    if not card:
        await session.execute(
            delete(member_booking).where(member_booking.c.booking_id == booking_id)
        )
        return
    await _upsert(session, _values(snapshot, version=1, status="placed"), card)
    # A change handled first kept the card unknown: the placement names it.
    await session.execute(
        update(member_booking)
        .where(member_booking.c.booking_id == booking_id, member_booking.c.member_card.is_(None))
        .values(member_card=card)
    )


async def on_changed(
    session: AsyncSession, snapshot: BookingSnapshot, *, version: int, status: str
) -> None:
    """A modification or cancellation (IN-5); the card stays the one the placement gave."""
    await _upsert(session, _values(snapshot, version=version, status=status), None)


async def set_stay_outcome(session: AsyncSession, booking_id: uuid.UUID, outcome: str) -> None:
    """How the stay ended, from the no-show desk (NS-7): ``stayed`` or ``no_show``; a
    correction (NS-3) overwrites the earlier outcome. Called by the points package, which
    consumes ``noshow.stay_completed`` / ``noshow.no_show_recorded``; a booking not kept here
    (not a member's) is left alone."""
    if outcome not in STAY_OUTCOMES:
        raise ValueError(f"unknown stay outcome {outcome!r}")
    await session.execute(
        update(member_booking)
        .where(member_booking.c.booking_id == booking_id)
        .values(stay_outcome=outcome, updated_at=clock.now())
    )


async def member_bookings(
    session: AsyncSession, *, cards: list[str], page: int = 1
) -> BookingsPage:
    """The bookings made on any of ``cards`` (a member's card now and the ones it replaced:
    a lost card's bookings stay the member's), newest check-in first, 20 a page."""
    keys = sorted({card_key(card) for card in cards})
    query = select(member_booking).where(member_booking.c.member_card.in_(keys))
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    pages = max(1, -(-total // BOOKINGS_PAGE))
    page = min(max(page, 1), pages)
    rows = await session.execute(
        query.order_by(member_booking.c.check_in.desc(), member_booking.c.booking_ref.desc())
        .limit(BOOKINGS_PAGE)
        .offset((page - 1) * BOOKINGS_PAGE)
    )
    found = [MemberBooking.model_validate(r._mapping, from_attributes=False) for r in rows]
    return BookingsPage(bookings=found, total=total, page=page, pages=pages)


async def purge_unknown_cards(session: AsyncSession, *, now: datetime | None = None) -> int:
    """Rows whose placement never named a card, older than ``UNKNOWN_CARD_KEPT``: bookings of
    non-members (their changes were handled after their placement). How many were removed."""
    cutoff = (now or clock.now()) - UNKNOWN_CARD_KEPT
    removed = await session.execute(
        delete(member_booking)
        .where(member_booking.c.member_card.is_(None), member_booking.c.updated_at < cutoff)
        .returning(member_booking.c.booking_id)
    )
    return len(removed.all())
