"""SL-5 from customer service's complaint events (issue 18): a complaint's three clocks
(CS-3), with the due times the members service stamps on ``members.complaint_routed``
(``shared.complaint_clock``), stopped by ``members.complaint_answered`` per stage.

Breaching now, by the business clock, one row per complaint and stage:

- ``department``: past ``department_due_at`` (17:00 the day filed) without the department's
  findings. The department owes them even after the member had the final answer.
- ``progress``: past ``progress_due_at`` (filed + 12 h) with neither a progress nor a final
  answer. The progress answer is an interim one, owed only when the member was not answered
  the same day (``shared.complaint_clock.same_day_end``), so a final answer the same day never
  shows a progress breach; on this live list any final answer stops the progress clock, since
  nothing interim is owed to a member who has the final answer.
- ``final``: past ``final_due_at`` (filed + 24 h) without the final answer.

Events arrive in any order: each fills only its own columns (an answer before the routing is
kept, the routing then fills the rest), and a stage answered twice keeps its earliest time.
Service code never commits.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from prometheus_client import Gauge
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.fill import fill_columns
from services.metrics.models import complaint_clock
from shared.clock import clock
from shared.events import Envelope
from shared.events.members import ComplaintAnsweredV1, ComplaintRoutedV1

Stage = Literal["department", "progress", "final"]
STAGES: tuple[Stage, ...] = ("department", "progress", "final")

COMPLAINTS_OVERDUE = Gauge(
    "roomline_sla_complaints_overdue",
    "Complaints past a due time of their clock and not answered at that stage (SL-5)",
    ["stage"],
)


async def on_complaint_routed(session: AsyncSession, envelope: Envelope) -> None:
    """SL-5: the complaint exists with its three due times."""
    event = envelope.parse()
    assert isinstance(event, ComplaintRoutedV1)
    await fill_columns(
        session,
        complaint_clock,
        "complaint_id",
        event.complaint_id,
        complaint_no=event.complaint_no,
        category=event.category,
        severity=event.severity,
        hotel_name=event.hotel_name or None,
        department=event.department,
        filed_at=event.filed_at,
        department_due_at=event.department_due_at,
        progress_due_at=event.progress_due_at,
        final_due_at=event.final_due_at,
    )


async def on_complaint_answered(session: AsyncSession, envelope: Envelope) -> None:
    """SL-5: one stage was met; its clock stops (the earliest answer counts)."""
    event = envelope.parse()
    assert isinstance(event, ComplaintAnsweredV1)
    column = f"{event.stage}_at"
    await fill_columns(
        session,
        complaint_clock,
        "complaint_id",
        event.complaint_id,
        earliest=(column,),
        **{column: event.answered_at},
    )


class OverdueComplaint(BaseModel):
    complaint_id: uuid.UUID
    complaint_no: int
    stage: Stage
    category: str
    severity: str
    hotel_name: str | None
    department: str
    due_at: datetime
    overdue_minutes: int


def _breaching(stage: Stage, now: datetime) -> ColumnElement[bool]:
    """The condition under which ``stage``'s clock is breached at ``now``."""
    c = complaint_clock.c
    due, met = c[f"{stage}_due_at"], c[f"{stage}_at"]
    condition = due.is_not(None) & (due < now) & met.is_(None)
    if stage == "progress":
        condition &= c.final_at.is_(None)  # the final answer makes the progress one moot
    return condition & c.complaint_no.is_not(None)


def _overdue(now: datetime) -> Any:
    """Every (complaint, stage) breaching now, with the stage's due time."""
    c = complaint_clock.c
    return union_all(
        *(
            select(
                complaint_clock, literal(stage).label("stage"), c[f"{stage}_due_at"].label("due")
            ).where(_breaching(stage, now))
            for stage in STAGES
        )
    ).subquery()


async def overdue(session: AsyncSession) -> list[OverdueComplaint]:
    """SL-5: each complaint's clocks past due and not answered, most overdue first."""
    now = clock.now()
    found = _overdue(now)
    rows = await session.execute(select(found).order_by(found.c.due, found.c.complaint_no))
    return [
        OverdueComplaint(
            complaint_id=row.complaint_id,
            complaint_no=row.complaint_no,
            stage=row.stage,
            category=row.category or "",
            severity=row.severity or "",
            hotel_name=row.hotel_name,
            department=row.department or "",
            due_at=row.due,
            overdue_minutes=int((now - row.due).total_seconds() // 60),
        )
        for row in rows
    ]


async def refresh(session: AsyncSession) -> None:
    """Bring ``roomline_sla_complaints_overdue{stage}`` up to date, every stage (0 too)."""
    now = clock.now()
    for stage in STAGES:
        query = select(func.count()).select_from(complaint_clock).where(_breaching(stage, now))
        COMPLAINTS_OVERDUE.labels(stage=stage).set(int(await session.scalar(query) or 0))
