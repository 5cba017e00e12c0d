"""The agents' search (IN-2, IN-3) through the real HTTP app, over 2,000 hotels × 365 nights.

``python -m bench.search [QUERIES] [CONCURRENCY]`` (defaults 1000 and 4). Run by hand, never in
tests. The fixture comes from ``bench/search_data.py`` (COPY into intake's projection); the app
runs as its own uvicorn process (``workers.run --no-workers --no-relay``) and the load comes
from this process, on the same machine. Queries are what agents ask: a city weighted by its
hotel count, check-in within 300 days, 1-5 nights, mostly one room, about half with filters
(district, a name in Chinese / pinyin / initials / English, stars, a price band), one in ten on
page 2. Each query is timed from request to the last byte: one at a time; arriving at random
at 10 a second (300 agents each searching about every 30 s); and with CONCURRENCY agents
searching flat out (the capacity of one web process on this machine). Both the JSON API and
the page's HTML fragment.

Goal: p95 under 100 ms at the call centre's pace.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

import httpx

from bench.booking import start
from bench.common import bench_infra
from bench.search_data import Fixture, generate

PATHS = {"JSON /intake/api/search": "/intake/api/search", "HTML fragment": "/intake/search/results"}
# A busy call centre: 300 agents on the phone, each searching about every 30 seconds.
RATE = 10.0


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


async def _timed(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = await client.get(path, params=params)
    assert response.status_code == 200, (params, response.text[:300])
    return time.perf_counter() - started


def _figures(latencies: list[float], seconds: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "per_second": len(latencies) / seconds,
        "p50": statistics.median(latencies),
        "p95": cuts[94],
        "p99": cuts[98],
    }


async def load(
    client: httpx.AsyncClient, path: str, batch: list[dict[str, str]], concurrency: int
) -> dict[str, float]:
    """Closed loop: ``concurrency`` agents, each searching again as soon as answered."""
    latencies: list[float] = []
    waiting = list(reversed(batch))

    async def agent() -> None:
        while waiting:
            latencies.append(await _timed(client, path, waiting.pop()))

    started = time.perf_counter()
    await asyncio.gather(*(agent() for _ in range(concurrency)))
    return _figures(latencies, time.perf_counter() - started)


async def paced(
    client: httpx.AsyncClient, path: str, batch: list[dict[str, str]], rate: float
) -> dict[str, float]:
    """Open loop: searches arrive at ``rate`` a second at random (Poisson), answered or not,
    as a call centre's agents do; latency then includes any queueing behind one another."""
    rng = random.Random(5)
    started = time.perf_counter()
    tasks, due = [], 0.0
    for params in batch:
        due += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, started + due - time.perf_counter()))
        tasks.append(asyncio.create_task(_timed(client, path, params)))
    latencies = list(await asyncio.gather(*tasks))
    return _figures(latencies, time.perf_counter() - started)


def _print(label: str, how: str, result: dict[str, float]) -> None:
    ms = {k: result[k] * 1000 for k in ("p50", "p95", "p99")}
    verdict = "✔" if ms["p95"] < 100 else "✘"
    print(
        f"  {label:24} {how:14} {result['per_second']:6.1f}/s  p50 {ms['p50']:6.1f} ms  "
        f"p95 {ms['p95']:6.1f} ms {verdict}  p99 {ms['p99']:6.1f} ms"
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


async def measure(count: int, concurrency: int) -> None:
    from shared.auth import Role
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
    server, base_url = start(["workers.run", "--no-workers", "--no-relay"])
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            await StaffClient(http).login("benchagent")
            batch = queries(fixture, count)
            await load(http, PATHS["JSON /intake/api/search"], queries(fixture, 100, seed=3), 2)
            print(await _shape(http, batch))
            for label, path in PATHS.items():
                _print(label, "one at a time", await load(http, path, batch, 1))
                _print(label, f"{RATE:.0f}/s arriving", await paced(http, path, batch, RATE))
                how = f"{concurrency} flat out"
                _print(label, how, await load(http, path, batch, concurrency))
    finally:
        server.terminate()


def main(count: int, concurrency: int) -> None:
    with bench_infra():
        asyncio.run(measure(count, concurrency))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 4,
    )
