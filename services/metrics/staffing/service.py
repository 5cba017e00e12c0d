"""Staffing of one day per half hour (SL-1): agents needed by Erlang C against those on duty.

From the queue_log the metrics service keeps: the calls that entered the queues in each half
hour (all queues together: one pool of agents answers them), their average handle time (talk
of the calls answered then; the log has no wrap-up time, so the need is a floor), the agents
Erlang C needs to answer the service-level target within the threshold (three rings), and the
agents who were logged in and not paused then, as an average over the half hour and by name.

A half hour with calls but no talk measured (every call abandoned) is sized by the day's
average handle time; a day with none has no figure. The half hour under way counts only its
elapsed part: 15 calls in its first 15 minutes are 30 calls' worth of traffic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import agent_names
from services.metrics.call_figures import IntervalFigures, figures
from services.metrics.dashboard import ALL_QUEUES, LOOKBACK, Threshold, fold_between
from services.metrics.intervals import Buckets
from services.metrics.staffing.erlang import MAX_AGENTS, Need, agents_needed, service_level
from shared.clock import clock

HALF_HOUR = 1800


@dataclass(frozen=True, slots=True)
class HalfHour:
    starts_at: datetime
    calls: int
    answered: int
    handle_seconds: float | None  # the average the need was sized by
    need: Need
    on_duty: float  # agents logged in and not paused, averaged over the half hour
    expected_service_level: float | None  # Erlang C with the whole agents on duty
    agents: tuple[agent_names.Person, ...]  # who was on duty at any moment of it

    @property
    def short(self) -> bool:
        return self.need.agents is not None and self.on_duty < self.need.agents


@dataclass(frozen=True, slots=True)
class Staffing:
    day: date
    threshold: Threshold
    max_agents: int
    rows: list[HalfHour]

    @property
    def has_calls(self) -> bool:
        return any(row.calls for row in self.rows)


async def staffing(session: AsyncSession, *, threshold: Threshold, day: date) -> Staffing:
    """Every half hour of ``day`` (SL-1), quiet ones as zeros."""
    start = clock.start_of_local_day(day)
    end = clock.start_of_local_day(day + timedelta(days=1))
    # Logins before midnight count for the night's first half hours.
    contents = await fold_between(session, start - LOOKBACK, end + timedelta(hours=2))
    calls = [
        dataclasses.replace(call, queue=ALL_QUEUES)
        for call in contents.calls
        if start <= call.entered_at < end
    ]
    rows = figures(
        calls,
        contents.agent_events,
        threshold_seconds=threshold.seconds,
        interval="30min",
        tz=clock.business_tz,
        until=min(end, clock.now()),
    )
    names = await agent_names.load(session)
    day_handle = _day_handle(rows)
    buckets = Buckets("30min", clock.business_tz)
    half_hours = []
    at = buckets.start_of(int(start.timestamp()))  # in the business time zone, as rows are
    while at < end:
        # The half hour under way counts only its elapsed seconds, for calls and agents alike.
        length = max(1, min(HALF_HOUR, int(clock.now().timestamp() - at.timestamp())))
        half_hours.append(_half_hour(at, length, rows, threshold, day_handle, names))
        at = buckets.end_of(at)
    return Staffing(day, threshold, MAX_AGENTS, half_hours)


def _day_handle(rows: list[IntervalFigures]) -> float | None:
    talk = [r for r in rows if r.queue == ALL_QUEUES and r.average_handle_seconds is not None]
    handled = sum(r.answered for r in talk)
    if not handled:
        return None
    return sum((r.average_handle_seconds or 0) * r.answered for r in talk) / handled


def _half_hour(
    at: datetime,
    length: int,
    rows: list[IntervalFigures],
    threshold: Threshold,
    day_handle: float | None,
    names: agent_names.AgentNames,
) -> HalfHour:
    mine = [row for row in rows if row.starts_at == at]
    queue = next((row for row in mine if row.queue == ALL_QUEUES), None)
    calls = queue.offered if queue else 0
    handle = (queue.average_handle_seconds if queue else None) or (day_handle if calls else None)
    need = agents_needed(
        calls=calls,
        handle_seconds=handle,
        interval_seconds=length,
        within=threshold.seconds,
        target=threshold.target,
    )
    on_duty_rows = [row for row in mine if row.agent and row.available_seconds > 0]
    on_duty = sum(row.available_seconds for row in on_duty_rows) / length
    expected = None
    if calls and handle:
        expected = service_level(
            int(on_duty + 1e-9),  # whole agents: one there half the time is not one agent
            calls=calls,
            handle_seconds=handle,
            interval_seconds=length,
            within=threshold.seconds,
        )
    people = sorted(
        (names.person(row.agent or "") for row in on_duty_rows),
        key=lambda p: (not p.mapped, p.name),
    )
    return HalfHour(
        starts_at=at,
        calls=calls,
        answered=queue.answered if queue else 0,
        handle_seconds=handle,
        need=need,
        on_duty=on_duty,
        expected_service_level=expected,
        agents=tuple(people),
    )
