"""Rate and allotment sheet import throughput, against a raw COPY of the same rows (HR-2).

``python -m bench.rates_import [HOTELS] [NIGHTS]`` (defaults 200 and 365: 200 hotels × 5 room
types × 365 nights = 365,000 rows, each setting one night's rooms, net and sell).

Ours: the CSV is stored as an import job and run through ``import_jobs.run_import`` (COPY into
the staging table, checked in SQL, applied set-based in one transaction with one audit row and
one outbox event per hotel; issue 19), and the clock stops when intake's projection holds every
night's allotment and price (events through the relay and intake's arq worker, as in
production). The HTTP upload cap is lifted for the run.
Raw: PostgreSQL ``COPY`` of the same CSV into a bare table, in the same database.
Both lines print the machine's load average and CPU steal over their own run.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
import time
import uuid
from datetime import timedelta

import asyncpg

from bench.common import Machine, bench_infra
from shared.auth import Staff

ROOM_TYPES = 5
HEADER = "hotel_id,room_type,rate_plan,first_night,last_night,rooms,net,sell\n"


async def set_up_hotels(count: int) -> list[uuid.UUID]:
    """Hotels with ROOM_TYPES room types and one rate plan each, through the service."""
    from services.contracts.hotels import service
    from services.contracts.hotels.schemas import HotelIn, RatePlanIn, RoomTypeIn
    from shared.db import make_engine, make_sessionmaker, unit_of_work

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=2)
    hotel_ids = []
    for n in range(count):
        async with unit_of_work(make_sessionmaker(engine)) as session:
            hotel = await service.create_hotel(
                session,
                actor="bench",
                data=HotelIn(
                    name_zh=f"测试酒店{n}",
                    name_en=f"Bench Hotel {n}",
                    city="Beijing",
                    star_grade=4,
                    currency="CNY",
                    confirm_channel="email",
                    email=f"hotel{n}@bench.example",
                ),
            )
            for r in range(ROOM_TYPES):
                room = await service.add_room_type(
                    session, actor="bench", hotel_id=hotel.hotel_id, data=RoomTypeIn(name=f"R{r}")
                )
                plan = RatePlanIn(
                    room_type_id=room.room_type_id, name="BAR", payment_mode="prepaid"
                )
                await service.add_rate_plan(
                    session, actor="bench", hotel_id=hotel.hotel_id, data=plan
                )
        hotel_ids.append(hotel.hotel_id)
    await engine.dispose()
    return hotel_ids


def sheet(hotel_ids: list[uuid.UUID], nights: int) -> bytes:
    """One row per hotel, room type and night: rooms, net and sell (sell 20% over net)."""
    from shared.clock import clock

    first = clock.today() + timedelta(days=1)
    days = [(first + timedelta(days=d)).isoformat() for d in range(nights)]
    out = io.StringIO()
    out.write(HEADER)
    for hotel_id in hotel_ids:
        for r in range(ROOM_TYPES):
            for d, day in enumerate(days):
                net = 400 + 10 * r + d % 50
                rooms, sell = 5 + d % 7, net * 6 // 5
                out.write(f"{hotel_id},R{r},BAR,{day},{day},{rooms},{net}.00,{sell}.50\n")
    return out.getvalue().encode()


async def wait_for(conn: asyncpg.Connection, sql: str, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while (got := await conn.fetchval(sql)) < expected:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {sql} = {got}, expected {expected}")
        await asyncio.sleep(0.2)


async def run_raw(conn: asyncpg.Connection, content: bytes) -> float:
    await conn.execute(
        "CREATE TABLE public.raw_sheet (hotel_id uuid, room_type text, rate_plan text, "
        "first_night date, last_night date, rooms integer, net numeric, sell numeric)"
    )
    started = time.perf_counter()
    await conn.copy_to_table(
        "raw_sheet", schema_name="public", source=io.BytesIO(content), format="csv", header=True
    )
    return time.perf_counter() - started


async def run_ours(conn: asyncpg.Connection, content: bytes, rows: int) -> dict[str, float]:
    from services.contracts.imports import jobs as import_jobs
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from shared.events.outbox import outbox_table  # noqa: F401  (tables registered)

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=4)
    sessionmaker = make_sessionmaker(engine)
    started = time.perf_counter()
    async with unit_of_work(sessionmaker) as session:
        job = await import_jobs.create_job(
            session, actor=_bench_staff(), filename="bench.csv", content=content
        )
    state = await import_jobs.run_import(sessionmaker, job.job_id)
    applied = time.perf_counter()
    if state != import_jobs.DONE:
        report = await conn.fetchval(
            "SELECT report::text FROM contracts.import_job WHERE job_id = $1", job.job_id
        )
        raise SystemExit(f"import {state}: {report[:2000]}")
    await wait_for(conn, "SELECT count(*) FROM intake.inventory_night", rows, 1800)
    await wait_for(conn, "SELECT count(*) FROM intake.rate_night", rows, 1800)
    projected = time.perf_counter()
    await engine.dispose()
    return {"job": applied - started, "total": projected - started}


def _bench_staff() -> Staff:
    return Staff(0, "bench", "Bench", ("hotel_resources",), "")


async def measure(hotels: int, nights: int) -> None:
    from services.contracts.imports import sheet as imports
    from tests.support.pipeline import running_pipeline

    rows = hotels * ROOM_TYPES * nights
    imports.MAX_ROWS = imports.MAX_BYTES = 10**9  # the HTTP upload cap does not apply here
    conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("+asyncpg", ""))
    async with running_pipeline(services=("intake",)):
        hotel_ids = await set_up_hotels(hotels)
        plans = hotels * ROOM_TYPES
        await wait_for(conn, "SELECT count(*) FROM intake.rate_plan", plans, 600)
        content = sheet(hotel_ids, nights)
        machine = Machine()
        raw = await run_raw(conn, content)
        raw_machine = machine.line()
        machine = Machine()
        ours = await run_ours(conn, content, rows)
        ours_machine = machine.line()
    await conn.close()
    ratio = raw / ours["total"]
    print(f"\nrates import: {rows:,} rows ({hotels} hotels × {ROOM_TYPES} room types × {nights})")
    print(f"  raw COPY     : {rows / raw:10,.0f} rows/s  ({raw:.2f} s)  {raw_machine}")
    job, total = ours["job"], ours["total"]
    print(f"  import job   : {rows / job:10,.0f} rows/s  ({job:.2f} s, checked and applied)")
    print(f"  to intake    : {rows / total:10,.0f} rows/s  ({total:.2f} s, projection complete)")
    print(f"                 {ours_machine}")
    print(f"  ratio        : {ratio:.1%} of raw (goal: at least 25%)")


def main(hotels: int, nights: int) -> None:
    with bench_infra():
        asyncio.run(measure(hotels, nights))


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [200, 365][len(args) :]))
