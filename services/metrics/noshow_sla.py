"""SL-4 from the no-show desk's events (issue 16): a case is due within half a working day of
the night audit (``shared.working_time``; the desk sets ``due_at``), and one still unfinished
after it is a breach until ``noshow.case_finished`` arrives.

Events arrive in any order: each fills only its own columns (a finish before its opening is
kept, and the opening then fills the rest without reopening it). Service code never commits.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from prometheus_client import Gauge
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.fill import fill_columns
from services.metrics.models import noshow_case
from shared.clock import clock
from shared.events import Envelope
from shared.events.noshow import CaseFinishedV1, CaseOpenedV1

NOSHOW_OVERDUE = Gauge(
    "roomline_sla_noshow_overdue",
    "No-show cases still unfinished half a working day after the night audit (SL-4)",
)


async def _fill(session: AsyncSession, case_id: uuid.UUID, **values: Any) -> None:
    await fill_columns(session, noshow_case, "case_id", case_id, **values)


async def on_case_opened(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, CaseOpenedV1)
    await _fill(
        session,
        event.case_id,
        booking_ref=event.booking_ref,
        hotel_name=event.hotel_name,
        business_date=event.business_date,
        opened_at=event.opened_at,
        due_at=event.due_at,
    )


async def on_case_finished(session: AsyncSession, envelope: Envelope) -> None:
    event = envelope.parse()
    assert isinstance(event, CaseFinishedV1)
    await _fill(
        session,
        event.case_id,
        booking_ref=event.booking_ref,
        finished_at=event.finished_at,
        outcome=event.outcome,
    )


class OverdueNoShow(BaseModel):
    case_id: uuid.UUID
    booking_ref: str
    hotel_name: str | None
    business_date: date | None
    due_at: datetime
    overdue_minutes: int


def _overdue(now: datetime) -> Any:
    return select(noshow_case).where(
        noshow_case.c.finished_at.is_(None),
        noshow_case.c.due_at.is_not(None),
        noshow_case.c.due_at < now,
    )


async def overdue(session: AsyncSession) -> list[OverdueNoShow]:
    """SL-4: the cases past due and not finished, most overdue first."""
    now = clock.now()
    rows = (await session.execute(_overdue(now).order_by(noshow_case.c.due_at))).all()
    return [
        OverdueNoShow(
            case_id=row.case_id,
            booking_ref=row.booking_ref or "",
            hotel_name=row.hotel_name,
            business_date=row.business_date,
            due_at=row.due_at,
            overdue_minutes=int((now - row.due_at).total_seconds() // 60),
        )
        for row in rows
    ]


async def refresh(session: AsyncSession) -> None:
    now = clock.now()
    count = await session.scalar(select(func.count()).select_from(_overdue(now).subquery()))
    NOSHOW_OVERDUE.set(int(count or 0))
