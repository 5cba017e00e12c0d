"""Call figures per queue, per agent and per interval, from folded calls (SL-1).

A call belongs to the interval it ENTERED the queue in, whatever the interval of its answer or
end: a call entering at 23:59:50 and answered at 00:00:05 counts for the day it entered. Calls
still waiting when the log ends have no outcome yet and are left out until it is known.

Agent occupancy is the one time-based figure: each agent's talk and available time are cut at
the interval's boundaries, so occupancy never borrows time from a neighbouring interval.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from services.metrics.call_fold import (
    ABANDONED,
    ANSWERED,
    EXIT_EMPTY,
    EXIT_KEY,
    TIMEOUT,
    WAITING,
    Call,
    CallFold,
    LogContents,
    fold_calls,
    mask_caller,
    read_log,
)
from services.metrics.intervals import INTERVALS, Buckets, available_spans
from services.metrics.queue_log import QueueLogRecord
from shared.clock import clock

__all__ = [
    "INTERVALS",
    "AbandonedCall",
    "Call",
    "CallFold",
    "IntervalFigures",
    "LogContents",
    "Tally",
    "figures",
    "fold_calls",
    "mask_caller",
    "read_log",
    "row_of",
    "threshold_seconds",
]

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def threshold_seconds(rings: int = 3, ring_on: float = 1.0, ring_off: float = 4.0) -> float:
    """SL-1's "answered within three rings" in seconds: rings × (ring_on + ring_off).

    China's ring cadence is 1 s on, 4 s off, so three rings are 15 s. "Within" means
    wait <= threshold.
    """
    return rings * (ring_on + ring_off)


@dataclass(frozen=True, slots=True)
class AbandonedCall:
    """One abandoned call for the team lead's list; the caller is masked."""

    entered_at: datetime
    abandoned_at: datetime
    caller: str
    wait_seconds: int


@dataclass(frozen=True, slots=True)
class IntervalFigures:
    """The figures of one queue (``agent`` None) or one agent (``queue`` None) in one interval.

    - service_level_of_offered = answered_within_threshold / offered
    - service_level_of_answered = answered_within_threshold / answered
    - average_speed_of_answer = Σ wait of answered calls / answered
    - longest_wait_seconds = max wait over the offered calls (answered or not)
    - average_handle_seconds = Σ talk / answered calls whose talk has ended
    - occupancy (agent rows) = talk_seconds / available_seconds, both cut to the interval;
      available = logged in minus paused. None where a divisor is 0.

    offered = answered + abandoned + timed_out + exited (key pressed or queue emptied). On an
    agent row a call counts where the agent answered it, so offered = answered there.
    """

    interval: str
    starts_at: datetime
    ends_at: datetime
    queue: str | None
    agent: str | None
    offered: int
    answered: int
    abandoned: int
    timed_out: int
    exited: int
    answered_within_threshold: int
    service_level_of_offered: float | None
    service_level_of_answered: float | None
    average_speed_of_answer: float | None
    longest_wait_seconds: int | None
    average_handle_seconds: float | None
    transferred: int
    ring_no_answer: int
    talk_seconds: int
    available_seconds: int
    occupancy: float | None
    abandoned_calls: tuple[AbandonedCall, ...]


@dataclass(slots=True)
class _Tally:
    """Running sums of one row."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    exited: int = 0
    within: int = 0
    answer_wait: int = 0
    longest_wait: int | None = None
    handled: int = 0
    handle_seconds: int = 0
    transferred: int = 0
    ring_no_answer: int = 0
    talk_seconds: int = 0
    available_seconds: int = 0
    abandoned_calls: list[AbandonedCall] = field(default_factory=list)

    def add(self, call: Call, threshold: float, *, rings: bool = True) -> None:
        """One call; ``rings`` False on agent rows (the rings were other agents')."""
        wait = call.wait_seconds or 0
        self.offered += 1
        self.ring_no_answer += call.ring_no_answer if rings else 0
        if self.longest_wait is None or wait > self.longest_wait:
            self.longest_wait = wait
        if call.outcome == ANSWERED:
            self.answered += 1
            self.answer_wait += wait
            self.within += wait <= threshold
            self.transferred += call.transferred
            if call.talk_seconds is not None:
                self.handled += 1
                self.handle_seconds += call.talk_seconds
        elif call.outcome == ABANDONED:
            self.abandoned += 1
            self.abandoned_calls.append(
                AbandonedCall(call.entered_at, call.ended_at or call.entered_at, call.caller, wait)
            )
        elif call.outcome == TIMEOUT:
            self.timed_out += 1
        elif call.outcome in (EXIT_KEY, EXIT_EMPTY):
            self.exited += 1


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _row(
    key: tuple[datetime, str | None, str | None], tally: _Tally, buckets: Buckets
) -> IntervalFigures:
    start, queue, agent = key
    return IntervalFigures(
        interval=buckets.interval,
        starts_at=start,
        ends_at=buckets.end_of(start),
        queue=queue,
        agent=agent,
        offered=tally.offered,
        answered=tally.answered,
        abandoned=tally.abandoned,
        timed_out=tally.timed_out,
        exited=tally.exited,
        answered_within_threshold=tally.within,
        service_level_of_offered=_ratio(tally.within, tally.offered),
        service_level_of_answered=_ratio(tally.within, tally.answered),
        average_speed_of_answer=_ratio(tally.answer_wait, tally.answered),
        longest_wait_seconds=tally.longest_wait,
        average_handle_seconds=_ratio(tally.handle_seconds, tally.handled),
        transferred=tally.transferred,
        ring_no_answer=tally.ring_no_answer,
        talk_seconds=tally.talk_seconds,
        available_seconds=tally.available_seconds,
        occupancy=_ratio(tally.talk_seconds, tally.available_seconds) if agent else None,
        abandoned_calls=tuple(tally.abandoned_calls),
    )


# The sums of one row and the row they make, for figures summed elsewhere (call_sums).
Tally = _Tally
row_of = _row


def figures(
    calls: Iterable[Call],
    agent_events: Iterable[QueueLogRecord],
    *,
    threshold_seconds: float,
    interval: str,
    tz: tzinfo = BUSINESS_TZ,
    until: datetime | None = None,
) -> list[IntervalFigures]:
    """Rows per (interval, queue) and per (interval, agent), in time order, queues first.

    ``until`` ends talk and logged-in time still open when the log ends; by default the last
    moment any call or agent event shows.
    """
    buckets = Buckets(interval, tz)
    calls = [call for call in calls if call.outcome != WAITING]
    agent_events = list(agent_events)
    end = _log_end(calls, agent_events) if until is None else int(until.timestamp())
    tallies: Tallies = {}
    for call in calls:
        start = buckets.start_of(call.entered_epoch)
        _tally(tallies, (start, call.queue, None)).add(call, threshold_seconds)
        if call.answered_epoch is not None:
            agent_tally = _tally(tallies, (start, None, call.agent))
            agent_tally.add(call, threshold_seconds, rings=False)
            _add_talk(tallies, buckets, call, end)
    for agent, spans in available_spans(agent_events, until=end).items():
        for span_start, span_end in spans:
            for start, seconds in buckets.split(span_start, span_end):
                _tally(tallies, (start, None, agent)).available_seconds += seconds
    ordered = sorted(tallies, key=lambda k: (k[0], k[2] is not None, k[1] or "", k[2] or ""))
    return [_row(key, tallies[key], buckets) for key in ordered]


Tallies = dict[tuple[datetime, str | None, str | None], "_Tally"]


def _tally(tallies: Tallies, key: tuple[datetime, str | None, str | None]) -> _Tally:
    """The row's running sums (``setdefault`` would build a spare tally on every call)."""
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = _Tally()
    return tally


def _add_talk(
    tallies: Tallies,
    buckets: Buckets,
    call: Call,
    end: int,
) -> None:
    """The agent's talk time of one call, cut at interval boundaries."""
    answered = call.answered_epoch or 0
    talk_end = call.ended_epoch if call.ended_epoch is not None else end
    start = buckets.start_of(answered)
    if talk_end <= buckets.end_epoch(start):  # nearly every call: one interval
        _tally(tallies, (start, None, call.agent)).talk_seconds += talk_end - answered
        return
    for start, seconds in buckets.split(answered, talk_end):
        _tally(tallies, (start, None, call.agent)).talk_seconds += seconds


def _log_end(calls: list[Call], agent_events: list[QueueLogRecord]) -> int:
    moments = [event.epoch_seconds for event in agent_events]
    for call in calls:
        moments.append(max(call.entered_epoch, call.answered_epoch or 0, call.ended_epoch or 0))
    return max(moments, default=int(clock.now().timestamp()))


def figures_of_log(
    lines: Iterable[str],
    *,
    threshold_seconds: float,
    interval: str,
    tz: tzinfo = BUSINESS_TZ,
) -> tuple[list[IntervalFigures], LogContents]:
    """Parse, fold and aggregate a log in one go; the folded contents come back too."""
    with collector_paused():
        contents = read_log(lines)
        end = contents.last_epoch
        rows = figures(
            contents.calls,
            contents.agent_events,
            threshold_seconds=threshold_seconds,
            interval=interval,
            tz=tz,
            until=None if end is None else datetime.fromtimestamp(end, UTC),
        )
    return rows, contents


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a day's calls are built.

    The fold makes hundreds of thousands of objects and no reference cycles, so the collector
    would only walk them again and again (it cost a third of the run); it resumes after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
