"""Monthly ranking of hotels by sales and by room nights (HR-11).

Contracts keeps its own copy of what was sold, one row per booked night, from intake's
``intake.booking_placed`` events: no query crosses into intake's schema. A night counts in the
month it falls in (a stay over the month end is split), at the sell price frozen in the booking.

Bounds (issue 14): a sold night's price is a bigint and its rooms an integer, and the month's
sums are taken in ``numeric`` (rooms × price cast before multiplying), so rooms × nights × the
largest price any event carries never overflows the ranking; a night whose rooms or prices no
column holds is refused by ``sold_rows`` with a message naming the field (the event's dead
letter says why) instead of a database error. A month is ``YYYY-MM`` inside the business's
date window (``shared.limits.parse_month``): 9999-12 is a 422 naming ``month``, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Numeric, cast, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.bounds import ShortText
from services.contracts.models import Hotel
from services.contracts.reports.models import sold_night
from shared.auth import Staff, require
from shared.clock import clock
from shared.dates import month_range
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.events import Envelope
from shared.events.intake import BookingPlacedV1, BookingSnapshot
from shared.limits import INT32_MAX, MONEY_HARD_MAX_MINOR, MonthText, parse_month
from shared.web import render


class OutOfRange(ValueError):
    """A booking event carries a number no sold-night column holds (issue 14)."""


def sold_rows(booking: BookingSnapshot) -> list[dict[str, object]]:
    """The booking's nights as ``sold_night`` rows. Rooms must fit the Integer column and
    prices lie within the hard money maximum (``shared.limits``); an event beyond them is
    refused here, naming the field, rather than by the database."""
    if not 1 <= booking.rooms <= INT32_MAX:
        raise OutOfRange(f"booking {booking.booking_ref}: rooms {booking.rooms} out of range")
    for n in booking.nights:
        for name, minor in (("sell_minor", n.sell_minor), ("net_minor", n.net_minor)):
            if not -MONEY_HARD_MAX_MINOR <= minor <= MONEY_HARD_MAX_MINOR:
                raise OutOfRange(
                    f"booking {booking.booking_ref}: night {n.night} {name} {minor} is beyond "
                    f"the hard money maximum {MONEY_HARD_MAX_MINOR}"
                )
    return [
        {
            "booking_id": booking.booking_id,
            "night": n.night,
            "hotel_id": booking.hotel_id,
            "rooms": booking.rooms,
            "sell_minor": n.sell_minor,
            "net_minor": n.net_minor,
            "currency": booking.currency,
        }
        for n in booking.nights
    ]


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    booking = envelope.parse()
    assert isinstance(booking, BookingPlacedV1)
    rows = sold_rows(booking)
    # The key is (booking, night): a replayed event under a new id still counts once.
    await session.execute(insert(sold_night).values(rows).on_conflict_do_nothing())


@dataclass(frozen=True)
class RankedHotel:
    rank_by_sales: int
    rank_by_nights: int
    hotel_id: str
    name_zh: str
    name_en: str
    city: str
    room_nights: int
    sales_minor: int
    net_minor: int
    currency: str

    @property
    def margin(self) -> float:
        return (self.sales_minor - self.net_minor) / self.sales_minor if self.sales_minor else 0.0


def month_bounds(month: str) -> tuple[date, date]:
    """``YYYY-MM`` to its first day and the next month's, inside the business's date window;
    ``InvalidInput`` (422) naming ``month`` otherwise."""
    try:
        first = parse_month(month)
    except ValueError as exc:
        raise InvalidInput(f"Month: {exc}", field="month") from exc
    return month_range(first)


async def monthly_ranking(
    session: AsyncSession, *, month: str, city: str = ""
) -> list[RankedHotel]:
    first, following = month_bounds(month)
    room_nights = func.sum(sold_night.c.rooms)
    # numeric before multiplying: rooms × price never overflows a bigint, whatever was sold.
    rooms = cast(sold_night.c.rooms, Numeric)
    sales = func.sum(rooms * sold_night.c.sell_minor)
    net = func.sum(rooms * sold_night.c.net_minor)
    query = (
        select(
            Hotel.hotel_id,
            Hotel.name_zh,
            Hotel.name_en,
            Hotel.city,
            sold_night.c.currency,
            room_nights.label("room_nights"),
            sales.label("sales"),
            net.label("net"),
            func.rank().over(order_by=sales.desc()).label("by_sales"),
            func.rank().over(order_by=room_nights.desc()).label("by_nights"),
        )
        .join(Hotel, Hotel.hotel_id == sold_night.c.hotel_id)
        .where(sold_night.c.night >= first, sold_night.c.night < following)
        .group_by(Hotel.hotel_id, sold_night.c.currency)
        .order_by(text("by_sales"), Hotel.name_en)
    )
    if city:
        query = query.where(func.lower(Hotel.city) == city.strip().lower())
    rows = (await session.execute(query)).all()
    return [
        RankedHotel(
            r.by_sales,
            r.by_nights,
            str(r.hotel_id),
            r.name_zh,
            r.name_en,
            r.city,
            int(r.room_nights),
            int(r.sales),
            int(r.net),
            r.currency,
        )
        for r in rows
    ]


router = APIRouter()
DeskStaff = Annotated[Staff, require(*DESK_ROLES)]


@router.get("/rankings", response_class=HTMLResponse)
async def rankings_page(
    request: Request,
    session: DbSession,
    staff: DeskStaff,
    month: Annotated[MonthText, Query()] = "",
    city: Annotated[ShortText, Query()] = "",
) -> Response:
    """The month's hotels ranked by sales and by room nights (HR-11)."""
    month = month or clock.today().strftime("%Y-%m")
    ranked = await monthly_ranking(session, month=month, city=city)
    return render(
        request.app.state.templates,
        request,
        "rankings.html",
        staff,
        month=month,
        city=city,
        ranked=ranked,
    )


@router.get("/api/rankings")
async def rankings_api(
    session: DbSession,
    staff: DeskStaff,
    month: Annotated[MonthText, Query()],
    city: Annotated[ShortText, Query()] = "",
) -> list[dict[str, object]]:
    """The month's ranking as JSON (HR-11)."""
    ranked = await monthly_ranking(session, month=month, city=city)
    return [{**r.__dict__, "margin": round(r.margin, 4)} for r in ranked]
