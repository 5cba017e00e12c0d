"""Each agent's record for a day, week or month, for team leads (IN-12, IN-1, SL-2).

- The period is a business-time-zone day, an ISO week (Monday to Sunday) or a calendar month
  containing the chosen date; a booking belongs to it by its ``committed_at``.
- Bookings: every booking the agent committed, whatever became of it (a request, a special
  price, a rejected one): each was a call handled.
- Handle time: ``handle_seconds`` from the call's answer or the form's opening to the commit
  (handle_time.py). Bookings with no known start are left out of the average, the p90 and the
  share, not counted as zero; ``timed`` says how many were measured.
- p90 is the nearest-rank 90th percentile (``percentile_disc``): a handle time some booking
  really had, so a lead can find it.
- Over 5 minutes: SL-2 wants a booking call done within 3-5 minutes; the share is of timed
  bookings whose handle time is above 300 seconds.
- Errors corrected: this agent's bookings of the period that were later modified with the
  reason category ``agent_error``, counted from the changes module's ``intake.booking_change``
  rows.
- Complaints: members' complaints about the agent's bookings that reached intake in the period
  (customer service routes each one, ``members.complaint_routed``, and intake keeps it as a
  memo with problem ``complaint`` and the booking's reference, ``memos/complaints.py``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, computed_field
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.bounds import checked_page
from shared.clock import clock
from shared.dates import month_range
from shared.errors import InvalidInput
from shared.i18n import N_, _

Period = Literal["day", "week", "month"]
PERIODS: tuple[str, ...] = ("day", "week", "month")
SL2_SECONDS = 300  # SL-2: a booking call is done within 3-5 minutes
PAGE_SIZE = 50
# Translated where shown (``{{ _(record.complaints_note) }}``); the API gives the English.
COMPLAINTS_NOTE = N_(
    "Complaints: members' complaints about the agent's bookings, received in the period."
)


class AgentRecord(BaseModel):
    agent_username: str
    bookings: int
    timed: int  # bookings whose handle time is known
    average_seconds: float | None
    p90_seconds: int | None
    over_five_minutes: int
    errors_corrected: int = 0
    complaints: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def share_over_five_minutes(self) -> float | None:
        return self.over_five_minutes / self.timed if self.timed else None


class AgentDay(BaseModel):
    """One agent's bookings on one day of the period, for the chart (issue 15)."""

    agent_username: str
    day: date
    bookings: int
    average_seconds: float | None


class TeamRecord(BaseModel):
    period: Period
    day: date
    first_day: date
    last_day: date  # inclusive
    agents: list[AgentRecord]
    # Every day of the period, and each listed agent's days with bookings (the chart draws
    # every agent on every day; a day without bookings has no bar, not a missing day).
    days: list[date] = []
    per_day: list[AgentDay] = []
    # username → the name the person logs in under, where known (filled by the page).
    names: dict[str, str] = {}

    def chart_series(self) -> list[dict[str, object]]:
        """Per listed agent, by name: the average handle time of each day (None: no booking
        timed that day), aligned with ``days``."""
        found = {(d.agent_username, d.day): d.average_seconds for d in self.per_day}
        return [
            {
                "name": self.names.get(agent.agent_username, agent.agent_username),
                "average_seconds": [found.get((agent.agent_username, day)) for day in self.days],
            }
            for agent in self.agents
        ]

    desk: AgentRecord  # every agent together
    total: int  # agents with bookings in the period
    page: int
    page_size: int
    sl2_seconds: int = SL2_SECONDS
    complaints_note: str = COMPLAINTS_NOTE


def period_days(period: str, day: date) -> tuple[date, date]:
    """The first day of the period containing ``day`` and the first day after it."""
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    if period == "month":
        return month_range(day)
    raise InvalidInput(_("Period is day, week or month."), field="period")


_STATS = """
    count(*) AS bookings,
    count(handle_seconds) AS timed,
    avg(handle_seconds)::float AS average_seconds,
    percentile_disc(0.9) WITHIN GROUP (ORDER BY handle_seconds) AS p90_seconds,
    count(*) FILTER (WHERE handle_seconds > :over) AS over_five_minutes
"""
_PER_AGENT = text(
    f"""
    SELECT agent_username, {_STATS}
    FROM intake.booking
    WHERE committed_at >= :start AND committed_at < :end
    GROUP BY agent_username
    ORDER BY agent_username
    LIMIT :limit OFFSET :offset
    """
)
_DESK = text(
    f"""
    SELECT 'All agents' AS agent_username, {_STATS},
        count(DISTINCT agent_username) AS agents
    FROM intake.booking
    WHERE committed_at >= :start AND committed_at < :end
    """
)
_PER_DAY = text(
    """
    SELECT agent_username, (committed_at AT TIME ZONE :tz)::date AS day, count(*) AS bookings,
        avg(handle_seconds)::float AS average_seconds
    FROM intake.booking
    WHERE committed_at >= :start AND committed_at < :end AND agent_username = ANY(:agents)
    GROUP BY agent_username, day
    ORDER BY day, agent_username
    """
)
_ERRORS = text(
    """
    SELECT b.agent_username, count(DISTINCT b.booking_id) AS corrected
    FROM intake.booking_change AS c
    JOIN intake.booking AS b ON b.booking_id = c.booking_id
    WHERE c.reason_category = 'agent_error'
      AND b.committed_at >= :start AND b.committed_at < :end
    GROUP BY b.agent_username
    """
)


_COMPLAINTS = text(
    """
    SELECT b.agent_username, count(*) AS complaints
    FROM intake.memo AS m
    JOIN intake.booking AS b ON b.booking_ref = m.booking_ref
    WHERE m.problem = 'complaint' AND m.raised_at >= :start AND m.raised_at < :end
    GROUP BY b.agent_username
    """
)


async def team_record(
    session: AsyncSession, *, period: str, day: date | None = None, page: int = 1
) -> TeamRecord:
    """Per-agent bookings, handle times and corrections of the period containing ``day``."""
    checked_page(page)  # the OFFSET below stays bounded
    day = day or clock.today()
    first, after = period_days(period, day)
    start, end = clock.start_of_local_day(first), clock.start_of_local_day(after)
    window = {"start": start, "end": end, "over": SL2_SECONDS}
    rows = await session.execute(
        _PER_AGENT, {**window, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    )
    errors = await _per_agent(session, _ERRORS, start, end)
    complaints = await _per_agent(session, _COMPLAINTS, start, end)
    agents = [
        AgentRecord(
            **row._asdict(),
            errors_corrected=errors.get(row.agent_username, 0),
            complaints=complaints.get(row.agent_username, 0),
        )
        for row in rows
    ]
    desk = (await session.execute(_DESK, window)).one()
    per_day = await session.execute(
        _PER_DAY,
        {**window, "tz": clock.business_tz.key, "agents": [a.agent_username for a in agents]},
    )
    return TeamRecord(
        period=period,  # type: ignore[arg-type]  # checked by period_days
        day=day,
        first_day=first,
        last_day=after - timedelta(days=1),
        agents=agents,
        days=[first + timedelta(days=n) for n in range((after - first).days)],
        per_day=[AgentDay(**row._asdict()) for row in per_day],
        desk=AgentRecord(
            **desk._asdict(),
            errors_corrected=sum(errors.values()),
            complaints=sum(complaints.values()),
        ),
        total=desk.agents,
        page=page,
        page_size=PAGE_SIZE,
    )


async def _per_agent(
    session: AsyncSession, query: TextClause, start: datetime, end: datetime
) -> dict[str, int]:
    """A per-agent count (corrections, complaints) of the period: username → count."""
    rows = await session.execute(query, {"start": start, "end": end})
    return {username: int(count) for username, count in rows}
