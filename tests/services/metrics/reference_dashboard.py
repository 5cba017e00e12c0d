"""The dashboard's figures as they were computed before issue 19: every line of the window
folded again on each request (``call_fold`` and ``call_figures``, the reference fold). Kept
for the test that the figures summed at ingest are the same, figure for figure."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.call_figures import Call, IntervalFigures, figures
from services.metrics.call_fold import ANSWERED, WAITING, LogContents
from services.metrics.dashboard import (
    ALL_QUEUES,
    FILLED_INTERVALS,
    LOOKBACK,
    AgentState,
    History,
    Threshold,
    Today,
    WaitingCall,
    _day_start,
    _every_interval,
    apply_agent_event,
    fold_between,
)
from services.metrics.intervals import Buckets
from services.metrics.queue_log import QueueLogRecord
from shared.clock import clock


def _with_totals(
    calls: list[Call], agent_events: list[QueueLogRecord], threshold: Threshold, **kw: object
) -> tuple[list[IntervalFigures], list[IntervalFigures]]:
    """(per queue rows, all-queues rows): the totals are the same calls under one queue name."""
    per_queue = [
        row
        for row in figures(calls, agent_events, threshold_seconds=threshold.seconds, **kw)  # type: ignore[arg-type]
        if row.queue is not None
    ]
    merged = [dataclasses.replace(call, queue=ALL_QUEUES) for call in calls]
    totals = [
        row
        for row in figures(merged, [], threshold_seconds=threshold.seconds, **kw)  # type: ignore[arg-type]
        if row.queue is not None
    ]
    return per_queue, totals


async def today(session: AsyncSession, threshold: Threshold) -> Today:
    """Today so far (SL-1), in the business time zone."""
    now = clock.now()
    day = clock.today()
    start = _day_start(day)
    contents = await fold_between(session, start - LOOKBACK, now + timedelta(minutes=5))
    calls = [call for call in contents.calls if call.entered_at >= start]
    per_queue, totals = _with_totals(
        calls, [], threshold, interval="day", tz=clock.business_tz, until=now
    )
    waiting = [
        WaitingCall(
            call.queue,
            call.caller,
            call.entered_at,
            max(0, int(now.timestamp()) - call.entered_epoch),
        )
        for call in contents.calls
        if call.outcome == WAITING and call.entered_at >= start - LOOKBACK
    ]
    abandoned = sorted(
        (item for row in per_queue for item in row.abandoned_calls),
        key=lambda item: item.abandoned_at,
        reverse=True,
    )
    per_agent = [
        row
        for row in figures(
            calls,
            contents.agent_events,
            threshold_seconds=threshold.seconds,
            interval="day",
            tz=clock.business_tz,
            until=now,
        )
        # Logins before midnight make a row for yesterday too: today's only.
        if row.agent is not None and row.starts_at >= start
    ]
    return Today(
        day=day,
        as_of=now,
        threshold=threshold,
        queues=per_queue + totals,
        waiting=sorted(waiting, key=lambda item: item.entered_at),
        agents=agent_states(contents),
        abandoned=abandoned,
        abandoned_total=len(abandoned),
        agent_figures=sorted(per_agent, key=lambda row: row.agent or ""),
    )


def agent_states(contents: LogContents) -> list[AgentState]:
    """Each agent's state now: the last login/logoff/pause event, then an open call on top.

    Logged in after AGENTLOGIN or ADDMEMBER; logged off after AGENTLOGOFF (or REMOVEMEMBER from
    the last queue); paused after PAUSE/PAUSEALL (the reason is PAUSE's first parameter) until
    UNPAUSE/UNPAUSEALL; on a call between CONNECT and the call's end.
    """
    states: dict[str, AgentState] = {}
    members: dict[str, set[str]] = {}
    for record in sorted(contents.agent_events, key=lambda r: r.epoch):
        apply_agent_event(states, members, record)  # not what issue 19 moved to ingest
    for call in contents.calls:
        if call.outcome == ANSWERED and call.ended_epoch is None and call.agent:
            states[call.agent] = AgentState(
                call.agent, "on a call", "", call.answered_at, call.queue
            )
        elif call.agent and call.agent not in states:
            states[call.agent] = AgentState(call.agent, "available", "", None, call.queue)
    return sorted(states.values(), key=lambda state: state.agent)


async def history(
    session: AsyncSession, threshold: Threshold, interval: str, first: date, last: date
) -> History:
    """Figures per interval (15min, hour, day, week, month) of the calls entered first…last."""
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    contents = await fold_between(session, start, end + timedelta(hours=2))
    calls = [call for call in contents.calls if start <= call.entered_at < end]
    per_queue, totals = _with_totals(
        calls, [], threshold, interval=interval, tz=clock.business_tz, until=end
    )
    if interval in FILLED_INTERVALS:
        totals = _every_interval(totals, Buckets(interval, clock.business_tz), start, end)
    rows = sorted(per_queue + totals, key=lambda r: (r.starts_at, r.queue == ALL_QUEUES, r.queue))
    return History(interval, first, last, threshold, totals, rows)
