"""Desk service levels from other services' events (SL-2 … SL-6).

The metrics service keeps its own projection of what the other desks do, fed by their events
(tables in migration ``metrics_0003_desk_sla``):

- ``desk_task``: each confirmation task from ``confirmation.task_opened`` (deadline, CF-2/CF-6),
  ``confirmation.order_sent`` (sent, fax receipt due, CF-7), ``confirmation.booking_confirmed``
  and ``confirmation.full_house`` (answered), ``confirmation.receipt_checked``. Workers run
  jobs concurrently, so events may arrive in any order: each one fills only its own columns.
- ``booking_handle``: each placed booking (``intake.booking_placed``) with its handle seconds.

Breaches, live (what is breaching *now*, by the business clock):

- SL-3: tasks past their deadline and not answered by the hotel; with the unsent count (tasks
  neither sent nor answered; CF-1 allows at most ``UNSENT_LIMIT``).
- SL-6: fax receipt checks due (sent + 3 minutes) and not done.
- SL-2: bookings placed today (business day) whose handling took over 5 minutes.
- SL-4: no-show cases past due and unfinished (``noshow_sla``, from the no-show desk's events;
  the clock is ``shared.working_time``, ``no_show_due`` here).
- SL-5: complaints past a due time of their clock (department by 17:00, progress within 12 h,
  final within 24 h; ``shared.complaint_clock``) and not answered at that stage
  (``complaint_sla``, from customer service's ``members.complaint_routed`` / ``_answered``).

Gauges (``refresh`` sets them before each /sla/metrics scrape): ``roomline_sla_confirmation_
overdue``, ``roomline_sla_confirmation_unsent``, ``roomline_sla_receipt_checks_overdue``,
``roomline_sla_handle_time_over_5min_today``, ``roomline_sla_noshow_overdue``,
``roomline_sla_complaints_overdue{stage}`` and the histogram
``roomline_sla_booking_handle_seconds`` of every booking's handle time. Service code never
commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import REGISTRY, Gauge
from prometheus_client.core import HistogramMetricFamily, Metric
from pydantic import BaseModel
from sqlalchemy import (
    and_,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import complaint_sla, noshow_sla
from services.metrics.complaint_sla import OverdueComplaint
from services.metrics.fill import fill_columns
from services.metrics.models import booking_handle, desk_task
from services.metrics.noshow_sla import OverdueNoShow
from shared.clock import Clock, clock
from shared.events import Envelope
from shared.events.confirmation import (
    BookingConfirmedV1,
    FullHouseV1,
    OrderSentV1,
    ReceiptCheckedV1,
    TaskClosedV1,
    TaskOpenedV1,
)
from shared.events.intake import BookingPlacedV1
from shared.working_time import half_working_day_after

# SL-2: a booking call is done within 3–5 minutes; over 5 is a breach.
HANDLE_LIMIT_SECONDS = 5 * 60
HANDLE_TARGET_SECONDS = 3 * 60
# SL-3 / CF-1: at most this many orders unsent.
UNSENT_LIMIT = 15
# Buckets of the handle-time histogram (seconds): the SL-2 band 180–300 has its own edges.
HANDLE_BUCKETS = (60.0, 120.0, 180.0, 240.0, 300.0, 420.0, 600.0, 900.0)

# --- the projection: one handler per event ---------------------------------------------------


async def _fill_task(session: AsyncSession, task_id: uuid.UUID, **values: Any) -> None:
    """A task's row with what one event knows (events arrive in any order)."""
    await fill_columns(session, desk_task, "task_id", task_id, updated_at=func.now(), **values)


async def on_task_opened(session: AsyncSession, envelope: Envelope) -> None:
    """SL-3: a confirmation task exists with its deadline."""
    event = envelope.parse()
    assert isinstance(event, TaskOpenedV1)
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        kind=event.kind,
        hotel_name=event.hotel_name,
        deadline_at=event.deadline_at,
        opened_at=event.opened_at,
    )


async def on_order_sent(session: AsyncSession, envelope: Envelope) -> None:
    """SL-3: the order is no longer unsent; SL-6: a fax's receipt check is due."""
    event = envelope.parse()
    assert isinstance(event, OrderSentV1)
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        kind=event.kind,
        deadline_at=event.deadline_at,
        sent_at=event.sent_at,
        receipt_due_at=event.receipt_due_at,
    )


async def on_receipt_checked(session: AsyncSession, envelope: Envelope) -> None:
    """SL-6: the fax receipt was checked by phone."""
    event = envelope.parse()
    assert isinstance(event, ReceiptCheckedV1)
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        receipt_checked_at=event.checked_at,
        receipt_checked_by=event.by,
    )


async def _answer_unknown_task(
    session: AsyncSession,
    booking_ref: str,
    kinds: Sequence[str],
    answered_at: datetime,
    answer: str,
) -> None:
    """An answer published before events carried ``task_id``: close the booking's open tasks
    of those kinds opened before the answer."""
    await session.execute(
        update(desk_task)
        .where(
            desk_task.c.booking_ref == booking_ref,
            desk_task.c.kind.in_(kinds),
            desk_task.c.answered_at.is_(None),
            desk_task.c.opened_at <= answered_at,
        )
        .values(answered_at=answered_at, answer=answer, updated_at=func.now())
    )


async def on_booking_confirmed(session: AsyncSession, envelope: Envelope) -> None:
    """SL-3: the hotel answered (CF-4); the task can no longer be overdue."""
    event = envelope.parse()
    assert isinstance(event, BookingConfirmedV1)
    if event.task_id is None:
        await _answer_unknown_task(
            session, event.booking_ref, [event.kind], event.confirmed_at, "confirmed"
        )
        return
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        kind=event.kind,
        answered_at=event.confirmed_at,
        answer="confirmed",
    )


async def on_full_house(session: AsyncSession, envelope: Envelope) -> None:
    """SL-3: the hotel answered full (CF-3); that is an answer too."""
    event = envelope.parse()
    assert isinstance(event, FullHouseV1)
    answered_at = event.marked_at or envelope.occurred_at
    if event.task_id is None:
        await _answer_unknown_task(
            session, event.booking_ref, ["new", "modify"], answered_at, "full"
        )
        return
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        answered_at=answered_at,
        answer="full",
    )


async def on_task_closed(session: AsyncSession, envelope: Envelope) -> None:
    """SL-3: a task closed with nothing to send (its booking was cancelled before any order
    went, CF-1) is settled like an answered one: neither unsent nor overdue."""
    event = envelope.parse()
    assert isinstance(event, TaskClosedV1)
    await _fill_task(
        session,
        event.task_id,
        booking_ref=event.booking_ref,
        kind=event.kind,
        answered_at=event.closed_at,
        answer=event.reason,
    )


async def on_booking_placed(session: AsyncSession, envelope: Envelope) -> None:
    """SL-2: the booking's handle time (IN-1: from handling start to commit)."""
    event = envelope.parse()
    assert isinstance(event, BookingPlacedV1)
    await session.execute(
        insert(booking_handle)
        .values(
            booking_id=event.booking_id,
            booking_ref=event.booking_ref,
            agent_username=event.agent_username,
            placed_at=event.placed_at,
            handle_seconds=event.handle_seconds,
        )
        .on_conflict_do_nothing(index_elements=["booking_id"])
    )


# --- SL-4's clock (SL-5's is ``shared.complaint_clock``) -------------------------------------


def no_show_due(reported_at: datetime, *, business: Clock = clock) -> datetime:
    """SL-4: a no-show reported at ``reported_at`` is done within half a working day; the rule
    lives in ``shared.working_time`` (the no-show desk sets its cases' due times with it)."""
    return half_working_day_after(reported_at, business=business)


# --- what is breaching now -------------------------------------------------------------------


class OverdueTask(BaseModel):
    task_id: uuid.UUID
    booking_ref: str
    kind: str | None
    hotel_name: str | None
    deadline_at: datetime
    overdue_minutes: int
    sent: bool


class OverdueReceipt(BaseModel):
    task_id: uuid.UUID
    booking_ref: str
    hotel_name: str | None
    sent_at: datetime | None
    receipt_due_at: datetime
    late_minutes: int


class SlowBooking(BaseModel):
    booking_ref: str
    agent_username: str
    placed_at: datetime
    handle_seconds: int


class Breaches(BaseModel):
    """Everything breaching now, per rule."""

    as_of: datetime
    confirmation_overdue: list[OverdueTask]  # SL-3
    unsent: int  # SL-3 / CF-1: tasks neither sent nor answered
    unsent_limit: int = UNSENT_LIMIT
    unsent_over_limit: bool
    receipt_checks_overdue: list[OverdueReceipt]  # SL-6
    handle_time_over_5min_today: list[SlowBooking]  # SL-2
    handle_limit_seconds: int = HANDLE_LIMIT_SECONDS
    no_show_overdue: list[OverdueNoShow] = []  # SL-4 (issue 16)
    complaints_overdue: list[OverdueComplaint] = []  # SL-5 (issue 18), per stage


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _overdue_tasks(now: datetime) -> Any:
    return select(desk_task).where(
        desk_task.c.answered_at.is_(None),
        desk_task.c.booking_ref.is_not(None),
        desk_task.c.deadline_at < now,
    )


def _overdue_receipts(now: datetime) -> Any:
    return select(desk_task).where(
        desk_task.c.receipt_checked_at.is_(None),
        desk_task.c.booking_ref.is_not(None),
        desk_task.c.receipt_due_at < now,
    )


def _unsent() -> Any:
    return (
        select(func.count())
        .select_from(desk_task)
        .where(
            desk_task.c.opened_at.is_not(None),
            desk_task.c.sent_at.is_(None),
            desk_task.c.answered_at.is_(None),
        )
    )


def _slow_today(now: datetime) -> Any:
    start = clock.start_of_local_day(clock.local(now).date())
    return select(booking_handle).where(
        and_(booking_handle.c.placed_at >= start, booking_handle.c.placed_at <= now),
        booking_handle.c.handle_seconds > HANDLE_LIMIT_SECONDS,
    )


async def breaches(session: AsyncSession) -> Breaches:
    """What is breaching now by the business clock (SL-2 … SL-6)."""
    now = clock.now()
    tasks = (await session.execute(_overdue_tasks(now).order_by(desk_task.c.deadline_at))).all()
    receipts = (
        await session.execute(_overdue_receipts(now).order_by(desk_task.c.receipt_due_at))
    ).all()
    slow = (
        await session.execute(_slow_today(now).order_by(booking_handle.c.handle_seconds.desc()))
    ).all()
    unsent = int(await session.scalar(_unsent()) or 0)
    return Breaches(
        as_of=now,
        confirmation_overdue=[
            OverdueTask(
                task_id=row.task_id,
                booking_ref=row.booking_ref,
                kind=row.kind,
                hotel_name=row.hotel_name,
                deadline_at=row.deadline_at,
                overdue_minutes=_minutes(now - row.deadline_at),
                sent=row.sent_at is not None,
            )
            for row in tasks
        ],
        unsent=unsent,
        unsent_over_limit=unsent > UNSENT_LIMIT,
        receipt_checks_overdue=[
            OverdueReceipt(
                task_id=row.task_id,
                booking_ref=row.booking_ref,
                hotel_name=row.hotel_name,
                sent_at=row.sent_at,
                receipt_due_at=row.receipt_due_at,
                late_minutes=_minutes(now - row.receipt_due_at),
            )
            for row in receipts
        ],
        handle_time_over_5min_today=[
            SlowBooking(
                booking_ref=row.booking_ref,
                agent_username=row.agent_username,
                placed_at=row.placed_at,
                handle_seconds=row.handle_seconds,
            )
            for row in slow
        ],
        no_show_overdue=await noshow_sla.overdue(session),
        complaints_overdue=await complaint_sla.overdue(session),
    )


# --- Prometheus ------------------------------------------------------------------------------

CONFIRMATION_OVERDUE = Gauge(
    "roomline_sla_confirmation_overdue",
    "Confirmation tasks past their deadline with no answer from the hotel (SL-3)",
)
CONFIRMATION_UNSENT = Gauge(
    "roomline_sla_confirmation_unsent", "Confirmation tasks neither sent nor answered (SL-3)"
)
RECEIPTS_OVERDUE = Gauge(
    "roomline_sla_receipt_checks_overdue",
    "Fax receipt checks due (sent + 3 minutes) and not done (SL-6)",
)
SLOW_TODAY = Gauge(
    "roomline_sla_handle_time_over_5min_today",
    "Bookings placed today (business day) whose handling took over 5 minutes (SL-2)",
)


class HandleTimeHistogram:
    """``roomline_sla_booking_handle_seconds``: every projected booking's handle time (SL-2),
    a cumulative histogram read from the database at scrape time (the worker that projects the
    events is another process than the one scraped)."""

    name = "roomline_sla_booking_handle_seconds"

    def __init__(self) -> None:
        self.buckets: list[tuple[str, float]] = [(str(b), 0.0) for b in HANDLE_BUCKETS]
        self.buckets.append(("+Inf", 0.0))
        self.total = 0.0

    def describe(self) -> Iterator[Metric]:
        yield HistogramMetricFamily(self.name, "Booking handle time in seconds (SL-2)")

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, "Booking handle time in seconds (SL-2)")
        family.add_metric([], self.buckets, self.total)
        yield family

    async def refresh(self, session: AsyncSession) -> None:
        seconds = booking_handle.c.handle_seconds
        columns = [func.count().filter(seconds <= edge) for edge in HANDLE_BUCKETS]
        row = (
            await session.execute(
                select(*columns, func.count(), func.coalesce(func.sum(seconds), 0)).where(
                    seconds.is_not(None)
                )
            )
        ).one()
        counts = [float(value) for value in row[: len(HANDLE_BUCKETS) + 1]]
        labels = [*(str(edge) for edge in HANDLE_BUCKETS), "+Inf"]
        self.buckets = list(zip(labels, counts, strict=True))
        self.total = float(row[-1])


HANDLE_TIME = HandleTimeHistogram()
REGISTRY.register(HANDLE_TIME)  # type: ignore[arg-type]


async def _count(session: AsyncSession, query: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)


async def refresh(session: AsyncSession) -> None:
    """Bring the desk-SLA gauges up to date."""
    now = clock.now()
    CONFIRMATION_OVERDUE.set(await _count(session, _overdue_tasks(now)))
    CONFIRMATION_UNSENT.set(int(await session.scalar(_unsent()) or 0))
    RECEIPTS_OVERDUE.set(await _count(session, _overdue_receipts(now)))
    SLOW_TODAY.set(await _count(session, _slow_today(now)))
    await HANDLE_TIME.refresh(session)
    await noshow_sla.refresh(session)
    await complaint_sla.refresh(session)
