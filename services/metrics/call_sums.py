"""The call figures read from the sums folded at ingest (SL-1, issue 19), not from the lines.

Every interval the dashboard shows (15 minutes to a month, in the business time zone) is a union
of quarter hours, so its figures are SUMs of ``call_interval`` / ``agent_interval`` rows.
"Answered within the threshold" sums the answered-per-second-of-wait counts up to the
threshold, so a changed ring cadence applies to every call at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.call_figures import AbandonedCall, IntervalFigures, Tally, row_of
from services.metrics.ingest_fold import WAIT_CAP
from services.metrics.intervals import Buckets
from services.metrics.queue_log import AGENT_EVENTS, QueueLogRecord

_INTERVAL_START = {
    "15min": "starts_at",
    "30min": "date_trunc('hour', starts_at, :tz) + CASE WHEN extract(minute FROM starts_at"
    " AT TIME ZONE :tz) >= 30 THEN interval '30 minutes' ELSE interval '0' END",
    "hour": "date_trunc('hour', starts_at, :tz)",
    "day": "date_trunc('day', starts_at, :tz)",
    "week": "date_trunc('week', starts_at, :tz)",
    "month": "date_trunc('month', starts_at, :tz)",
}
_SUMMED = (
    "offered", "answered", "abandoned", "timed_out", "exited", "answer_wait", "handled",
    "handle_seconds", "transferred", "ring_no_answer", "talk_seconds",
)  # fmt: skip


def _sums_sql(table: str, key: str, interval: str) -> Any:
    summed = ", ".join(f"sum({name})::bigint AS {name}" for name in _SUMMED)
    return text(
        f"SELECT {_INTERVAL_START[interval]} AS starts_at, {key} AS key, {summed},"
        " sum((SELECT coalesce(sum(x), 0) FROM unnest(answered_waits[1:CAST(:last AS int)])"
        " AS x))::bigint AS within, max(longest_wait) AS longest_wait"
        f" FROM metrics.{table} WHERE starts_at >= :since AND starts_at < :until"
        " GROUP BY 1, 2 HAVING sum(offered) > 0 ORDER BY 1, 2"
    )


def within_slots(threshold_seconds: float) -> int:
    """How many leading per-second slots count as within (wait <= threshold)."""
    return max(0, min(int(threshold_seconds), WAIT_CAP) + 1) if threshold_seconds >= 0 else 0


@dataclass(frozen=True, slots=True)
class SummedRow:
    starts_at: datetime  # in the business time zone
    key: str
    tally: Tally


async def summed(
    session: AsyncSession,
    *,
    agents: bool,
    interval: str,
    since: datetime,
    until: datetime,
    threshold_seconds: float,
    tz: tzinfo,
) -> list[SummedRow]:
    """Per interval and queue (or agent), the calls that entered in [since, until)."""
    table, key = ("agent_interval", "agent") if agents else ("call_interval", "queue")
    params = {
        "since": since,
        "until": until,
        "last": within_slots(threshold_seconds),
        "tz": str(tz),
    }
    result = await session.execute(_sums_sql(table, key, interval), params)
    out = []
    for row in result:
        tally = Tally()
        for name in _SUMMED:
            setattr(tally, name, int(getattr(row, name)))
        tally.within = int(row.within)
        tally.longest_wait = row.longest_wait
        if not agents:
            tally.talk_seconds = 0  # talk is an agent's figure
        out.append(SummedRow(row.starts_at.astimezone(tz), row.key, tally))
    return out


def merged(tallies: list[Tally]) -> Tally:
    """Several rows' sums as one (the all-queues total)."""
    total = Tally()
    for tally in tallies:
        for name in ("offered", "answered", "abandoned", "timed_out", "exited", "within",
                     "answer_wait", "handled", "handle_seconds", "transferred", "ring_no_answer",
                     "talk_seconds", "available_seconds"):  # fmt: skip
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        if tally.longest_wait is not None and (
            total.longest_wait is None or tally.longest_wait > total.longest_wait
        ):
            total.longest_wait = tally.longest_wait
    return total


def figures_row(
    buckets: Buckets, starts_at: datetime, queue: str | None, agent: str | None, tally: Tally
) -> IntervalFigures:
    return row_of((starts_at, queue, agent), tally, buckets)


_ABANDONED_TODAY = (
    " FROM metrics.call"
    " WHERE outcome = 'abandoned' AND entered_at >= :since AND entered_at < :until"
)
# Newest abandon first; LIMIT NULL lists them all.
_NEWEST_ABANDONED = (
    "SELECT entered_at, coalesce(ended_at, entered_at) AS abandoned_at, caller,"
    f" coalesce(wait_seconds, 0) AS wait_seconds{_ABANDONED_TODAY}"
    " ORDER BY abandoned_at DESC, queue, entered_at, call_no LIMIT :limit"
)
SELECT_ABANDONED = text(_NEWEST_ABANDONED)
SELECT_ABANDONED_COUNT = text(f"SELECT count(*){_ABANDONED_TODAY}")
_UTC_ISO = '\'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\''  # as Python's isoformat() writes UTC
SELECT_ABANDONED_JSON = text(
    "SELECT coalesce(json_agg(json_build_object("
    f"'entered_at', to_char(entered_at AT TIME ZONE 'UTC', {_UTC_ISO}),"
    f" 'abandoned_at', to_char(abandoned_at AT TIME ZONE 'UTC', {_UTC_ISO}),"
    " 'caller', caller, 'wait_seconds', wait_seconds))::text, '[]')"
    f" FROM ({_NEWEST_ABANDONED}) AS newest"
)
SELECT_UNENDED = text(
    "SELECT queue, caller, entered_at, outcome, answered_at, agent FROM metrics.call"
    " WHERE ended_at IS NULL AND entered_at >= :since AND entered_at < :until"
    " ORDER BY entered_at, call_no"
)
SELECT_AGENT_LINES = text(
    "SELECT at, call_id, queue, agent, event, data FROM metrics.call_line"
    " WHERE event IN ({}) AND at >= :since AND at < :until ORDER BY at, line_id".format(
        ", ".join(f"'{event}'" for event in sorted(AGENT_EVENTS))
    )
)
SELECT_AGENTS_SEEN = text(
    "SELECT DISTINCT ON (agent) agent, queue FROM metrics.call"
    " WHERE agent = ANY(CAST(:agents AS text[])) AND entered_at >= :since"
    " ORDER BY agent, entered_at, call_no"
)
SELECT_AGENTS_SUMMED = text(
    "SELECT DISTINCT agent FROM metrics.agent_interval WHERE starts_at >= :since"
    " AND starts_at < :until AND agent <> '' AND offered > 0"
)


async def abandoned(
    session: AsyncSession, since: datetime, until: datetime, limit: int | None
) -> list[AbandonedCall]:
    """The newest ``limit`` (None: all) abandoned calls that entered in [since, until),
    newest abandon first."""
    params = {"since": since, "until": until, "limit": limit}
    result = await session.execute(SELECT_ABANDONED, params)
    return [AbandonedCall(r.entered_at, r.abandoned_at, r.caller, r.wait_seconds) for r in result]


async def abandoned_count(session: AsyncSession, since: datetime, until: datetime) -> int:
    return int(await session.scalar(SELECT_ABANDONED_COUNT, {"since": since, "until": until}))


async def abandoned_json(
    session: AsyncSession, since: datetime, until: datetime, limit: int | None
) -> str:
    """The same list as ``abandoned``, as the JSON array the API sends, written by PostgreSQL
    (a busy day abandons tens of thousands of calls; the poll asks for the newest)."""
    params = {"since": since, "until": until, "limit": limit}
    return str(await session.scalar(SELECT_ABANDONED_JSON, params))


async def unended(session: AsyncSession, since: datetime, until: datetime) -> list[Any]:
    """Calls with no end yet (waiting, or talking) that entered in [since, until)."""
    return list(await session.execute(SELECT_UNENDED, {"since": since, "until": until}))


async def agent_lines(
    session: AsyncSession, since: datetime, until: datetime
) -> list[QueueLogRecord]:
    result = await session.execute(SELECT_AGENT_LINES, {"since": since, "until": until})
    return [
        QueueLogRecord(row.at, row.call_id, row.queue, row.agent, row.event, tuple(row.data))
        for row in result
    ]


async def agents_seen(
    session: AsyncSession, since: datetime, until: datetime, known: set[str]
) -> list[tuple[str, str]]:
    """Agents who answered calls entered since ``since`` but are not in ``known``, each with
    the queue of their first such call."""
    params = {"since": since, "until": until}
    agents = set(await session.scalars(SELECT_AGENTS_SUMMED, params)) - known
    if not agents:
        return []
    rows = await session.execute(SELECT_AGENTS_SEEN, {"agents": sorted(agents), "since": since})
    return [(row.agent, row.queue) for row in rows]
