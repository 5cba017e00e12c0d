"""Reporting intervals in the business time zone, and agents' available time (SL-1 figures).

Day, week (from Monday) and month boundaries are midnights in the business time zone
(Asia/Shanghai by default), not in UTC: a team lead's "Tuesday" is Beijing's Tuesday.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, tzinfo

from services.metrics.queue_log import QueueLogRecord
from shared.errors import InvalidInput

INTERVALS = ("15min", "30min", "hour", "day", "week", "month")
_SPANS = {"15min": 900, "30min": 1800, "hour": 3600}  # fixed-length intervals, in seconds
# Every real zone's offset and DST switch fall on a quarter hour, so all the epochs of one
# quarter hour share every interval: the quarter is a safe cache key.
_QUARTER = 900


class Buckets:
    """Start and end of the interval holding a moment, cached per quarter hour."""

    def __init__(self, interval: str, tz: tzinfo) -> None:
        if interval not in INTERVALS:
            raise InvalidInput(f"interval must be one of {', '.join(INTERVALS)}", field="interval")
        self.interval = interval
        self.tz = tz
        self._starts: dict[int, datetime] = {}
        self._ends: dict[datetime, int] = {}

    def start_of(self, epoch: int) -> datetime:
        quarter = epoch // _QUARTER
        start = self._starts.get(quarter)
        if start is None:
            start = self._starts[quarter] = self._floor(datetime.fromtimestamp(epoch, self.tz))
        return start

    def end_epoch(self, start: datetime) -> int:
        end = self._ends.get(start)
        if end is None:
            end = self._ends[start] = int(self.end_of(start).timestamp())
        return end

    def end_of(self, start: datetime) -> datetime:
        """The next interval's start (wall-clock arithmetic for days, weeks and months)."""
        if self.interval in _SPANS:
            return datetime.fromtimestamp(start.timestamp() + _SPANS[self.interval], self.tz)
        if self.interval == "day":
            day = start.date() + timedelta(days=1)
        elif self.interval == "week":
            day = start.date() + timedelta(days=7)
        else:
            month = start.month % 12 + 1
            day = start.date().replace(year=start.year + (month == 1), month=month, day=1)
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)

    def split(self, start: int, end: int) -> Iterator[tuple[datetime, int]]:
        """Seconds of the span [start, end) falling in each interval."""
        while start < end:
            bucket = self.start_of(start)
            stop = min(end, self.end_epoch(bucket))
            yield bucket, stop - start
            start = stop

    def _floor(self, local: datetime) -> datetime:
        if self.interval in ("15min", "30min"):
            step = _SPANS[self.interval] // 60
            return local.replace(minute=local.minute - local.minute % step, second=0, microsecond=0)
        if self.interval == "hour":
            return local.replace(minute=0, second=0, microsecond=0)
        day = local.date()
        if self.interval == "week":
            day -= timedelta(days=day.weekday())  # weeks start on Monday
        elif self.interval == "month":
            day = day.replace(day=1)
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)


class _AgentState:
    """What the log has said of one agent so far."""

    __slots__ = ("agent_login", "available_since", "member_of", "pause_all", "paused_in")

    def __init__(self) -> None:
        self.agent_login = False
        self.member_of: set[str] = set()
        self.pause_all = False
        self.paused_in: set[str] = set()
        self.available_since: int | None = None

    @property
    def available(self) -> bool:
        logged_in = self.agent_login or bool(self.member_of)
        return logged_in and not (self.pause_all or self.paused_in)

    def apply(self, event: str, queue: str) -> None:
        whole = queue in ("", "NONE")
        if event in ("AGENTLOGIN", "AGENTCALLBACKLOGIN"):
            self.agent_login = True
        elif event in ("AGENTLOGOFF", "AGENTCALLBACKLOGOFF"):
            # Logged off: no membership or pause of before holds any more.
            self.agent_login = self.pause_all = False
            self.member_of.clear()
            self.paused_in.clear()
        elif event == "ADDMEMBER":
            self.member_of.add(queue)
        elif event == "REMOVEMEMBER":
            self.member_of.discard(queue)
            self.paused_in.discard(queue)
        elif event == "PAUSEALL" or (event == "PAUSE" and whole):
            self.pause_all = True
        elif event == "PAUSE":
            self.paused_in.add(queue)
        elif event == "UNPAUSEALL" or (event == "UNPAUSE" and whole):
            self.pause_all = False
            self.paused_in.clear()
        elif event == "UNPAUSE":
            # Unpausing one queue ends a PAUSEALL too: the agent takes calls again there.
            self.pause_all = False
            self.paused_in.discard(queue)


def available_spans(
    agent_events: Iterable[QueueLogRecord], *, until: int
) -> dict[str, list[tuple[int, int]]]:
    """Per agent, the spans [start, end) logged in and not paused.

    Logged in means after AGENTLOGIN (or AGENTCALLBACKLOGIN) until AGENTLOGOFF, or a member of
    at least one queue through ADDMEMBER/REMOVEMEMBER; paused means PAUSEALL, or PAUSE in any
    queue, until the matching UNPAUSE(ALL). A span still open at the end of the log ends at
    ``until``. Members configured statically (never logged in) have no available time.
    """
    states: dict[str, _AgentState] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for record in sorted(agent_events, key=lambda r: r.epoch):
        epoch = record.epoch_seconds
        state = states.setdefault(record.agent, _AgentState())
        was_available = state.available
        state.apply(record.event, record.queue)
        if state.available and not was_available:
            state.available_since = epoch
        elif was_available and not state.available and state.available_since is not None:
            spans.setdefault(record.agent, []).append((state.available_since, epoch))
            state.available_since = None
    for agent, state in states.items():
        if state.available and state.available_since is not None and state.available_since < until:
            spans.setdefault(agent, []).append((state.available_since, until))
    return spans
