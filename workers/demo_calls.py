"""A demo day of Asterisk queue_log for ``make run``, so the service-level desk has calls.

Written once per business day to ``.local/demo-queue_log-<date>`` (never rewritten: the tailer
would read a rewritten file as a new one) with calls from midnight to the moment ``make run``
starts: most answered within three rings, some late, some abandoned.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import clock

QUEUES = ("booking", "vip")
AGENTS = ("PJSIP/801", "PJSIP/802", "PJSIP/803", "PJSIP/804")


def demo_queue_log(folder: Path) -> Path:
    """The day's demo file, written if missing; returns its path."""
    today = clock.today()
    path = folder / f"demo-queue_log-{today:%Y%m%d}"
    if not path.exists():
        start = clock.start_of_local_day(today)
        path.write_text("".join(_lines(int(start.timestamp()), int(clock.now().timestamp()))))
    return path


def _lines(first: int, last: int) -> list[str]:
    rng = random.Random(first)
    lines = [(first - 60, f"{first - 60}|NONE|booking|{agent}|AGENTLOGIN|") for agent in AGENTS]
    at, n = first, 0
    while (at := at + rng.randrange(30, 240)) < last - 120:
        n += 1
        call_id, queue = f"{at}.{n}", rng.choice(QUEUES)
        caller = f"139{rng.randrange(10**8):08d}"
        lines.append((at, f"{at}|{call_id}|{queue}|NONE|ENTERQUEUE||{caller}|1"))
        wait = rng.choice((2, 4, 6, 9, 12, 14, 18, 25, 40))
        if rng.random() < 0.12:
            lines.append((at + wait, f"{at + wait}|{call_id}|{queue}|NONE|ABANDON|1|1|{wait}"))
            continue
        agent, talk = rng.choice(AGENTS), rng.randrange(60, 420)
        lines.append((at + wait, f"{at + wait}|{call_id}|{queue}|{agent}|CONNECT|{wait}|x|{wait}"))
        if at + wait + talk < last:
            end = at + wait + talk
            lines.append((end, f"{end}|{call_id}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1"))
    return [line + "\n" for _, line in sorted(lines, key=lambda pair: pair[0])]


# Issue 15: the demo's first two extensions named as the demo agents; 803 and 804 stay
# unmapped, so the admin's agents page has something to do.
DEMO_AGENT_NAMES = {"801": ("agent", "Li Na"), "802": ("agent2", "Wang Fang")}


async def map_demo_agents(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Name the demo extensions once; a name an admin changed later is kept."""
    from services.metrics.models import agent_name
    from shared.db import unit_of_work

    rows = [
        {"extension": ext, "staff_username": user, "display_name": name, "updated_by": "demo"}
        for ext, (user, name) in DEMO_AGENT_NAMES.items()
    ]
    async with unit_of_work(sessionmaker) as session:
        await session.execute(insert(agent_name).values(rows).on_conflict_do_nothing())
