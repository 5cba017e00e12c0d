"""No-show rates from the desk's own records (NS-7): arrivals are the confirmed stays whose
check-in falls in the period (``stay_booking``); a no-show is one of them whose case is a
provisional or final no-show (``no_show_case``; a corrected stay counts as stayed). The rate is
no-shows over arrivals, grouped by hotel, agent or client (the booker's company; a private
booker is "individual"). The reasons are the cases' categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from services.noshow.models import NoShowCase, StayBooking

GroupBy = Literal["hotel", "agent", "client"]
NO_SHOW_STATES = ("provisional", "final")
ARRIVING_STATUSES = ("confirmed",)


@dataclass(frozen=True)
class RateRow:
    key: str  # the hotel's name, the agent's user name, or the client ("" for individuals)
    arrivals: int
    no_shows: int
    final: int

    @property
    def rate(self) -> float:
        return self.no_shows / self.arrivals if self.arrivals else 0.0


@dataclass(frozen=True)
class Report:
    first: date
    following: date  # the day after the period
    group_by: GroupBy
    rows: list[RateRow]
    reasons: list[tuple[str, int]]  # category, no-shows with it ("" when not yet known)

    @property
    def total(self) -> RateRow:
        return RateRow(
            "",
            sum(r.arrivals for r in self.rows),
            sum(r.no_shows for r in self.rows),
            sum(r.final for r in self.rows),
        )


def _group_column(group_by: GroupBy) -> InstrumentedAttribute[str]:
    return {
        "hotel": StayBooking.hotel_name,
        "agent": StayBooking.agent_username,
        "client": StayBooking.booker_company,
    }[group_by]


def _arriving(first: date, following: date) -> tuple[ColumnElement[bool], ...]:
    return (
        StayBooking.check_in >= first,
        StayBooking.check_in < following,
        StayBooking.status.in_(ARRIVING_STATUSES),
    )


async def no_show_report(
    session: AsyncSession, *, first: date, following: date, group_by: GroupBy
) -> Report:
    """The period's rates by ``group_by`` (highest rate first) and its reasons."""
    key = _group_column(group_by)
    is_no_show = NoShowCase.state.in_(NO_SHOW_STATES)
    no_shows = func.sum(cast(case((is_no_show, 1), else_=0), Integer))
    final = func.sum(cast(case((NoShowCase.state == "final", 1), else_=0), Integer))
    query = (
        select(key.label("key"), func.count().label("arrivals"), no_shows, final)
        .select_from(StayBooking)
        .outerjoin(NoShowCase, NoShowCase.booking_id == StayBooking.booking_id)
        .where(*_arriving(first, following))
        .group_by(key)
    )
    rows = [
        RateRow(str(r.key or ""), int(r.arrivals), int(r[2] or 0), int(r[3] or 0))
        for r in await session.execute(query)
    ]
    rows.sort(key=lambda r: (-r.rate, -r.no_shows, r.key))
    reasons_query = (
        select(NoShowCase.reason_category, func.count())
        .join(StayBooking, StayBooking.booking_id == NoShowCase.booking_id)
        .where(*_arriving(first, following), is_no_show)
        .group_by(NoShowCase.reason_category)
        .order_by(func.count().desc(), NoShowCase.reason_category)
    )
    reasons = [(str(c or ""), int(n)) for c, n in await session.execute(reasons_query)]
    return Report(first, following, group_by, rows, reasons)
