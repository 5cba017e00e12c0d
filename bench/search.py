"""The agents' search (IN-2, IN-3) through the real HTTP app, over 2,000 hotels × 365 nights.

``python -m bench.search [SECONDS] [CONNECTIONS] [PROCESSES]`` (defaults 10, 4 and 2). Run by
hand, never in tests. The fixture comes from ``bench/search_data.py`` (COPY into intake's
projection); the app runs as ``uvicorn workers.web:app --workers PROCESSES`` (one web process a
core on this 2-core machine, as ``bench/ledger.py`` runs it) and the load comes from ``wrk``
(``bench/wrk/search.lua``, cycling through 1,000 generated queries), on the same machine.
Queries are what agents ask: a city weighted by its hotel count, check-in within 300 days, 1-5
nights, mostly one room, about half with filters (district, a name in Chinese / pinyin /
initials / English, stars, a price band), one in ten on page 2. Each query is timed from
request to the last byte: one at a time; arriving at random at about 20 a second (4
connections, each pausing an exponential time between searches, sized from the one-at-a-time
answer time so that the four together ask 20 a second: 600 agents each searching about every
30 s); and with CONNECTIONS agents searching flat out. Both the JSON API and the page's HTML
fragment.

Goal: p95 under 100 ms at 20 a second and with 4 agents flat out.
"""

from __future__ import annotations

import asyncio
import functools
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.booking import start
from bench.common import bench_infra, wrk
from bench.search_data import Fixture, generate

PATHS = {"JSON /intake/api/search": "/intake/api/search", "HTML fragment": "/intake/search/results"}
# A busy call centre: 600 agents on the phone, each searching about every 30 seconds.
RATE = 20.0
PACED = 4  # connections sharing that rate


def _name_fragment(rng: random.Random, fixture: Fixture, city: str) -> str:
    """Part of a real hotel's name, the way an agent would type it."""
    name_zh, name_en, pinyin, initials = rng.choice(fixture.names[city])
    return rng.choice(
        [name_zh[: rng.randint(2, 4)], name_en.split()[0], pinyin[: rng.randint(4, 10)],
         initials[: rng.randint(2, 4)]]
    )  # fmt: skip


def _filters(rng: random.Random, fixture: Fixture, city: str) -> dict[str, str]:
    if rng.random() < 0.5:
        return {}
    chosen: dict[str, str] = {}
    if rng.random() < 0.3:
        chosen["district"] = rng.choice(fixture.districts[city])
    if rng.random() < 0.3:
        chosen["name"] = _name_fragment(rng, fixture, city)
    if (roll := rng.random()) < 0.2:
        chosen["star"] = str(rng.randint(3, 5))
    elif roll < 0.4:
        chosen["star_min"] = str(rng.randint(3, 4))
    if rng.random() < 0.35:
        low = rng.choice([0, 200, 300, 500, 800])
        chosen.update(price_min=str(low), price_max=str(low + rng.choice([200, 400, 800])))
    return chosen or {"star_min": "4"}


def queries(fixture: Fixture, count: int, seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    cities = [city for city, _ in fixture.cities]
    weights = [hotels for _, hotels in fixture.cities]
    made = []
    for _ in range(count):
        city = rng.choices(cities, weights)[0]
        check_in = fixture.first_night + timedelta(days=rng.randint(0, 300))
        nights = rng.choices([1, 2, 3, 4, 5], [35, 30, 15, 12, 8])[0]
        query = {
            "city": city,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(),
            "rooms": str(rng.choices([1, 2, 3], [80, 15, 5])[0]),
            **_filters(rng, fixture, city),
        }
        if rng.random() < 0.1:
            query["page"] = "2"
        made.append(query)
    return made


def _paths_file(path: str, batch: list[dict[str, str]]) -> str:
    """The queries as request lines for wrk, one a line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as lines:
        lines.writelines(f"{path}?{urlencode(params)}\n" for params in batch)
    return lines.name


def load(
    base_url: str,
    paths_file: str,
    headers: str,
    *,
    seconds: int,
    connections: int,
    mean_delay_ms: float = 0,
) -> dict[str, float | str]:
    """wrk searches for ``seconds``; ``mean_delay_ms`` > 0 paces each connection (open loop
    enough for the call centre's rate: the answers do not hold the next arrival back)."""
    env = {"BENCH_PATHS_FILE": paths_file, "BENCH_HEADERS": headers,
           "BENCH_DELAY_MS": str(mean_delay_ms)}  # fmt: skip
    return wrk(base_url, "search.lua", seconds=seconds, connections=connections, env=env)


def _print(label: str, how: str, result: dict[str, Any]) -> None:
    ms = {k: result[k] * 1000 for k in ("p50", "p95", "p99")}
    verdict = "✔" if ms["p95"] < 100 else "✘"
    print(
        f"  {label:24} {how:14} {result['per_second']:6.1f}/s  p50 {ms['p50']:6.1f} ms  "
        f"p95 {ms['p95']:6.1f} ms {verdict}  p99 {ms['p99']:6.1f} ms  {result['machine']}"
    )


async def _shape(client: httpx.AsyncClient, batch: list[dict[str, str]]) -> str:
    """What the queries returned, so the figures can be read (not timed)."""
    offers = alternatives = empty = 0
    for params in batch[:200]:
        body: Any = (await client.get(PATHS["JSON /intake/api/search"], params=params)).json()
        offers += len(body["offers"])
        alternatives += len(body["alternatives"])
        empty += body["total"] == 0
    n = min(len(batch), 200)
    plain = {"city", "check_in", "check_out", "rooms"}
    narrowed = sum(bool(set(query) - plain) for query in batch) / len(batch)
    return (
        f"{offers / n:.1f} offers and {alternatives / n:.1f} hotels with alternatives a page, "
        f"{empty / n:.0%} empty, {narrowed:.0%} with filters or on page 2"
    )


def _pause_ms(alone_per_second: float) -> float:
    """Each paced connection's mean pause, so that PACED of them ask RATE a second in all
    (less the mean answer time one at a time: a connection waits for its answer too)."""
    return max(1.0, (PACED / RATE - 1 / alone_per_second) * 1000)


async def measure(seconds: int, connections: int, processes: int) -> None:
    from shared.auth import SESSION_COOKIE, Role
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.clients import StaffClient, create_user

    started = time.perf_counter()
    fixture = await generate(os.environ["DATABASE_URL"])
    print(
        f"fixture: 2,000 hotels × {fixture.nights} nights in {time.perf_counter() - started:.0f} s"
    )
    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_user(session, "benchagent", Role.AGENT)
    await engine.dispose()
    app = ["uvicorn", "workers.web:app", "--log-level", "warning", "--no-access-log"]
    server, base_url = start([*app, "--workers", str(processes)])
    print(f"{processes} web processes, wrk from the same machine")
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            await StaffClient(http).login("benchagent")
            headers = f"Cookie: {SESSION_COOKIE}={http.cookies[SESSION_COOKIE]}"
            batch = queries(fixture, 1000)
            print(await _shape(http, batch))
        for label, path in PATHS.items():
            lines = _paths_file(path, batch)
            run = functools.partial(load, base_url, lines, headers, seconds=seconds)
            run(connections=2)  # warm up
            alone = run(connections=1)
            _print(label, "one at a time", alone)
            pause = _pause_ms(float(alone["per_second"]))
            _print(label, f"~{RATE:.0f}/s arriving", run(connections=PACED, mean_delay_ms=pause))
            _print(label, f"{connections} flat out", run(connections=connections))
            os.unlink(lines)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(seconds: int, connections: int, processes: int) -> None:
    with bench_infra():
        asyncio.run(measure(seconds, connections, processes))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        int(sys.argv[2]) if len(sys.argv) > 2 else 4,
        int(sys.argv[3]) if len(sys.argv) > 3 else 2,
    )
