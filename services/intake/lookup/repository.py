"""SQL of finding bookings (issue 15). Each arm of a search has its own index: the reference
(unique), the booker's phone key and the member card (migration 0004_callers), the names
(trigram, migration 0009_booking_lookup); the agent's lists use ``booking_agent_committed``
and ``booking_agent_open``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.booking.repository import AnyRow
from services.intake.models import booking
from shared.phones import phone_key_sql

# Waiting for the hotel, the pricing desk or the agent's call back; the partial index
# ``booking_agent_open`` holds exactly these (models.py), so the two must change together.
OPEN_STATUSES = ("placed", "requested", "awaiting_price_approval", "full", "price_rejected")
_PHONE_KEY = phone_key_sql("intake.booking.booker_phone")

_COLUMNS = (
    booking.c.booking_ref,
    booking.c.hotel_name,
    booking.c.check_in,
    booking.c.check_out,
    booking.c.rooms,
    booking.c.guest_names,
    booking.c.booker_name,
    booking.c.booker_phone,
    booking.c.member_card,
    booking.c.status,
    booking.c.committed_at,
    booking.c.agent_username,
)


@dataclass(frozen=True, slots=True)
class Terms:
    """What a query may be: each is empty when the query cannot be one."""

    ref: str = ""
    card: str = ""
    phone_key: str = ""
    names: tuple[str, ...] = ()  # keys that must all appear in ``search_names``


def _matches(terms: Terms) -> ColumnElement[bool]:
    arms: list[ColumnElement[bool]] = []
    if terms.ref:
        arms.append(booking.c.booking_ref == terms.ref)
    if terms.card:
        arms.append(
            and_(booking.c.member_card != "", func.upper(booking.c.member_card) == terms.card)
        )
    if terms.phone_key:  # the expression of the index booking_booker_phone_key
        arms.append(literal_column(_PHONE_KEY) == terms.phone_key)
    if terms.names:  # keys hold letters and digits only, so no LIKE wildcard can be in them
        arms.append(and_(*(booking.c.search_names.like(f"%{key}%") for key in terms.names)))
    return or_(*arms) if arms else false()


async def page_of(
    session: AsyncSession, query: Select[Any], *, offset: int, size: int
) -> tuple[list[AnyRow], bool]:
    """One page of ``query`` and whether another follows (no count: a name typed in part may
    match many bookings, and the desk only needs "next")."""
    rows = list(await session.execute(query.offset(offset).limit(size + 1)))
    return rows[:size], len(rows) > size


def search(terms: Terms) -> Select[Any]:
    """Bookings matching any of ``terms``, newest first."""
    return (
        select(*_COLUMNS)
        .where(_matches(terms))
        .order_by(booking.c.committed_at.desc(), booking.c.booking_ref)
    )


def made_by(agent: str, since: datetime, until: datetime) -> Select[Any]:
    """The agent's bookings committed in [since, until), newest first."""
    return (
        select(*_COLUMNS)
        .where(
            booking.c.agent_username == agent,
            booking.c.committed_at >= since,
            booking.c.committed_at < until,
        )
        .order_by(booking.c.committed_at.desc(), booking.c.booking_ref)
    )


def open_of(agent: str, today: date) -> Select[Any]:
    """The agent's bookings still open whose stay is not over, soonest check-in first."""
    return (
        select(*_COLUMNS)
        .where(
            booking.c.agent_username == agent,
            booking.c.status.in_(OPEN_STATUSES),
            booking.c.check_out >= today,
        )
        .order_by(booking.c.check_in, booking.c.booking_ref)
    )
