"""The confirmation desk's gauges (SL-3, SL-6), read from the database at scrape time.

``roomline_confirmation_unsent_orders`` over ``roomline_confirmation_unsent_limit`` is the
CF-1 alert; ``…_unsent_over_limit`` is 1 while it holds, for an alert rule to fire on.
"""

from __future__ import annotations

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.confirmation import service
from services.confirmation.models import ConfirmationTask, CustomerNotice
from services.confirmation.schemas import OPEN_STATES
from shared.clock import clock

UNSENT = Gauge("roomline_confirmation_unsent_orders", "Orders not yet sent to the hotel (CF-1)")
UNSENT_LIMIT = Gauge("roomline_confirmation_unsent_limit", "Most orders allowed unsent (CF-1)")
OVER_LIMIT = Gauge(
    "roomline_confirmation_unsent_over_limit", "1 while more orders are unsent than allowed (SL-3)"
)
OVERDUE = Gauge("roomline_confirmation_overdue_tasks", "Open tasks past their CF-2 deadline (SL-3)")
RECEIPTS_OVERDUE = Gauge(
    "roomline_confirmation_receipt_checks_overdue",
    "Faxes sent more than 3 minutes ago whose receipt nobody checked by phone (SL-6)",
)
NOTICES_OVERDUE = Gauge(
    "roomline_confirmation_customer_notices_overdue",
    "Customers' confirmations past their CF-6 deadline",
)


async def _count(session: AsyncSession, query: object) -> int:
    return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def refresh(session: AsyncSession) -> None:
    """Bring every gauge up to date; the app calls it before answering /metrics."""
    now = clock.now()
    unsent = await service.unsent_count(session)
    UNSENT.set(unsent)
    UNSENT_LIMIT.set(service.UNSENT_LIMIT)
    OVER_LIMIT.set(1 if unsent > service.UNSENT_LIMIT else 0)
    task_count = select(func.count()).select_from(ConfirmationTask)
    OVERDUE.set(
        await _count(
            session,
            task_count.where(
                ConfirmationTask.state.in_(OPEN_STATES), ConfirmationTask.deadline_at < now
            ),
        )
    )
    RECEIPTS_OVERDUE.set(
        await _count(
            session,
            task_count.where(
                ConfirmationTask.receipt_checked_at.is_(None),
                ConfirmationTask.receipt_due_at < now,
            ),
        )
    )
    NOTICES_OVERDUE.set(
        await _count(
            session,
            select(func.count())
            .select_from(CustomerNotice)
            .where(CustomerNotice.state != "sent", CustomerNotice.deadline_at < now),
        )
    )
