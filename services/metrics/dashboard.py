"""The manager dashboard's figures (SL-1), read from ``metrics.call_line``.

Today: per queue and for all queues, the figures of the calls that entered the queue since
midnight in the business time zone; the calls waiting now (entered, not yet answered or ended);
each agent's state from the login, pause and connect events; the abandoned calls as a call-back
worklist. History: the same figures per interval between two business dates.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.call_figures import (
    AbandonedCall,
    Call,
    CallFold,
    IntervalFigures,
    LogContents,
    figures,
    threshold_seconds,
)
from services.metrics.call_fold import ANSWERED, WAITING
from services.metrics.intervals import Buckets
from services.metrics.queue_log import QueueLogRecord
from services.metrics.settings import MetricsSettings
from shared.clock import clock
from shared.errors import InvalidInput
from shared.i18n import _

ALL_QUEUES = "All queues"
# Agents' states and calls still open at midnight are read from this far back.
LOOKBACK = timedelta(hours=12)
# The longest history one request folds (a year of days; months and weeks fit in it).
MAX_HISTORY_DAYS = 366
# Quiet days, weeks and months are zeros on the chart, not gaps (issue 15); up to a year of
# days. Hours and quarters keep only those with calls: a night of zeros says nothing.
FILLED_INTERVALS = frozenset({"day", "week", "month"})
MAX_FILLED_INTERVALS = 400

SELECT_LINES = text(
    "SELECT at, call_id, queue, agent, event, data FROM metrics.call_line"
    " WHERE at >= :since AND at < :until ORDER BY at, line_id"
)


@dataclass(frozen=True, slots=True)
class Threshold:
    """SL-1's threshold and how it is made: rings × (ring on + ring off)."""

    rings: int
    ring_on: float
    ring_off: float
    target: float

    @property
    def seconds(self) -> float:
        return threshold_seconds(self.rings, self.ring_on, self.ring_off)

    @property
    def formula(self) -> str:
        return (
            f"{self.rings} rings × ({self.ring_on:g} s on + {self.ring_off:g} s off)"
            f" = {self.seconds:g} s"
        )

    @classmethod
    def of(cls, settings: MetricsSettings) -> Threshold:
        return cls(
            settings.ring_count,
            settings.ring_on_seconds,
            settings.ring_off_seconds,
            settings.service_level_target,
        )


@dataclass(frozen=True, slots=True)
class WaitingCall:
    queue: str
    caller: str
    entered_at: datetime
    waiting_seconds: int


@dataclass(frozen=True, slots=True)
class AgentState:
    """``state``: logged off, available, paused (with ``reason``) or on a call."""

    agent: str
    state: str
    reason: str
    since: datetime | None
    queue: str


@dataclass(frozen=True, slots=True)
class Today:
    day: date
    as_of: datetime
    threshold: Threshold
    queues: list[IntervalFigures]  # one per queue, then ALL_QUEUES (when any call today)
    waiting: list[WaitingCall]
    agents: list[AgentState]
    abandoned: list[AbandonedCall]  # newest first
    # Per agent today: calls answered, handle time, occupancy (talk ÷ logged in, not paused).
    agent_figures: list[IntervalFigures]


@dataclass(frozen=True, slots=True)
class History:
    interval: str
    first_day: date
    last_day: date
    threshold: Threshold
    totals: list[IntervalFigures]  # ALL_QUEUES per interval, in time order
    rows: list[IntervalFigures]  # per interval and queue, then ALL_QUEUES


def _day_start(day: date) -> datetime:
    return clock.start_of_local_day(day)


async def fold_between(session: AsyncSession, since: datetime, until: datetime) -> LogContents:
    result = await session.execute(SELECT_LINES, {"since": since, "until": until})
    records = [
        QueueLogRecord(row.at, row.call_id, row.queue, row.agent, row.event, tuple(row.data))
        for row in result
    ]
    fold = CallFold()
    fold.read_records(records)
    return fold.finish()


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
        agent, event, at = record.agent, record.event, record.epoch
        if not agent or agent == "NONE":
            continue
        current = states.get(agent)
        queues = members.setdefault(agent, set())
        if event in ("AGENTLOGIN", "AGENTCALLBACKLOGIN", "ADDMEMBER"):
            if event == "ADDMEMBER":
                queues.add(record.queue)
            if current is None or current.state == "logged off":
                states[agent] = AgentState(agent, "available", "", at, record.queue)
        elif event in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF") or (
            event == "REMOVEMEMBER" and not (queues - {record.queue})
        ):
            queues.clear()
            states[agent] = AgentState(agent, "logged off", "", at, "")
        elif event == "REMOVEMEMBER":
            queues.discard(record.queue)
        elif event in ("PAUSE", "PAUSEALL"):
            reason = record.data[0] if record.data else ""
            states[agent] = AgentState(agent, "paused", reason, at, record.queue)
        elif event in ("UNPAUSE", "UNPAUSEALL"):
            states[agent] = AgentState(agent, "available", "", at, record.queue)
    for call in contents.calls:
        if call.outcome == ANSWERED and call.ended_epoch is None and call.agent:
            states[call.agent] = AgentState(
                call.agent, "on a call", "", call.answered_at, call.queue
            )
        elif call.agent and call.agent not in states:
            states[call.agent] = AgentState(call.agent, "available", "", None, call.queue)
    return sorted(states.values(), key=lambda state: state.agent)


def history_range(interval: str, first: date | None, last: date | None) -> tuple[date, date]:
    """The dates asked for; by default the last 7 days to today. Refuses reversed or long ones."""
    last = last or clock.today()
    first = first or last - timedelta(days=6)
    if first > last:
        raise InvalidInput(_("from must not be after to"), field="from")
    if (last - first).days >= MAX_HISTORY_DAYS:
        raise InvalidInput(
            _("at most %(days)s days at a time") % {"days": MAX_HISTORY_DAYS}, field="to"
        )
    return first, last


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


def _every_interval(
    totals: list[IntervalFigures], buckets: Buckets, start: datetime, end: datetime
) -> list[IntervalFigures]:
    """The totals with a zero row for each interval without calls, unless that would be more
    rows than a page shows."""
    found = {row.starts_at: row for row in totals}
    starts: list[datetime] = []
    at = buckets.start_of(int(start.timestamp()))
    while at < end:
        if len(starts) == MAX_FILLED_INTERVALS:
            return totals
        starts.append(at)
        at = buckets.end_of(at)
    return [found.get(at) or _zero(buckets, at) for at in starts]


def _zero(buckets: Buckets, starts_at: datetime) -> IntervalFigures:
    return IntervalFigures(
        interval=buckets.interval,
        starts_at=starts_at,
        ends_at=buckets.end_of(starts_at),
        queue=ALL_QUEUES,
        agent=None,
        offered=0,
        answered=0,
        abandoned=0,
        timed_out=0,
        exited=0,
        answered_within_threshold=0,
        service_level_of_offered=None,
        service_level_of_answered=None,
        average_speed_of_answer=None,
        longest_wait_seconds=None,
        average_handle_seconds=None,
        transferred=0,
        ring_no_answer=0,
        talk_seconds=0,
        available_seconds=0,
        occupancy=None,
        abandoned_calls=(),
    )
