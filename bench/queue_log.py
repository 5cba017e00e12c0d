"""Queue log (SL-1, issue 19): parse + fold at ingest against a bare split, today's dashboard
with a day of lines stored, and a year of history.

``python -m bench.queue_log [LINES] [STRATEGY] [STORED_LINES]`` (defaults 500,000, "rrmemory",
1,000,000).

A realistic day is generated in memory first (not timed): three queues, 60 agents logging in,
pausing and logging off, calls from 07:00 to 23:00 Beijing with a lunch and an evening peak,
ring-no-answer rotations, abandons, timeouts, key exits and transfers, lines in time order and
ending in newlines as in the file. STRATEGY "rrmemory" rings one agent at a time (about 4.5
lines a call); "ringall" rings 8 agents at once, each unanswered ring logging a RINGNOANSWER, as
in the FreePBX sample log we hold (about 13 lines a call there).

1. Parse + fold, in memory: what the tailer's Python does with a batch before PostgreSQL sees
   it (``ingest_fold``: every line checked, calls folded, the quarter-hour sums' deltas made)
   against a bare ``line.split("|")`` loop on the same lines; best of three runs each. Goal: at
   least 30% of the split. The fold before issue 19 (``figures_of_log``) is printed beside.
2. A day of STORED_LINES lines stored through the real tailer into a durable PostgreSQL (lines
   per second stored and folded), then ``GET /sla/api/today`` through the real app (uvicorn,
   one process), sequential requests from httpx: p50 / p95. Goal: p95 under 100 ms.
3. A year of quarter-hour sums seeded (365 days × 96 quarters × 3 queues), then
   ``GET /sla/api/history`` for the year per day and per month. Goal: under 1 s.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bench.common import Machine, bench_infra
from services.metrics.call_figures import collector_paused, figures_of_log, threshold_seconds
from services.metrics.ingest_fold import IngestFold, fold_sums

QUEUES = ("booking", "confirm", "members")
AGENTS = [f"Agent/{1001 + n}" for n in range(60)]
RUNS = 3
# 2026-06-10 00:00 in Beijing.
DAY_START = int(datetime(2026, 6, 9, 16, 0, tzinfo=UTC).timestamp())


def _call_lines(rng: random.Random, n: int, entered: int, ring_group: int) -> list[tuple[int, str]]:
    """One call's lines as (epoch, line)."""
    call_id, queue = f"{entered}.{n}", rng.choice(QUEUES)
    caller = f"1{rng.randrange(10**9, 10**10)}"
    head = f"{call_id}|{queue}"
    out = [(entered, f"{entered}|{head}|NONE|ENTERQUEUE||{caller}|1")]
    at = entered
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5))):  # agents who let it ring
        at += 15
        for agent in rng.sample(AGENTS, ring_group):
            out.append((at, f"{at}|{head}|{agent}|RINGNOANSWER|15000"))
    at += rng.randrange(1, 20)
    wait, roll, agent = at - entered, rng.random(), rng.choice(AGENTS)
    if roll < 0.80:
        talk = rng.randrange(30, 400)
        out.append((at, f"{at}|{head}|{agent}|CONNECT|{wait}|{call_id}9|{rng.randrange(1, 9)}"))
        end = rng.choice(("COMPLETECALLER", "COMPLETEAGENT", "COMPLETECALLER", "TRANSFER"))
        extra = "8001|from-internal|" if end == "TRANSFER" else ""
        out.append((at + talk, f"{at + talk}|{head}|{agent}|{end}|{extra}{wait}|{talk}|1"))
    elif roll < 0.93:
        out.append((at, f"{at}|{head}|NONE|ABANDON|1|2|{wait}"))
    elif roll < 0.97:
        out.append((at, f"{at}|{head}|NONE|EXITWITHTIMEOUT|1|1|{wait}"))
    else:
        out.append((at, f"{at}|{head}|NONE|EXITWITHKEY|0|1|1|{wait}"))
    return out


def _agent_lines(rng: random.Random) -> list[tuple[int, str]]:
    out = []
    for agent in AGENTS:
        login = DAY_START + rng.randrange(6 * 3600, 14 * 3600)
        pause = login + rng.randrange(3600, 4 * 3600)
        logoff = login + 8 * 3600
        out += [
            (login, f"{login}|NONE|NONE|{agent}|AGENTLOGIN|SIP/{agent[-4:]}"),
            (pause, f"{pause}|NONE|NONE|{agent}|PAUSEALL|lunch"),
            (pause + 1800, f"{pause + 1800}|NONE|NONE|{agent}|UNPAUSEALL|"),
            (logoff, f"{logoff}|NONE|NONE|{agent}|AGENTLOGOFF|SIP/{agent[-4:]}|28800"),
        ]
    return out


def day_of_lines(count: int, strategy: str = "rrmemory", seed: int = 7) -> list[str]:
    """About ``count`` lines of one day, sorted by time, newline-terminated."""
    rng = random.Random(seed)
    ring_group = {"rrmemory": 1, "ringall": 8}[strategy]
    timed = _agent_lines(rng)
    n = 0
    while len(timed) < count:
        hour = rng.choices(range(7, 23), weights=[2, 4, 6, 6, 5, 3, 5, 6, 5, 4, 3, 4, 5, 4, 2, 1])
        entered = DAY_START + hour[0] * 3600 + rng.randrange(3600)
        timed += _call_lines(rng, n, entered, ring_group)
        n += 1
    timed.sort(key=lambda pair: pair[0])
    return [line + "\n" for _, line in timed]


def best_seconds(run: object, lines: list[str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        run(lines)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def raw(lines: list[str]) -> None:
    for line in lines:
        line.split("|")


def ours(lines: list[str]) -> None:
    """The tailer's Python on a batch: check, fold, sums' deltas (no open call to load)."""
    with collector_paused():  # as the tailer runs it
        fold = IngestFold()
        fold.read_lines(lines)
        fold.resume([])
        calls, sums = fold_sums(fold)
    if fold.rejected or not calls or not sums.queues:
        raise SystemExit(f"bench log misread: {fold.rejected[:3]}")


def before(lines: list[str]) -> None:
    figures_of_log(lines, threshold_seconds=threshold_seconds(), interval="15min")


def parse_and_fold(count: int, strategy: str) -> None:
    lines = day_of_lines(count, strategy)
    machine = Machine()
    raw_seconds = best_seconds(raw, lines)
    ours_seconds = best_seconds(ours, lines)
    before_seconds = best_seconds(before, lines)
    print(f"\nqueue_log: {len(lines):,} lines ({strategy}), best of {RUNS} runs each")
    print(f"  raw split         : {len(lines) / raw_seconds:12,.0f} lines/s  ({raw_seconds:.3f} s)")
    print(
        f"  ingest fold       : {len(lines) / ours_seconds:12,.0f} lines/s  ({ours_seconds:.3f} s)"
    )
    print(f"  before (re-fold)  : {len(lines) / before_seconds:12,.0f} lines/s")
    print(f"  ratio             : {raw_seconds / ours_seconds:.1%} of raw (goal: at least 30%)")
    print(f"  before, ratio     : {raw_seconds / before_seconds:.1%}   {machine.line()}")


async def store_day(path: Path, count: int) -> None:
    """The day's file through the real tailer; then a year of sums before it."""
    from services.metrics.tailer import QueueLogTailer
    from shared.db import make_engine, make_sessionmaker

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    machine, started = Machine(), time.perf_counter()
    tailer = QueueLogTailer(path, make_sessionmaker(engine))
    taken = 0
    while taken_now := await tailer.poll_once():
        taken += taken_now
    tailer.close()
    seconds = time.perf_counter() - started
    print(f"\nstored and folded {taken:,} lines in {seconds:.1f} s"
          f" ({taken / seconds:,.0f} lines/s)   {machine.line()}")  # fmt: skip
    async with engine.begin() as connection:
        await connection.execute(text(SEED_YEAR))
    await engine.dispose()


# A year before the bench day: every quarter hour of every queue, 40 calls offered.
SEED_YEAR = """
INSERT INTO metrics.call_interval (starts_at, queue, offered, answered, abandoned, timed_out,
  exited, answered_waits, answer_wait, longest_wait, handled, handle_seconds, transferred,
  ring_no_answer, talk_seconds)
SELECT at, queue, 40, 32, 5, 2, 1, ARRAY[3, 4, 5, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1],
  200, 60, 32, 6400, 2, 30, 0
FROM generate_series(timestamptz '2025-06-10 00:00+08', timestamptz '2026-06-09 23:45+08',
  interval '15 minutes') AS at, unnest(ARRAY['booking', 'confirm', 'members']) AS queue
ON CONFLICT DO NOTHING
"""


async def _timed_gets(http: object, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = await http.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
        if answer.status_code != 200:
            raise SystemExit(f"{url}: {answer.status_code} {answer.text[:200]}")
    return sorted(times)


async def _worklist_ms() -> float:
    """Median of the worklist's query (the JSON PostgreSQL writes), straight from the database."""
    from datetime import date

    from services.metrics import dashboard
    from shared.db import make_engine, make_sessionmaker

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    times = []
    async with make_sessionmaker(engine)() as session:
        for _ in range(21):
            started = time.perf_counter()
            await dashboard.abandoned_json(session, date(2026, 6, 10), dashboard.WORKLIST)
            times.append(time.perf_counter() - started)
    await engine.dispose()
    return sorted(times)[10] * 1000


async def serve_and_measure(requests: int) -> None:
    import httpx

    from bench.booking import start
    from shared.auth import Role
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.clients import StaffClient, create_user

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_user(session, "benchgm", Role.GENERAL_MANAGER)
    await engine.dispose()
    app = ["uvicorn", "workers.web:app", "--log-level", "warning", "--no-access-log"]
    server, base_url = start([*app, "--workers", "1"])
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
            await StaffClient(http).login("benchgm")
            body = (await http.get("/sla/api/today")).json()
            total = body["queues"][-1]
            print(f"today: {total['offered']:,} calls offered, {len(body['abandoned']):,}"
                  f" abandoned listed, {len(body['agents'])} agents")  # fmt: skip
            await _timed_gets(http, "/sla/api/today", 5)  # warm up
            machine = Machine()
            times = await _timed_gets(http, "/sla/api/today", requests)
            p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
            print(f"  GET /sla/api/today x{requests}: p50 {p50 * 1000:.0f} ms,"
                  f" p95 {p95 * 1000:.0f} ms (goal p95 < 100 ms)   {machine.line()}")  # fmt: skip
            size = len((await http.get("/sla/api/today")).content)
            print(f"    of which the abandoned worklist's query: {await _worklist_ms():.0f} ms"
                  f" (the answer is {size:,} bytes)")  # fmt: skip
            for interval in ("day", "month"):
                url = f"/sla/api/history?interval={interval}&from=2025-06-10&to=2026-06-09"
                machine = Machine()
                times = await _timed_gets(http, url, 5)
                median, worst = times[2] * 1000, times[-1] * 1000
                print(f"  history, a year per {interval}: median {median:.0f} ms,"
                      f" worst {worst:.0f} ms (goal < 1 s)   {machine.line()}")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(count: int, strategy: str, stored: int) -> None:
    parse_and_fold(count, strategy)
    if not stored:
        return
    # The bench day's 23:50 in Beijing: "today" is the day stored.
    os.environ["ROOMLINE_FROZEN_NOW"] = "2026-06-10T23:50:00+08:00"
    with bench_infra(), tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "queue_log"
        path.write_text("".join(day_of_lines(stored, seed=11)), encoding="utf-8")
        asyncio.run(store_day(path, stored))
        asyncio.run(serve_and_measure(200))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        int(args[0]) if args else 500_000,
        args[1] if len(args) > 1 else "rrmemory",
        int(args[2]) if len(args) > 2 else 1_000_000,
    )
