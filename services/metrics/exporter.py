"""Call figures as Prometheus metrics (SL-1), refreshed from the database at scrape time.

``refresh(session)`` runs before every /sla/metrics scrape; a custom collector then yields the
values it computed, so nothing here is counted by the request that happened to see a call.

- Counters and histograms (labels: queue) are derived from the stored ``metrics.call_line``
  rows, never from the live tailer: the process folds the rows incrementally (in ``line_id``
  order, with ``call_fold.CallFold`` kept open between scrapes) and counts each call once, so
  a second scrape adds only calls that changed since, and a restarted process folds the whole
  table again and reports the same totals (Prometheus' ``rate`` sees an ordinary counter
  reset to the same value). A call is counted as offered when its outcome is known: answered
  at CONNECT (with its wait, and "within threshold" when wait <= threshold), abandoned, timed
  out or exited when it leaves the queue; its handle time is observed when the talk ends.

  * ``roomline_calls_offered_total`` / ``…_answered_total`` / ``…_abandoned_total`` /
    ``…_answered_within_threshold_total``
  * ``roomline_call_wait_seconds``: every offered call's wait (answered: until the answer;
    others: until they left the queue)
  * ``roomline_call_handle_seconds``: talk time of answered calls whose talk ended

  Rows committed late with a lower ``line_id`` than rows already read (concurrent webhook
  posts) are caught by re-reading the last ``SETTLE`` of ingestion and skipping ids already
  folded. The threshold is the one configured when the call was counted (ring_count ×
  (ring_on + ring_off), ``call_figures.threshold_seconds``); a changed cadence applies to
  calls counted afterwards, and to all after a restart.
- Gauges, recomputed each scrape: ``roomline_calls_waiting`` (queue) and
  ``roomline_service_level_ratio`` (queue, basis "offered"/"answered") are today's figures in
  the business time zone exactly as the manager dashboard shows them (``dashboard.today``,
  queue "All queues" for the total); ``roomline_queue_log_rejected_lines`` counts stored
  rejected lines; ``roomline_queue_log_lag_seconds`` is now minus the newest stored line's time.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import REGISTRY
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics import dashboard
from services.metrics.call_figures import threshold_seconds
from services.metrics.call_fold import ABANDONED, ANSWERED, WAITING, Call, CallFold
from services.metrics.queue_log import QueueLogRecord
from services.metrics.settings import MetricsSettings
from shared.clock import clock

# Bucket bounds (seconds). Wait: around the 15 s threshold; handle: around SL-2's 3–5 minutes.
WAIT_BUCKETS = (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0)
HANDLE_BUCKETS = (30.0, 60.0, 120.0, 180.0, 240.0, 300.0, 420.0, 600.0, 900.0)
# Rows ingested this recently are read again next scrape (a slower transaction may still
# commit a lower line_id); older rows are settled and never read again.
SETTLE = timedelta(minutes=5)
# Calls open this long (their closing line lost) are dropped from the fold.
STALE = timedelta(hours=24)
BATCH = 20_000

SELECT_NEW = text(
    "SELECT line_id, at, call_id, queue, agent, event, data,"
    " ingested_at < now() - make_interval(secs => :settle) AS settled"
    " FROM metrics.call_line WHERE line_id > :after ORDER BY line_id LIMIT :batch"
)
SELECT_STATE = text(
    "SELECT (SELECT max(line_id) FROM metrics.call_line) AS last_id,"
    " (SELECT max(at) FROM metrics.call_line) AS newest,"
    " (SELECT count(*) FROM metrics.rejected_line) AS rejected"
)


@dataclass
class _Histogram:
    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def observe(self, value: float) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)
        for index, bound in enumerate(self.bounds):
            if value <= bound:
                self.counts[index] += 1
                break
        else:
            self.counts[-1] += 1
        self.total += value

    def buckets(self) -> list[tuple[str, float]]:
        """Cumulative (le, count) pairs ending with +Inf, as Prometheus expects."""
        counts = self.counts or [0] * (len(self.bounds) + 1)
        out, running = [], 0
        for bound, count in zip((*self.bounds, float("inf")), counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else f"{bound:g}", float(running)))
        return out


@dataclass
class _QueueTotals:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within: int = 0
    wait: _Histogram = field(default_factory=lambda: _Histogram(WAIT_BUCKETS))
    handle: _Histogram = field(default_factory=lambda: _Histogram(HANDLE_BUCKETS))


class CallExporter(Collector):
    """Folds ``metrics.call_line`` incrementally and yields the call metrics (SL-1)."""

    def __init__(self, settings: MetricsSettings | None = None) -> None:
        self.settings = settings
        self.lock = asyncio.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything folded: the next refresh reads the table from its start."""
        self.fold = CallFold()
        self.after = 0  # every line_id <= after is folded and settled
        self.folded: set[int] = set()  # line_ids > after already folded
        self.answer_counted: set[int] = set()  # id() of open calls counted as answered
        self.totals: dict[str, _QueueTotals] = defaultdict(_QueueTotals)
        self.waiting: dict[str, int] = {}
        self.service_levels: list[tuple[str, str, float]] = []
        self.rejected = 0
        self.lag: float | None = None

    def threshold(self) -> float:
        settings = self.settings or MetricsSettings()
        return threshold_seconds(
            getattr(settings, "ring_count", 3),
            getattr(settings, "ring_on_seconds", 1.0),
            getattr(settings, "ring_off_seconds", 4.0),
        )

    async def refresh(self, session: AsyncSession) -> None:
        async with self.lock:
            state = (await session.execute(SELECT_STATE)).one()
            if (state.last_id or 0) < self.after:  # the table was emptied or restored
                self.reset()
            await self._read_new(session)
            self.rejected = int(state.rejected or 0)
            newest = state.newest
            self.lag = None if newest is None else (clock.now() - newest).total_seconds()
            await self._today(session)

    async def _read_new(self, session: AsyncSession) -> None:
        threshold = self.threshold()
        params = {"settle": SETTLE.total_seconds(), "batch": BATCH}
        after, settled_to = self.after, self.after
        contiguous = True  # every row so far is settled: ``after`` may move past it
        while True:
            rows = (await session.execute(SELECT_NEW, {**params, "after": after})).all()
            records = []
            for row in rows:
                if contiguous and row.settled:
                    settled_to = row.line_id
                else:
                    contiguous = False
                if row.line_id in self.folded:
                    continue
                records.append(
                    QueueLogRecord(
                        row.at, row.call_id, row.queue, row.agent, row.event, tuple(row.data)
                    )
                )
                self.folded.add(row.line_id)
            self.fold.read_records(records)
            if len(rows) < BATCH:
                break
            after = rows[-1].line_id
        self.after = settled_to
        self.folded = {line_id for line_id in self.folded if line_id > settled_to}
        self._count(threshold)

    def _count(self, threshold: float) -> None:
        """Counts calls whose outcome became known since the last refresh."""
        result = self.fold.result
        for call in result.calls:  # closed since the last refresh
            counted = id(call) in self.answer_counted
            self.answer_counted.discard(id(call))
            if not counted:
                self._offered(call, threshold)
            if call.outcome == ANSWERED and call.talk_seconds is not None:
                self.totals[call.queue].handle.observe(call.talk_seconds)
        result.calls.clear()
        result.agent_events.clear()
        oldest = int((clock.now() - STALE).timestamp())
        for call_id, call in list(self.fold.open.items()):
            if call.entered_epoch < oldest:
                del self.fold.open[call_id]
                self.answer_counted.discard(id(call))
            elif call.outcome == ANSWERED and id(call) not in self.answer_counted:
                self._offered(call, threshold)
                self.answer_counted.add(id(call))

    def _offered(self, call: Call, threshold: float) -> None:
        if call.outcome == WAITING:
            return
        totals = self.totals[call.queue]
        wait = call.wait_seconds or 0
        totals.offered += 1
        totals.wait.observe(wait)
        if call.outcome == ANSWERED:
            totals.answered += 1
            totals.within += wait <= threshold
        elif call.outcome == ABANDONED:
            totals.abandoned += 1

    async def _today(self, session: AsyncSession) -> None:
        settings = self.settings or MetricsSettings()
        today = await dashboard.today(session, dashboard.Threshold.of(settings))
        waiting: dict[str, int] = defaultdict(int)
        for call in today.waiting:
            waiting[call.queue] += 1
        self.waiting = dict(waiting)
        levels = []
        for row in today.queues:
            queue = row.queue or dashboard.ALL_QUEUES
            if row.service_level_of_offered is not None:
                levels.append((queue, "offered", row.service_level_of_offered))
            if row.service_level_of_answered is not None:
                levels.append((queue, "answered", row.service_level_of_answered))
        self.service_levels = levels

    def collect(self) -> Iterator[Metric]:
        counters = {
            "roomline_calls_offered_total": ("Calls offered to a queue (SL-1)", "offered"),
            "roomline_calls_answered_total": ("Calls answered by an agent (SL-1)", "answered"),
            "roomline_calls_abandoned_total": (
                "Calls the caller hung up in the queue",
                "abandoned",
            ),
            "roomline_calls_answered_within_threshold_total": (
                "Calls answered within the ring threshold, three rings (SL-1)",
                "within",
            ),
        }
        queues = sorted(self.totals)
        for name, (doc, attribute) in counters.items():
            # CounterMetricFamily takes the name without "_total" and exposes it with it.
            counter = CounterMetricFamily(name, doc, labels=["queue"])
            for queue in queues:
                counter.add_metric([queue], getattr(self.totals[queue], attribute))
            yield counter
        histograms = {
            "roomline_call_wait_seconds": ("Wait in the queue of offered calls (SL-1)", "wait"),
            "roomline_call_handle_seconds": ("Talk time of answered calls (SL-2)", "handle"),
        }
        for name, (doc, attribute) in histograms.items():
            histogram = HistogramMetricFamily(name, doc, labels=["queue"])
            for queue in queues:
                values: _Histogram = getattr(self.totals[queue], attribute)
                histogram.add_metric([queue], values.buckets(), values.total)
            yield histogram
        waiting = GaugeMetricFamily(
            "roomline_calls_waiting", "Calls waiting in a queue now", labels=["queue"]
        )
        for queue, count in sorted(self.waiting.items()):
            waiting.add_metric([queue], count)
        yield waiting
        level = GaugeMetricFamily(
            "roomline_service_level_ratio",
            "Today's share of calls answered within the threshold, of offered or of answered"
            " calls (SL-1)",
            labels=["queue", "basis"],
        )
        for queue, basis, ratio in self.service_levels:
            level.add_metric([queue, basis], ratio)
        yield level
        yield GaugeMetricFamily(
            "roomline_queue_log_rejected_lines",
            "Stored queue_log lines that could not be read",
            value=self.rejected,
        )
        lag = GaugeMetricFamily(
            "roomline_queue_log_lag_seconds", "Now minus the newest stored call line's time"
        )
        if self.lag is not None:
            lag.add_metric([], self.lag)
        yield lag


EXPORTER = CallExporter()
REGISTRY.register(EXPORTER)


async def refresh(session: AsyncSession) -> None:
    """Bring the call gauges and counters up to date."""
    await EXPORTER.refresh(session)
