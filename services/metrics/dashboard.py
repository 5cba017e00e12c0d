"""The manager dashboard's figures (SL-1), read from the calls and quarter-hour sums the tailer
folds at ingest (issue 19; ``call_sums``), no longer from the lines themselves.

Today: per queue and for all queues, the figures of the calls that entered the queue since
midnight in the business time zone; the calls waiting now (entered, not yet answered or ended);
each agent's state from the login, pause and connect events; the abandoned calls as a call-back
worklist. History: the same figures per interval between two business dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import call_sums
from services.metrics.call_figures import (
    AbandonedCall,
    CallFold,
    IntervalFigures,
    LogContents,
    Tally,
    threshold_seconds,
)
from services.metrics.call_fold import ANSWERED, WAITING
from services.metrics.call_sums import figures_row, merged
from services.metrics.intervals import Buckets, available_spans
from services.metrics.queue_log import QueueLogRecord
from services.metrics.settings import MetricsSettings
from shared.clock import clock
from shared.errors import InvalidInput
from shared.i18n import _

ALL_QUEUES = "All queues"
# Agents' states and calls still open at midnight are read from this far back.
LOOKBACK = timedelta(hours=12)
# The call-back list shows the newest this many abandoned calls, with the day's total: a
# busy day abandons tens of thousands, more than a 5-second poll should carry (issue 19).
WORKLIST = 200
MAX_WORKLIST = 5000
# The longest history one request folds (a year of days; months and weeks fit in it).
MAX_HISTORY_DAYS = 366
# Quiet days, weeks and months are zeros on the chart, not gaps (issue 15); up to a year of
# days. Hours and quarters keep only those with calls: a night of zeros says nothing.
FILLED_INTERVALS = frozenset({"day", "week", "month"})
MAX_FILLED_INTERVALS = 400

# Staffing (staffing.service) still folds a day's lines itself, with the reference fold.
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
    abandoned: list[AbandonedCall]  # newest first, at most the worklist's limit
    abandoned_total: int  # abandoned today in all
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


async def today(session: AsyncSession, threshold: Threshold, *, worklist: int | None) -> Today:
    """Today so far (SL-1), in the business time zone, from the sums folded at ingest, with
    the newest ``worklist`` abandoned calls (None: all; 0: none, as the JSON API reads them as
    JSON instead: ``abandoned_json``)."""
    now, day, tz = clock.now(), clock.today(), clock.business_tz
    start, end = _day_start(day), _day_start(day + timedelta(days=1))
    buckets, local_start = Buckets("day", tz), start.astimezone(tz)
    window = (start - LOOKBACK, now + timedelta(minutes=5))
    rows = await call_sums.summed(
        session, agents=False, interval="day", since=start, until=end,
        threshold_seconds=threshold.seconds, tz=tz,
    )  # fmt: skip
    per_queue = [figures_row(buckets, row.starts_at, row.key, None, row.tally) for row in rows]
    per_queue.sort(key=lambda row: row.queue or "")
    totals = [
        figures_row(buckets, local_start, ALL_QUEUES, None, merged([row.tally for row in rows]))
    ]
    unended = await call_sums.unended(session, *window)
    now_epoch = int(now.timestamp())
    waiting = [
        WaitingCall(call.queue, call.caller, call.entered_at, _since(call.entered_at, now_epoch))
        for call in unended
        if call.outcome == WAITING
    ]
    events = await call_sums.agent_lines(session, *window)
    per_agent = await _agent_figures(session, threshold, (start, end, now), events, unended)
    return Today(
        day=day,
        as_of=now,
        threshold=threshold,
        queues=per_queue + (totals if rows else []),
        waiting=waiting,
        agents=await _agent_states(session, events, unended, window),
        abandoned=await call_sums.abandoned(session, start, end, worklist) if worklist != 0 else [],
        abandoned_total=await call_sums.abandoned_count(session, start, end),
        agent_figures=per_agent,
    )


async def abandoned_json(session: AsyncSession, day: date, limit: int | None) -> str:
    """The day's newest ``limit`` abandoned calls (None: all), newest first, as a JSON array."""
    start, end = _day_start(day), _day_start(day + timedelta(days=1))
    return await call_sums.abandoned_json(session, start, end, limit)


def _since(moment: datetime, now_epoch: int) -> int:
    return max(0, now_epoch - int(moment.timestamp()))


async def _agent_figures(
    session: AsyncSession,
    threshold: Threshold,
    span: tuple[datetime, datetime, datetime],
    events: list[QueueLogRecord],
    unended: list[Any],
) -> list[IntervalFigures]:
    """Per agent today: the summed calls, talk still going on until now, available time."""
    start, end, now = span
    tz = clock.business_tz
    buckets = Buckets("day", tz)
    rows = await call_sums.summed(
        session, agents=True, interval="day", since=start, until=end,
        threshold_seconds=threshold.seconds, tz=tz,
    )  # fmt: skip
    tallies = {row.key: row.tally for row in rows}
    now_epoch = int(now.timestamp())
    for call in unended:
        if call.answered_at is not None and call.entered_at >= start:
            talk = now_epoch - int(call.answered_at.timestamp())
            tallies.setdefault(call.agent, Tally()).talk_seconds += talk
    for agent, spans in available_spans(events, until=now_epoch).items():
        for span_start, span_end in spans:
            for at, seconds in buckets.split(span_start, span_end):
                if at >= start:  # logins before midnight: today's part only
                    tallies.setdefault(agent, Tally()).available_seconds += seconds
    local_start = start.astimezone(tz)
    return [
        figures_row(buckets, local_start, None, agent, tallies[agent]) for agent in sorted(tallies)
    ]


async def _agent_states(
    session: AsyncSession,
    events: list[QueueLogRecord],
    unended: list[Any],
    window: tuple[datetime, datetime],
) -> list[AgentState]:
    on_call = [call for call in unended if call.outcome == ANSWERED and call.agent]
    known = {state.agent for state in agent_states(events)} | {call.agent for call in on_call}
    seen = await call_sums.agents_seen(session, *window, known)
    return agent_states(events, on_call, seen)


def agent_states(
    agent_events: list[QueueLogRecord],
    on_call: list[Any] = (),  # type: ignore[assignment]
    seen: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> list[AgentState]:
    """Each agent's state now: the last login/logoff/pause event, then an open call on top.

    Logged in after AGENTLOGIN or ADDMEMBER; logged off after AGENTLOGOFF (or REMOVEMEMBER from
    the last queue); paused after PAUSE/PAUSEALL (the reason is PAUSE's first parameter) until
    UNPAUSE/UNPAUSEALL; on a call between CONNECT and the call's end (``on_call``: rows with
    agent, answered_at, queue). Agents who answered calls but logged no event (``seen``:
    agent, queue) are available.
    """
    states: dict[str, AgentState] = {}
    members: dict[str, set[str]] = {}
    for record in sorted(agent_events, key=lambda r: r.epoch):
        apply_agent_event(states, members, record)
    for agent, queue in seen:
        states.setdefault(agent, AgentState(agent, "available", "", None, queue))
    for call in on_call:
        states[call.agent] = AgentState(call.agent, "on a call", "", call.answered_at, call.queue)
    return sorted(states.values(), key=lambda state: state.agent)


def apply_agent_event(
    states: dict[str, AgentState], members: dict[str, set[str]], record: QueueLogRecord
) -> None:
    """One login, logoff, member or pause line moves its agent's state (``members``: the
    queues each agent is in, so leaving the last one logs off)."""
    agent, event, at = record.agent, record.event, record.epoch
    if not agent or agent == "NONE":
        return
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
    """Figures per interval (15min, hour, day, week, month) of the calls entered first…last,
    summed from the quarter hours folded at ingest."""
    start, end = _day_start(first), _day_start(last + timedelta(days=1))
    tz = clock.business_tz
    buckets = Buckets(interval, tz)
    summed = await call_sums.summed(
        session, agents=False, interval=interval, since=start, until=end,
        threshold_seconds=threshold.seconds, tz=tz,
    )  # fmt: skip
    per_queue = [figures_row(buckets, row.starts_at, row.key, None, row.tally) for row in summed]
    by_start: dict[datetime, list[Tally]] = {}
    for row in summed:
        by_start.setdefault(row.starts_at, []).append(row.tally)
    totals = [
        figures_row(buckets, at, ALL_QUEUES, None, merged(tallies))
        for at, tallies in sorted(by_start.items())
    ]
    if interval in FILLED_INTERVALS:
        totals = _every_interval(totals, buckets, start, end)
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
