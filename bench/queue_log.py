"""Queue log throughput (SL-1): parse, fold and aggregate, against a bare split of the lines.

``python -m bench.queue_log [LINES] [INTERVAL] [STRATEGY]`` (defaults 500,000, "15min" and
"rrmemory").

A realistic day is generated in memory first (not timed): three queues, 60 agents logging in,
pausing and logging off, calls from 07:00 to 23:00 Beijing with a lunch and an evening peak,
ring-no-answer rotations, abandons, timeouts, key exits and transfers, lines in time order and
ending in newlines as in the file. STRATEGY "rrmemory" rings one agent at a time (about 4.5
lines a call); "ringall" rings 8 agents at once, each unanswered ring logging a RINGNOANSWER, as
in the FreePBX sample log we hold (about 13 lines a call there).

Ours: ``figures_of_log`` on the lines (every line checked, calls folded, figures per queue,
agent and interval). Raw: a bare Python loop doing only ``line.split("|")`` on the same lines.
Each is run three times and the best run counts, so a passing hiccup of the machine does not
decide the ratio. Goal: at least 30% of raw.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime

from services.metrics.call_figures import figures_of_log, threshold_seconds

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
        started = time.perf_counter()
        run(lines)  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def raw(lines: list[str]) -> None:
    for line in lines:
        line.split("|")


def ours(lines: list[str], interval: str = "15min") -> None:
    rows, contents = figures_of_log(lines, threshold_seconds=threshold_seconds(), interval=interval)
    if contents.rejected or not rows:
        raise SystemExit(f"bench log misread: {contents.rejected[:3]}")


def main(count: int, interval: str, strategy: str) -> None:
    lines = day_of_lines(count, strategy)
    raw_seconds = best_seconds(raw, lines)
    ours_seconds = best_seconds(lambda ls: ours(ls, interval), lines)
    ratio = raw_seconds / ours_seconds
    print(f"\nqueue_log: {len(lines):,} lines ({strategy}), figures per {interval}")
    print(f"  (best of {RUNS} runs each)")
    print(f"  raw split    : {len(lines) / raw_seconds:12,.0f} lines/s  ({raw_seconds:.3f} s)")
    print(f"  roomline     : {len(lines) / ours_seconds:12,.0f} lines/s  ({ours_seconds:.3f} s)")
    print(f"  ratio        : {ratio:.1%} of raw (goal: at least 30%)")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        int(args[0]) if args else 500_000,
        args[1] if len(args) > 1 else "15min",
        args[2] if len(args) > 2 else "rrmemory",
    )
