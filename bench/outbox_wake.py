"""What a NOTIFY per commit costs booking-like writers (issue 19).

``python -m bench.outbox_wake [SECONDS] [WRITERS]``: WRITERS connections (16) each insert an
outbox-like row and commit, flat out, for SECONDS (5), into a table with the per-statement
NOTIFY trigger the first migrations created and into one without it (how the relay is woken
now: it polls the partial index). PostgreSQL takes a global lock at the commit of a
notifying transaction and holds it through the WAL flush, so notifying commits cannot share
a flush; with ``fsync`` on (``bench_infra`` runs durable) that is the difference measured.
"""

from __future__ import annotations

import asyncio
import sys
import time

import asyncpg

from bench.common import Machine, bench_infra

TABLE = """CREATE TABLE bench_wake.{name} (
    event_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    relayed_at timestamptz
)"""
TRIGGER = [
    """CREATE FUNCTION bench_wake.notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('bench_wake', 'x'); RETURN NULL; END $$""",
    """CREATE TRIGGER notify AFTER INSERT ON bench_wake.notifying
        FOR EACH STATEMENT EXECUTE FUNCTION bench_wake.notify()""",
]
PAYLOAD = '{"booking_id": "b", "nights": [1, 2], "total_sell_minor": 58000}'


async def prepare(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute("DROP SCHEMA IF EXISTS bench_wake CASCADE; CREATE SCHEMA bench_wake")
    for name in ("notifying", "polled"):
        await conn.execute(TABLE.format(name=name))
    for statement in TRIGGER:
        await conn.execute(statement)
    await conn.close()


async def writer(dsn: str, table: str, until: float, latencies: list[float]) -> None:
    conn = await asyncpg.connect(dsn)
    insert = f"INSERT INTO bench_wake.{table} (payload) VALUES ($1::jsonb)"
    while time.monotonic() < until:
        started = time.monotonic()
        async with conn.transaction():
            await conn.execute(insert, PAYLOAD)
        latencies.append(time.monotonic() - started)
    await conn.close()


async def measure(dsn: str, table: str, seconds: float, writers: int) -> str:
    listener = await asyncpg.connect(dsn)  # a relay listening, as in production
    await listener.add_listener("bench_wake", lambda *_: None)
    latencies: list[float] = []
    machine = Machine()
    until = time.monotonic() + seconds
    await asyncio.gather(*(writer(dsn, table, until, latencies) for _ in range(writers)))
    await listener.close()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    return (
        f"  {table:9}: {len(latencies) / seconds:8.0f} commits/s   p99 {p99:6.1f} ms   "
        f"{machine.line()}"
    )


async def run(dsn: str, seconds: float, writers: int) -> None:
    await prepare(dsn)
    print(f"\noutbox insert + commit, {writers} writers, {seconds:.0f} s each (fsync on)")
    for table in ("notifying", "polled", "notifying", "polled"):
        print(await measure(dsn, table, seconds, writers))


def main(seconds: float, writers: int) -> None:
    with bench_infra() as infra:
        asyncio.run(run(infra.database_url.replace("+asyncpg", ""), seconds, writers))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(float(args[0]) if args else 5.0, int(args[1]) if len(args) > 1 else 16)
