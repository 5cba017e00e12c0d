"""What the desk's pages read (NS-1 … NS-5): the worklist by hotel, one case with its history,
the suggestions for the manager and the read-only lookup for agents and sales."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.models import BookerCall, CheckIn, HotelCheck, NoShowCase, StayBooking
from services.noshow.outcomes import UNFINISHED
from services.noshow.settings import SCHEMA
from shared.audit import audit_table
from shared.clock import clock
from shared.errors import NotFound

MAX_ROWS = 500  # a worklist or list page shows at most this many rows


@dataclass(frozen=True)
class Row:
    case: NoShowCase
    booking: StayBooking

    @property
    def overdue(self) -> bool:
        return self.case.state in UNFINISHED and self.case.due_at < clock.now()


@dataclass
class HotelGroup:
    hotel_name: str
    rows: list[Row] = field(default_factory=list)


async def worklist(session: AsyncSession, business_date: date | None) -> list[HotelGroup]:
    """Unfinished cases (no date), or every case of that night audit, grouped by hotel."""
    query = select(NoShowCase, StayBooking).join(
        StayBooking, StayBooking.booking_id == NoShowCase.booking_id
    )
    if business_date is None:
        query = query.where(NoShowCase.state.in_(UNFINISHED))
    else:
        query = query.where(NoShowCase.business_date == business_date)
    query = query.order_by(StayBooking.hotel_name, NoShowCase.due_at, StayBooking.booking_ref)
    rows = [Row(c, b) for c, b in (await session.execute(query.limit(MAX_ROWS))).all()]
    return [
        HotelGroup(name, list(group))
        for name, group in groupby(rows, key=lambda r: r.booking.hotel_name)
    ]


@dataclass(frozen=True)
class CaseDetail:
    case: NoShowCase
    booking: StayBooking
    calls: list[BookerCall]
    checks: list[HotelCheck]
    check_ins: list[CheckIn]
    history: list[Any]

    @property
    def overdue(self) -> bool:
        return Row(self.case, self.booking).overdue


async def case_detail(session: AsyncSession, case_id: uuid.UUID) -> CaseDetail:
    row = (
        await session.execute(
            select(NoShowCase, StayBooking)
            .join(StayBooking, StayBooking.booking_id == NoShowCase.booking_id)
            .where(NoShowCase.case_id == case_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such no-show case.")
    case, booking = row
    log = audit_table(SCHEMA)
    return CaseDetail(
        case=case,
        booking=booking,
        calls=list(
            await session.scalars(
                select(BookerCall)
                .where(BookerCall.case_id == case_id)
                .order_by(BookerCall.called_at)
            )
        ),
        checks=list(
            await session.scalars(
                select(HotelCheck)
                .where(HotelCheck.case_id == case_id)
                .order_by(HotelCheck.checked_at)
            )
        ),
        check_ins=list(
            await session.scalars(
                select(CheckIn)
                .where(CheckIn.booking_id == booking.booking_id)
                .order_by(CheckIn.recorded_at)
            )
        ),
        history=list(
            (
                await session.execute(
                    select(log)
                    .where(log.c.entity == "no_show_case", log.c.entity_id == str(case_id))
                    .order_by(log.c.audit_id)
                )
            ).mappings()
        ),
    )


async def suggestions(session: AsyncSession) -> list[tuple[BookerCall, StayBooking]]:
    """NS-4: the bookers' suggestions, newest first."""
    rows = await session.execute(
        select(BookerCall, StayBooking)
        .join(NoShowCase, NoShowCase.case_id == BookerCall.case_id)
        .join(StayBooking, StayBooking.booking_id == NoShowCase.booking_id)
        .where(BookerCall.suggestion != "")
        .order_by(BookerCall.called_at.desc())
        .limit(MAX_ROWS)
    )
    return [(call, booking) for call, booking in rows.all()]


async def lookup(session: AsyncSession, booking_ref: str) -> Row | None:
    """NS-5: a booking's no-show record, read-only, by its reference."""
    row = (
        await session.execute(
            select(NoShowCase, StayBooking)
            .join(StayBooking, StayBooking.booking_id == NoShowCase.booking_id)
            .where(StayBooking.booking_ref == booking_ref.strip().upper())
        )
    ).one_or_none()
    return None if row is None else Row(row[0], row[1])
