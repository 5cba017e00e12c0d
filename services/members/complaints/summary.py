"""CS-3: complaints filed by category and summarised weekly and monthly; SL-5: how each clock
was kept. A week runs Monday to Sunday in the business's time zone; a month is a calendar
month. A complaint counts in the period it was filed in; its clocks are judged now (one still
unanswered past its due time is overdue, not yet late)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.members.complaints.models import CATEGORIES, SEVERITIES, complaint
from services.members.complaints.service import clocks
from shared.clock import clock
from shared.dates import month_range

Period = Literal["week", "month"]
STAGES = ("department", "progress", "final")
STATES = ("met", "late", "overdue", "running", "not_owed")


@dataclass
class Summary:
    period: Period
    first: date
    following: date
    by_category: dict[str, Counter[str]] = field(default_factory=dict)  # category → severity
    by_clock: dict[str, Counter[str]] = field(default_factory=dict)  # stage → state

    @property
    def last(self) -> date:
        return self.following - timedelta(days=1)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.by_category.values())

    def severity_total(self, severity: str) -> int:
        return sum(c[severity] for c in self.by_category.values())


def period_bounds(period: Period, on: date) -> tuple[date, date]:
    if period == "week":
        first = on - timedelta(days=on.weekday())
        return first, first + timedelta(days=7)
    return month_range(on)


async def summarise(session: AsyncSession, *, period: Period, on: date) -> Summary:
    first, following = period_bounds(period, on)
    rows = await session.execute(
        select(complaint).where(
            complaint.c.filed_at >= clock.start_of_local_day(first),
            complaint.c.filed_at < clock.start_of_local_day(following),
        )
    )
    found = Summary(period, first, following)
    found.by_category = {category: Counter() for category in CATEGORIES}
    found.by_clock = {stage: Counter() for stage in STAGES}
    now = clock.now()
    for row in rows:
        found.by_category[row.category][row.severity] += 1
        for state in clocks(row, now):
            found.by_clock[state.stage][state.state] += 1
    return found


def chart_data(
    summary: Summary, names: dict[str, str], severities: dict[str, str]
) -> dict[str, object]:
    """Bars per category, one series per severity (the names already translated)."""
    return {
        "labels": [names[c] for c in CATEGORIES],
        "series": [
            {"label": severities[s], "data": [summary.by_category[c][s] for c in CATEGORIES]}
            for s in SEVERITIES
        ],
    }
