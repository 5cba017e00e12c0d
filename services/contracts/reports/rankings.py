"""Monthly ranking of hotels by sales and by room nights (HR-11).

Contracts keeps its own copy of what was sold, one row per booked night, from intake's
``intake.booking_placed`` events: no query crosses into intake's schema. A night counts in the
month it falls in (a stay over the month end is split), at the sell price frozen in the booking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.contracts.auth import DESK_ROLES
from services.contracts.models import Hotel
from services.contracts.reports.models import sold_night
from shared.auth import Staff, require
from shared.clock import clock
from shared.dates import month_range
from shared.db import DbSession
from shared.errors import InvalidInput
from shared.events import Envelope
from shared.events.intake import BookingPlacedV1
from shared.web import render


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    booking = envelope.parse()
    assert isinstance(booking, BookingPlacedV1)
    rows = [
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
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise InvalidInput(f"Month must look like 2026-11, got {month!r}.", field="month") from exc
    return month_range(first)


async def monthly_ranking(
    session: AsyncSession, *, month: str, city: str = ""
) -> list[RankedHotel]:
    first, following = month_bounds(month)
    room_nights = func.sum(sold_night.c.rooms)
    sales = func.sum(sold_night.c.rooms * sold_night.c.sell_minor)
    net = func.sum(sold_night.c.rooms * sold_night.c.net_minor)
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
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")] = "",
    city: str = "",
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
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$")],
    city: str = "",
) -> list[dict[str, object]]:
    """The month's ranking as JSON (HR-11)."""
    ranked = await monthly_ranking(session, month=month, city=city)
    return [{**r.__dict__, "margin": round(r.margin, 4)} for r in ranked]
