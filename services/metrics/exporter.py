"""Call figures as Prometheus metrics (SL-1), refreshed from the database at scrape time.

``refresh(session)`` runs before every /sla/metrics scrape; a custom collector then yields the
values it read, so nothing here is counted by the request that happened to see a call.

- Counters and histograms (labels: queue) are the per-queue totals the ingest fold keeps in
  ``metrics.call_total`` (issue 19), in the transaction that stores the lines: a scrape reads a
  few rows, a second scrape or a restarted process reads the same totals, and nothing is
  counted twice. A call is counted as offered when its outcome is known: answered at CONNECT
  (with its wait), abandoned, timed out or exited when it leaves the queue; its handle time is
  observed when the talk ends. "Within threshold" sums the answered calls per second of wait
  up to the threshold configured now (ring_count × (ring_on + ring_off),
  ``call_figures.threshold_seconds``), so a changed cadence applies to every call.

  * ``roomline_calls_offered_total`` / ``…_answered_total`` / ``…_abandoned_total`` /
    ``…_answered_within_threshold_total``
  * ``roomline_call_wait_seconds``: every offered call's wait (answered: until the answer;
    others: until they left the queue)
  * ``roomline_call_handle_seconds``: talk time of answered calls whose talk ended
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
from services.metrics.call_sums import within_slots
from services.metrics.ingest_fold import HANDLE_BOUNDS
from services.metrics.settings import MetricsSettings
from shared.clock import clock

# Bucket bounds (seconds). Wait: around the 15 s threshold; handle: around SL-2's 3–5 minutes.
WAIT_BUCKETS = (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 120.0, 300.0)
HANDLE_BUCKETS = tuple(float(bound) for bound in HANDLE_BOUNDS)

SELECT_TOTALS = text(
    "SELECT queue, offered, answered, abandoned, answered_waits, offered_waits, wait_sum,"
    " handle_counts, handle_sum FROM metrics.call_total"
)
SELECT_STATE = text(
    "SELECT (SELECT max(at) FROM metrics.call_line) AS newest,"
    " (SELECT count(*) FROM metrics.rejected_line) AS rejected"
)


@dataclass
class _Histogram:
    """Cumulative (le, count) pairs ending with +Inf, as Prometheus expects, and the sum."""

    buckets: list[tuple[str, float]]
    total: float


def _cumulative(bounds: tuple[float, ...], counts: list[int], total: float) -> _Histogram:
    """``counts[i]``: observations in slot i (``slot_of``); cumulated per bound."""
    out, running = [], 0
    for index, bound in enumerate((*bounds, float("inf"))):
        running += counts[index] if index < len(counts) else 0
        out.append(("+Inf" if bound == float("inf") else f"{bound:g}", float(running)))
    return _Histogram(out, total)


def _wait_histogram(per_second: list[int], total: float) -> _Histogram:
    """Waits counted per second (the last slot holds every longer one) into the buckets."""
    slots = [0] * (len(WAIT_BUCKETS) + 1)
    for wait, count in enumerate(per_second):
        slot = next((i for i, bound in enumerate(WAIT_BUCKETS) if wait <= bound), len(WAIT_BUCKETS))
        slots[slot] += count
    return _cumulative(WAIT_BUCKETS, slots, total)


@dataclass
class _QueueTotals:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within: int = 0
    wait: _Histogram = field(default_factory=lambda: _cumulative(WAIT_BUCKETS, [], 0.0))
    handle: _Histogram = field(default_factory=lambda: _cumulative(HANDLE_BUCKETS, [], 0.0))


class CallExporter(Collector):
    """Reads the call totals folded at ingest and yields the call metrics (SL-1)."""

    def __init__(self, settings: MetricsSettings | None = None) -> None:
        self.settings = settings
        self.lock = asyncio.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget what was read (the next refresh reads it all again)."""
        self.totals: dict[str, _QueueTotals] = {}
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
            within = within_slots(self.threshold())
            totals = {}
            for row in await session.execute(SELECT_TOTALS):
                totals[row.queue] = _QueueTotals(
                    offered=row.offered,
                    answered=row.answered,
                    abandoned=row.abandoned,
                    within=sum(row.answered_waits[:within]),
                    wait=_wait_histogram(row.offered_waits, float(row.wait_sum)),
                    handle=_cumulative(HANDLE_BUCKETS, row.handle_counts, float(row.handle_sum)),
                )
            self.totals = totals
            self.rejected = int(state.rejected or 0)
            newest = state.newest
            self.lag = None if newest is None else (clock.now() - newest).total_seconds()
            await self._today(session)

    async def _today(self, session: AsyncSession) -> None:
        settings = self.settings or MetricsSettings()
        today = await dashboard.today(session, dashboard.Threshold.of(settings), worklist=0)
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
                histogram.add_metric([queue], values.buckets, values.total)
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
