"""Issue 19 (SL-1): the figures summed at ingest are the figures the reference fold computes
from the lines, figure for figure.

A generated day (bench/queue_log's: three queues, 60 agents logging in, pausing and off,
ring-no-answer rotations, abandons, timeouts, key exits, transfers) plus awkward calls (one
entering before midnight and answered after, one whose ENTERQUEUE predates the log, one that
re-enters without an exit, one still talking, one still waiting) is stored through the real
tailer in small batches, so many calls span two or more batches. Today's dashboard and the
history at every interval are then computed both ways: from the sums (``dashboard``) and by
folding every line again (``reference_dashboard``, the code before issue 19).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.queue_log import DAY_START, day_of_lines
from services.metrics import dashboard, tailer
from services.metrics.call_figures import IntervalFigures
from services.metrics.refold import refold
from services.metrics.settings import MetricsSettings
from services.metrics.tailer import QueueLogTailer
from shared.clock import clock
from tests.services.metrics import reference_dashboard

DAY = date(2026, 6, 10)
NOW = datetime.fromtimestamp(DAY_START + 23 * 3600 + 50 * 60, UTC)  # 23:50 in Beijing
T = int(NOW.timestamp())


def awkward() -> list[str]:
    midnight = DAY_START
    return [
        f"{midnight - 10}|m1|booking|NONE|ENTERQUEUE||13800000000|1",
        f"{midnight + 5}|m1|booking|Agent/1001|CONNECT|15|m1b|3",
        f"{midnight + 65}|m1|booking|Agent/1001|COMPLETECALLER|15|60|1",
        # The log began during this call: entry worked back from the logged wait.
        f"{midnight + 600}|p1|confirm|Agent/1002|CONNECT|12|p1b|2",
        f"{midnight + 700}|p1|confirm|Agent/1002|COMPLETEAGENT|12|100|1",
        # Re-entered without a logged exit: the first stay is kept as it was (waiting).
        f"{midnight + 3600}|r1|members|NONE|ENTERQUEUE||13911112222|1",
        f"{midnight + 3700}|r1|members|NONE|ENTERQUEUE||13911112222|1",
        f"{midnight + 3710}|r1|members|NONE|ABANDON|1|1|10",
        f"{T - 200}|t1|booking|NONE|ENTERQUEUE||13633334444|1",
        f"{T - 190}|t1|booking|Agent/1003|CONNECT|10|t1b|1",
        f"{T - 30}|w1|members|NONE|ENTERQUEUE||13577778888|1",
    ]


def the_day() -> list[str]:
    lines = [line.rstrip("\n") for line in day_of_lines(30_000, "ringall", seed=19)]
    return sorted(lines + awkward(), key=lambda line: int(line.split("|", 1)[0]))


@pytest.fixture
async def stored(tmp_path: Path, sessionmaker, monkeypatch) -> list[str]:
    clock.set_now(NOW)
    monkeypatch.setattr(tailer, "BATCH_LINES", 997)  # calls span batches
    lines = the_day()
    path = tmp_path / "queue_log"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    reader = QueueLogTailer(path, sessionmaker)
    try:
        while await reader.poll_once():
            pass
    finally:
        reader.close()
    yield lines
    clock.set_now(None)


def plain(rows: list[IntervalFigures]) -> list[IntervalFigures]:
    """The rows without their abandoned-call lists (the worklist is compared on its own)."""
    return [dataclasses.replace(row, abandoned_calls=()) for row in rows]


THRESHOLDS = [dashboard.Threshold.of(MetricsSettings()), dashboard.Threshold(2, 1.0, 4.0, 0.8)]


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=["3 rings", "2 rings"])
async def test_issue19_today_summed_at_ingest_equals_the_reference_fold(
    stored, sessionmaker, threshold
) -> None:
    async with sessionmaker() as session:
        summed = await dashboard.today(session, threshold, worklist=None)  # every call
        folded = await reference_dashboard.today(session, threshold)
    assert summed.day == folded.day == DAY
    assert len(summed.queues) == 4 and summed.queues[0].offered > 300
    assert plain(summed.queues) == plain(folded.queues)
    assert summed.waiting == folded.waiting and len(summed.waiting) == 2  # w1, r1's first stay
    assert summed.agents == folded.agents
    assert any(agent.state == "on a call" for agent in summed.agents)  # t1
    assert len(summed.agent_figures) == 60
    assert plain(summed.agent_figures) == plain(folded.agent_figures)

    def key(item):
        return (item.abandoned_at, item.entered_at, item.caller, item.wait_seconds)

    assert sorted(summed.abandoned, key=key) == sorted(folded.abandoned, key=key)
    assert [a.abandoned_at for a in summed.abandoned] == [a.abandoned_at for a in folded.abandoned]
    assert summed.abandoned_total == len(folded.abandoned) > 10
    async with sessionmaker() as session:  # the API's worklist, written as JSON by PostgreSQL
        listed = json.loads(await dashboard.abandoned_json(session, DAY, None))
    expected = [
        {
            "entered_at": item.entered_at.isoformat(),
            "abandoned_at": item.abandoned_at.isoformat(),
            "caller": item.caller,
            "wait_seconds": item.wait_seconds,
        }
        for item in folded.abandoned
    ]
    assert sorted(listed, key=json.dumps) == sorted(expected, key=json.dumps)
    assert [item["abandoned_at"] for item in listed] == [item["abandoned_at"] for item in expected]


@pytest.mark.parametrize("interval", ["15min", "hour", "day", "week", "month"])
async def test_issue19_history_summed_at_ingest_equals_the_reference_fold(
    stored, sessionmaker, interval
) -> None:
    threshold = THRESHOLDS[0]
    first, last = date(2026, 6, 9), date(2026, 6, 11)
    async with sessionmaker() as session:
        summed = await dashboard.history(session, threshold, interval, first, last)
        folded = await reference_dashboard.history(session, threshold, interval, first, last)
    assert plain(summed.rows) == plain(folded.rows)
    assert plain(summed.totals) == plain(folded.totals)
    assert sum(row.offered for row in summed.totals) > 1000


async def test_issue19_a_call_spanning_batches_is_one_row_counted_once(
    stored, sessionmaker
) -> None:
    async with sessionmaker() as session:
        calls = await session.scalar(text("SELECT count(*) FROM metrics.call"))
        distinct = await session.scalar(text("SELECT count(DISTINCT call_id) FROM metrics.call"))
        open_twice = await session.scalar(
            text(
                "SELECT count(*) FROM (SELECT call_id FROM metrics.call WHERE is_open"
                " GROUP BY call_id HAVING count(*) > 1) AS twice"
            )
        )
        offered = await session.scalar(text("SELECT sum(offered) FROM metrics.call_interval"))
        outcomes = await session.scalar(
            text("SELECT count(*) FROM metrics.call WHERE outcome <> 'waiting'")
        )
    assert calls == distinct + 1  # r1 stayed twice
    assert open_twice == 0
    assert offered == outcomes  # every call with an outcome offered exactly once


async def test_issue19_refolding_the_stored_lines_gives_the_same_calls_and_sums(
    stored, sessionmaker
) -> None:
    """``python -m services.metrics.refold`` (after the migration, on lines stored before it)
    rebuilds exactly what the tailer folded batch by batch."""
    snapshot = {
        "calls": "SELECT call_id, queue, caller, outcome, entered_at, entry_logged, wait_seconds,"
        " answered_at, agent, talk_seconds, ended_at, transferred, ring_no_answer, is_open"
        " FROM metrics.call ORDER BY entered_at, call_id, ended_at NULLS LAST",
        "queues": "SELECT * FROM metrics.call_interval ORDER BY starts_at, queue",
        "agents": "SELECT * FROM metrics.agent_interval ORDER BY starts_at, agent",
        "totals": "SELECT * FROM metrics.call_total ORDER BY queue",
    }

    async def read() -> dict[str, list[tuple]]:
        async with sessionmaker() as session:
            return {
                name: [tuple(row) for row in await session.execute(text(sql))]
                for name, sql in snapshot.items()
            }

    before = await read()
    async with sessionmaker() as session, session.begin():
        assert await refold(session) == len(stored)
    assert await read() == before
    assert len(before["calls"]) > 1000
