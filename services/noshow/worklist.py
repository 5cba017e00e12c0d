"""The morning worklist (NS-1, NS-6, SL-4).

After the night audit (``noshow_audit_at``, default 06:00 business time) every confirmed
booking whose arrival date is before the audit's business date, with no stayed check-in and no
case yet, gets a case due within half a working day (``shared.working_time``) and
CaseOpenedV1 for metrics. Opening is idempotent (one case per booking, ``ON CONFLICT DO
NOTHING``), so the cron job runs every few minutes: after the audit time it lists what the
audit left, and a booking confirmed late still reaches the list. Before the audit time the
previous day's arrivals are not listed yet. Arrivals older than ``LOOKBACK`` are left out
(the first run after deployment must not list the whole history).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.noshow.models import CheckIn, NoShowCase, StayBooking
from services.noshow.outcomes import OPEN
from services.noshow.settings import SCHEMA, NoshowSettings
from shared.clock import clock
from shared.db import unit_of_work
from shared.events.noshow import CaseOpenedV1
from shared.events.outbox import publish_many
from shared.observability import get_logger
from shared.working_time import half_working_day_after

log = get_logger("noshow.worklist")

LOOKBACK = timedelta(days=7)
CONFIRMED = "confirmed"


def audited_date(now: datetime, audit_at: Any | None = None) -> date:
    """The business date of the last night audit's morning: today from the audit time on,
    yesterday before it. Arrivals before this date have passed."""
    local = clock.local(now)
    audit_time = audit_at or NoshowSettings().noshow_audit_at
    return local.date() if local.time() >= audit_time else local.date() - timedelta(days=1)


async def open_worklist(session: AsyncSession, now: datetime) -> list[NoShowCase]:
    """Open a case for every arrival that passed unreported (NS-1); the cases opened now."""
    today = audited_date(now)
    stayed = exists().where(CheckIn.booking_id == StayBooking.booking_id, CheckIn.stayed)
    has_case = exists().where(NoShowCase.booking_id == StayBooking.booking_id)
    candidates = list(
        await session.scalars(
            select(StayBooking)
            .where(
                StayBooking.status == CONFIRMED,
                StayBooking.check_in < today,
                StayBooking.check_in >= today - LOOKBACK,
                ~stayed,
                ~has_case,
            )
            .order_by(StayBooking.hotel_name, StayBooking.check_in, StayBooking.booking_ref)
        )
    )
    if not candidates:
        return []
    due_at = half_working_day_after(now)
    business_date = today - timedelta(days=1)
    opened = await session.scalars(
        insert(NoShowCase)
        .values(
            [
                {
                    "booking_id": booking.booking_id,
                    "business_date": business_date,
                    "state": OPEN,
                    "opened_at": now,
                    "due_at": due_at,
                }
                for booking in candidates
            ]
        )
        .on_conflict_do_nothing(index_elements=["booking_id"])
        .returning(NoShowCase)
    )
    cases = list(opened)
    refs = {booking.booking_id: booking for booking in candidates}
    await publish_many(
        session,
        schema=SCHEMA,
        payloads=[
            CaseOpenedV1(
                case_id=case.case_id,
                booking_ref=refs[case.booking_id].booking_ref,
                hotel_name=refs[case.booking_id].hotel_name,
                business_date=case.business_date,
                opened_at=case.opened_at,
                due_at=case.due_at,
            )
            for case in cases
        ],
        occurred_at=now,
    )
    return cases


async def open_worklist_job(ctx: dict[str, Any]) -> int:
    """Cron: the worklist after the night audit; returns how many cases it opened."""
    async with unit_of_work(ctx["sessionmaker"]) as session:
        cases = await open_worklist(session, clock.now())
    if cases:
        log.info("noshow_worklist_opened", count=len(cases))
    return len(cases)
