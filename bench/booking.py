"""Booking POST throughput and p99 through the real app, against a raw-asyncpg endpoint doing the
same guarded decrement and insert, in the same run (issue 19).
``python -m bench.booking [SECONDS] [CONNECTIONS,...]`` (defaults 10 and 16,64).

Both servers run as separate uvicorn processes on this machine against the same durable
database (fsync and synchronous_commit on); the load comes from ``wrk`` with two threads, so
the generator is not what limits the raw endpoint. Two inventories: ``hot`` (every request the
same room type and two nights: every booking queues on the same rows) and ``spread`` (each
request one of ROOM_TYPES room types and a two-night stay among NIGHTS nights,
``bench/wrk/booking_spread.lua``). Every request has a new idempotency key and booker phone.
Goal: roomline at least 60% of raw, p99 under 100 ms at 16 connections.
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

from bench.common import Machine, bench_infra, wrk
from shared.embedded import free_port

ROOM_TYPES = 8
NIGHTS = 28


async def seed() -> list[dict[str, str]]:
    """A hotel with ROOM_TYPES room types (a plan each) and allotment no benchmark exhausts,
    projected into intake by real events; returns the stays a spread run picks from."""
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
    last = first + timedelta(days=NIGHTS)
    plans = []
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
        for n in range(ROOM_TYPES):
            room = await service.add_room_type(
                s, actor="bench", hotel_id=hotel.hotel_id, data=RoomTypeIn(name=f"Room {n}")
            )
            plan = await service.add_rate_plan(
                s,
                actor="bench",
                hotel_id=hotel.hotel_id,
                data=RatePlanIn(
                    room_type_id=room.room_type_id, name=f"BAR {n}", payment_mode="prepaid"
                ),
            )
            await service.set_allotment(
                s,
                actor="bench",
                data=AllotmentIn(
                    room_type_id=room.room_type_id, first_night=first, last_night=last, rooms=999
                ),
            )
            await service.set_rates(
                s,
                actor="bench",
                data=RatesIn(
                    rate_plan_id=plan.rate_plan_id,
                    first_night=first,
                    last_night=last,
                    net_minor=50000,
                    sell_minor=58000,
                ),
            )
            plans.append((room.room_type_id, plan.rate_plan_id))
        await sign_contract(s, hotel_id=hotel.hotel_id, nights=(first, last))
    await engine.dispose()
    conn = await asyncpg.connect(os.environ["DATABASE_URL"].replace("+asyncpg", ""))
    wanted = ROOM_TYPES * (NIGHTS + 1)
    async with running_pipeline(services=("intake",)):
        while await conn.fetchval("SELECT count(*) FROM intake.rate_night") < wanted or (
            await conn.fetchval("SELECT count(*) FROM intake.hotel_contract") < 1
        ):
            await asyncio.sleep(0.1)
    # Room for every request of the run: the bench measures the write path, not sold-out.
    await conn.execute("UPDATE intake.inventory_night SET allotment = 1000000")
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS public.bench_raw_booking (booking_id uuid "
        "PRIMARY KEY, room_type_id uuid, check_in date, check_out date, "
        "rooms int, guest text, created_at timestamptz DEFAULT now())"
    )
    await conn.close()
    return [
        {
            "hotel_id": str(hotel.hotel_id),
            "rate_plan_id": str(plan_id),
            "room_type_id": str(room_type_id),
            "check_in": (first + timedelta(days=d)).isoformat(),
            "check_out": (first + timedelta(days=d + 2)).isoformat(),
        }
        for room_type_id, plan_id in plans
        for d in range(NIGHTS - 1)
    ]


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
    base_url: str,
    path: str,
    stays: list[dict[str, str]],
    headers: str,
    *,
    seconds: int,
    connections: int,
) -> dict[str, float | str]:
    """wrk POSTs bookings to ``path`` for ``seconds``; every answer must be 201-ish (< 400).
    One stay: ``booking.lua``; several: ``booking_spread.lua`` picks one per request."""
    bodies = [
        json.dumps(booking_body(stay, 0))
        .replace('"key-0"', '"@KEY@"')
        .replace('"13800000000"', '"@PHONE@"')
        for stay in stays
    ]
    script = "booking.lua" if len(bodies) == 1 else "booking_spread.lua"
    env = {"BENCH_BODY": bodies[0], "BENCH_BODIES": "\n".join(bodies), "BENCH_HEADERS": headers}
    return wrk(
        f"{base_url}{path}", script, seconds=seconds, connections=connections, threads=2, env=env
    )  # fmt: skip


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


# What is measured: the all-in-one web process (workers.run) and the intake app served alone,
# as "Deploying at scale" runs it behind the reverse proxy, each against the raw endpoint.
OURS = {
    "all-in-one": (["workers.run", "--no-workers", "--no-relay"], "/intake/api/bookings"),
    "intake alone": (
        ["uvicorn", "services.intake.app:app", "--log-level", "error"],
        "/api/bookings",
    ),
}


async def measure(seconds: int, connections: list[int]) -> None:
    from shared.auth import SESSION_COOKIE, Role
    from shared.db import make_engine, make_sessionmaker, unit_of_work
    from tests.support.clients import StaffClient, create_user

    stays = await seed()
    engine = make_engine(os.environ["DATABASE_URL"], pool_size=1)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_user(session, "benchagent", Role.AGENT)
    await engine.dispose()
    servers = {name: start(args) for name, (args, _path) in OURS.items()}
    servers["raw"] = start(["uvicorn", "bench.raw_booking_app:app", "--log-level", "warning"])
    rows = []
    try:
        login_url = servers["all-in-one"][1]
        async with httpx.AsyncClient(base_url=login_url, timeout=30) as http:
            agent = await StaffClient(http).login("benchagent")
            cookie = http.cookies[SESSION_COOKIE]
        headers = f"Cookie: {SESSION_COOKIE}={cookie}\nX-CSRF-Token: {agent.csrf}"
        targets = {name: (path, headers) for name, (_args, path) in OURS.items()}
        targets["raw"] = ("/book", "")
        for inventory, picked in (("hot", stays[:1]), ("spread", stays)):
            for conns in connections:
                run: dict[str, dict[str, float | str]] = {}
                for name, (path, head) in targets.items():
                    process, url = servers[name]
                    load(url, path, picked, head, seconds=2, connections=conns)  # warm up
                    spy = profiled(process.pid, seconds) if (name, inventory) == PROFILED else None
                    cpu = cpu_seconds(process.pid)
                    run[name] = load(url, path, picked, head, seconds=seconds, connections=conns)
                    served = float(run[name]["requests"]) or 1.0
                    run[name]["cpu_ms"] = (cpu_seconds(process.pid) - cpu) * 1000 / served
                    if spy is not None:
                        spy.wait()
                rows.append((inventory, conns, run))
    finally:
        for process, _url in servers.values():
            process.terminate()
    table(seconds, rows)


# BENCH_PYSPY=<file>: py-spy samples our server during the first hot run (raw folded stacks).
PROFILED = ("intake alone", "spread")


def profiled(pid: int, seconds: int) -> subprocess.Popen[bytes] | None:
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    os.environ.pop("BENCH_PYSPY")  # once: the first hot run
    spy = [
        os.path.join(os.path.dirname(sys.executable), "py-spy"),
        "record",
        "--pid",
        str(pid),
        "-d",
        str(seconds),
        "-f",
        "raw",
        "-o",
        out,
    ]
    return subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """CPU time the server process has used (user + system): per request, a figure the
    machine's other load does not inflate the way it inflates latency."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def table(seconds: int, rows: list[tuple[str, int, dict[str, dict[str, float | str]]]]) -> None:
    print(f"\nbooking POST, wrk 2 threads, {seconds} s a run, durable PostgreSQL")
    print("cpu ms: the server process's CPU time per request (user + system)")
    print(
        f"{'inventory':9} {'conns':>5} {'server':12} | {'per s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'cpu ms':>6} | {'ratio':>5} | machine"
    )
    for inventory, conns, run in rows:
        raw_rate = float(run["raw"]["per_second"])
        for name, figures in run.items():
            ratio = float(figures["per_second"]) / raw_rate
            print(
                f"{inventory:9} {conns:5d} {name:12} | {figures['per_second']:8.1f} "
                f"{float(figures['p50']) * 1000:7.1f} {float(figures['p99']) * 1000:7.1f} "
                f"{float(figures['cpu_ms']):6.2f} | {ratio:5.0%} | {figures['machine']}"
            )
    print(f"whole run {Machine().line()}")


def main(seconds: int, connections: list[int]) -> None:
    with bench_infra():
        asyncio.run(measure(seconds, connections))


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        [int(c) for c in (sys.argv[2] if len(sys.argv) > 2 else "16,64").split(",")],
    )
