"""Booking POST throughput and p99 through the real app, against a raw-asyncpg endpoint doing the
same guarded decrement and insert, in the same run.
``python -m bench.booking [SECONDS] [CONNECTIONS]`` (defaults 10 and 16).

Both servers run as separate uvicorn processes on this machine against the same durable
database; the load comes from ``wrk`` (``bench/wrk/booking.lua``: a new idempotency key per
request). Goal: roomline at least 60% of raw.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import asyncpg
import httpx

from bench.common import bench_infra, report, wrk
from shared.embedded import free_port


async def seed() -> dict[str, str]:
    """A hotel with an allotment no benchmark exhausts, projected into intake by real events."""
    from services.contracts.demo import sign_contract
    from services.contracts.hotels import service
    from services.contracts.hotels.schemas import (
        AllotmentIn,
        HotelIn,
        RatePlanIn,
        RatesIn,
        RoomTypeIn,
    )
    from shared.clock import clock
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.pipeline import running_pipeline

    engine = make_engine(os.environ["DATABASE_URL"], pool_size=2)
    first = clock.today() + timedelta(days=1)
    async with unit_of_work(make_sessionmaker(engine)) as s:
        hotel = await service.create_hotel(
            s,
            actor="bench",
            data=HotelIn(
                name_zh="基准酒店",
                name_en="Bench Hotel",
                city="Beijing",
                star_grade=4,
                confirm_channel="email",
                email="bench@example.com",
            ),
        )
        room = await service.add_room_type(
            s, actor="bench", hotel_id=hotel.hotel_id, data=RoomTypeIn(name="Standard")
        )
        plan = await service.add_rate_plan(
            s,
            actor="bench",
            hotel_id=hotel.hotel_id,
            data=RatePlanIn(room_type_id=room.room_type_id, name="BAR", payment_mode="prepaid"),
        )
        await service.set_allotment(
            s,
            actor="bench",
            data=AllotmentIn(
                room_type_id=room.room_type_id,
                first_night=first,
                last_night=first + timedelta(days=9),
                rooms=999,
            ),
        )
        await service.set_rates(
            s,
            actor="bench",
            data=RatesIn(
                rate_plan_id=plan.rate_plan_id,
                first_night=first,
                last_night=first + timedelta(days=9),
                net_minor=50000,
                sell_minor=58000,
            ),
        )
        await sign_contract(s, hotel_id=hotel.hotel_id, nights=(first, first + timedelta(days=9)))
    await engine.dispose()
    conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("+asyncpg", ""))
    async with running_pipeline(services=("intake",)):
        while not await conn.fetchval("SELECT count(*) FROM intake.inventory_night"):
            await asyncio.sleep(0.1)
    # Room for every request of the run: the bench measures the write path, not sold-out.
    await conn.execute("UPDATE intake.inventory_night SET allotment = 1000000")
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS public.bench_raw_booking (booking_id uuid "
        "PRIMARY KEY, room_type_id uuid, check_in date, check_out date, "
        "rooms int, guest text, created_at timestamptz DEFAULT now())"
    )
    await conn.close()
    return {
        "hotel_id": str(hotel.hotel_id),
        "rate_plan_id": str(plan.rate_plan_id),
        "room_type_id": str(room.room_type_id),
        "check_in": first.isoformat(),
        "check_out": (first + timedelta(days=2)).isoformat(),
    }


def start(args: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *args, "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.post(f"{base}/ping", timeout=0.5).status_code:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return process, base


def load(
    base_url: str, path: str, stay: dict[str, str], headers: str, *, seconds: int, connections: int
) -> dict[str, float | str]:
    """wrk POSTs bookings to ``path`` for ``seconds``; every answer must be 201-ish (< 400)."""
    body = json.dumps(booking_body(stay, 0)).replace('"key-0"', '"@KEY@"')
    env = {"BENCH_BODY": body, "BENCH_HEADERS": headers}
    return wrk(
        f"{base_url}{path}", "booking.lua", seconds=seconds, connections=connections, env=env
    )


def booking_body(stay: dict[str, str], n: int) -> dict[str, object]:
    return {
        "hotel_id": stay["hotel_id"],
        "rate_plan_id": stay["rate_plan_id"],
        "room_type_id": stay["room_type_id"],
        "check_in": stay["check_in"],
        "check_out": stay["check_out"],
        "rooms": 1,
        "guest_names": ["Guest"],
        "booker_name": "Bench",
        "booker_phone": "13800000000",
        "payment_mode": "prepaid",
        "confirm_channel": "email",
        "confirm_contact": "bench@example.com",
        "idempotency_key": f"key-{n}",
    }


async def measure(seconds: int, connections: int) -> None:
    from shared.auth import SESSION_COOKIE, Role
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.clients import StaffClient, create_user

    stay = await seed()
    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_user(session, "benchagent", Role.AGENT)
    await engine.dispose()
    ours, ours_url = start(["workers.run", "--no-workers", "--no-relay"])
    raw, raw_url = start(["uvicorn", "bench.raw_booking_app:app", "--log-level", "warning"])
    try:
        async with httpx.AsyncClient(base_url=ours_url, timeout=30) as http:
            agent = await StaffClient(http).login("benchagent")
            cookie = http.cookies[SESSION_COOKIE]
        headers = f"Cookie: {SESSION_COOKIE}={cookie}\nX-CSRF-Token: {agent.csrf}"
        path = "/intake/api/bookings"
        load(ours_url, path, stay, headers, seconds=2, connections=connections)  # warm up
        ours_result = load(ours_url, path, stay, headers, seconds=seconds, connections=connections)
        load(raw_url, "/book", stay, "", seconds=2, connections=connections)
        raw_result = load(raw_url, "/book", stay, "", seconds=seconds, connections=connections)
    finally:
        ours.terminate()
        raw.terminate()
    name = f"booking POST: {seconds} s each, {connections} connections (wrk)"
    report(name, ours_result, raw_result)  # type: ignore[arg-type]


def main(seconds: int, connections: int) -> None:
    with bench_infra():
        asyncio.run(measure(seconds, connections))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        int(sys.argv[2]) if len(sys.argv) > 2 else 16,
    )
