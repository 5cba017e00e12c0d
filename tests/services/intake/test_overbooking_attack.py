"""IN-4 / IN-5 acceptance: the overbooking attack.

A hotel with 10 rooms over 6 nights. Two real server processes (``python -m workers.run``)
share one PostgreSQL; agents on both fire 100 operations at once: new bookings of 1-3 nights
and 1-2 rooms, modifications that extend, shorten, move or resize bookings already placed,
and cancellations, many of them aimed at the same bookings. Afterwards, on every night, the
rooms sold in intake.inventory_night are exactly the rooms live bookings hold, sold plus
remaining is the allotment and nothing is negative; there is no 500, and every refusal is a
409 naming the night or a clear reason (stale version, cancelled booking).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.intake.changes.checks import ROOM_HOLDING
from shared.clock import clock
from tests.services.intake.changes_support import API, days, reason
from tests.services.intake.factories import SeededHotel, seed_hotel
from tests.services.intake.helpers import Sessionmaker, booking_body, inventory
from tests.services.intake.race_support import agents_on, two_web_processes
from tests.support.clients import StaffClient
from tests.support.servers import server_log

ROOMS, NIGHTS, PLACED_FIRST, OPERATIONS = 10, 6, 16, 100
_DAY = r"\d{4}-\d{2}-\d{2}"
# Each refusal must say which night, or why in words an agent acts on.
REFUSALS = [
    re.compile(rf"^Sold out on {_DAY}: \d+ rooms? left, \d+ (more )?asked"),
    re.compile(rf"^No price for {_DAY}"),
    re.compile(rf"^No rooms released for {_DAY}"),
    re.compile(rf"^No signed contract for {_DAY}"),
    re.compile(r"since you loaded it \(now version \d+, you saw \d+\)"),
    re.compile(r"is cancelled; it cannot change"),
]
Operation = Callable[[StaffClient], Awaitable[tuple[str, httpx.Response]]]


@pytest.fixture(scope="module")
def two_servers() -> Iterator[list[str]]:
    with two_web_processes() as base_urls:
        yield base_urls


def _stay(rng: random.Random, window: list[date]) -> tuple[date, int, int]:
    nights = rng.randint(1, 3)
    start = window[0] + timedelta(days=rng.randrange(0, NIGHTS - nights + 1))
    return start, nights, rng.randint(1, 2)


def _new_booking(seeded: SeededHotel, rng: random.Random, window: list[date], n: int) -> Operation:
    check_in, nights, rooms = _stay(rng, window)
    body = booking_body(seeded, check_in, nights=nights, rooms=rooms, idempotency_key=f"atk-{n}")
    return lambda agent: _sent("book", agent.post_json(API, body))


def _change(booking: dict[str, Any], rng: random.Random, fresh: bool) -> Operation:
    """Modify or cancel ``booking``; ``fresh`` reads its version first, else uses the old one."""
    kind = rng.choices(["extend", "shorten", "move", "rooms", "cancel"], [3, 3, 3, 2, 2])[0]
    shift, rooms = rng.choice([-2, -1, 1, 2]), rng.randint(1, 3)

    async def run(agent: StaffClient) -> tuple[str, httpx.Response]:
        seen = booking
        if fresh:
            seen = (await agent.get(f"{API}/{booking['booking_ref']}")).json()
        url = f"{API}/{booking['booking_ref']}"
        check_in = date.fromisoformat(seen["check_in"])
        check_out = date.fromisoformat(seen["check_out"])
        fields: dict[str, Any] = {"version": seen["version"], **reason("agent_error", "attack")}
        if kind == "cancel":
            return await _sent(kind, agent.post_json(f"{url}/cancel", fields))
        if kind == "extend":
            fields["check_out"] = str(check_out + timedelta(days=abs(shift)))
        elif kind == "shorten" and (check_out - check_in).days > 1:
            fields["check_out"] = str(check_out - timedelta(days=1))
        elif kind == "move":
            fields |= {"check_in": str(check_in + timedelta(days=shift)),
                       "check_out": str(check_out + timedelta(days=shift))}  # fmt: skip
        else:  # rooms (or a one-night stay that cannot shorten): a different count
            fields["rooms"] = rooms if rooms != seen["rooms"] else seen["rooms"] % 3 + 1
        return await _sent("modify", agent.post_json(f"{url}/modify", fields))

    return run


async def _sent(kind: str, request: Awaitable[httpx.Response]) -> tuple[str, httpx.Response]:
    return kind, await request


def _operations(
    seeded: SeededHotel, placed: list[dict[str, Any]], window: list[date]
) -> list[Operation]:
    """40 new bookings and 60 changes aimed at the first bookings, shuffled (fixed seed)."""
    rng = random.Random(5)
    operations = [_new_booking(seeded, rng, window, n) for n in range(40)]
    operations += [_change(rng.choice(placed), rng, fresh=rng.random() < 0.6) for _ in range(60)]
    rng.shuffle(operations)
    assert len(operations) == OPERATIONS
    return operations


async def _place_first(agent: StaffClient, seeded: SeededHotel, window: list[date]) -> list[dict]:
    rng, placed = random.Random(3), []
    for n in range(PLACED_FIRST):
        check_in, nights, rooms = _stay(rng, window)
        body = booking_body(
            seeded, check_in, nights=nights, rooms=rooms, idempotency_key=f"pre-{n}"
        )
        response = await agent.post_json(API, body)
        if response.status_code == 201:
            placed.append(response.json())
    assert len(placed) >= PLACED_FIRST // 2
    return placed


async def _held_by_live_bookings(sessionmaker: Sessionmaker) -> tuple[Counter[date], Counter[date]]:
    """Rooms per night held by live bookings: from booking_night rows, and from the dates."""
    async with sessionmaker() as session:
        statuses = list(ROOM_HOLDING)
        by_rows = await session.execute(
            text(
                "SELECT bn.night, sum(b.rooms) AS rooms FROM intake.booking_night bn"
                " JOIN intake.booking b USING (booking_id)"
                " WHERE b.status = ANY(:statuses) GROUP BY bn.night"
            ),
            {"statuses": statuses},
        )
        from_rows = Counter({row.night: int(row.rooms) for row in by_rows})
        stays = await session.execute(
            text("SELECT check_in, check_out, rooms FROM intake.booking WHERE status = ANY(:s)"),
            {"s": statuses},
        )
        from_dates: Counter[date] = Counter()
        for stay in stays:
            for night in days(stay.check_in, (stay.check_out - stay.check_in).days):
                from_dates[night] += stay.rooms
    return from_rows, from_dates


def _why(detail: str) -> str:
    """The refusal's pattern (its first words), to report how the attack was turned away."""
    found = next((p for p in REFUSALS if p.search(detail)), None)
    return found.pattern.split("{")[0].split("\\")[0].strip("^ ") if found else detail


async def _scalar(sessionmaker: Sessionmaker, sql: str) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(text(sql)) or 0)


async def test_in4_in5_overbooking_attack_100_concurrent_bookings_changes_and_cancellations(
    two_servers: list[str], sessionmaker: Sessionmaker
) -> None:
    window = days(clock.today() + timedelta(days=20), NIGHTS)
    seeded = await seed_hotel(sessionmaker, rooms=ROOMS, nights=window)
    async with AsyncExitStack() as stack:
        agents = await agents_on(stack, sessionmaker, two_servers, prefix="attacker", timeout=90)
        placed = await _place_first(agents[0], seeded, window)
        operations = _operations(seeded, placed, window)
        started = time.monotonic()
        results = await asyncio.gather(
            *(operation(agents[n % 2]) for n, operation in enumerate(operations))
        )
        elapsed = time.monotonic() - started

    outcomes = Counter((kind, response.status_code) for kind, response in results)
    why = Counter(_why(r.json()["detail"]) for _, r in results if r.status_code == 409)
    print(f"\noverbooking attack on {len(placed)} bookings: {dict(sorted(outcomes.items()))}")
    print(f"refusals: {dict(why)}; {OPERATIONS} operations in {elapsed:.2f}s")
    assert {status for _, status in outcomes} <= {200, 201, 409}, [
        r.text for _, r in results if r.status_code not in (200, 201, 409)
    ]
    for _, refused in (r for r in results if r[1].status_code == 409):
        detail = refused.json()["detail"]
        assert any(p.search(detail) for p in REFUSALS), detail
    assert outcomes[("book", 201)] and outcomes[("modify", 200)] and outcomes[("cancel", 200)]

    stock = await inventory(sessionmaker, seeded.room_type_id)
    from_rows, from_dates = await _held_by_live_bookings(sessionmaker)
    for night in window:
        row = stock[night]
        assert row["sold"] == from_rows[night] == from_dates[night], night
        assert row["sold"] + row["remaining"] == row["allotment"] == ROOMS, night
        assert 0 <= row["remaining"] and 0 <= row["sold"], night
    changes = outcomes[("modify", 200)] + outcomes[("cancel", 200)]
    assert await _scalar(sessionmaker, "SELECT count(*) FROM intake.booking_change") == changes
    placed_events = "SELECT count(*) FROM intake.outbox WHERE name = 'intake.booking_placed'"
    assert await _scalar(sessionmaker, placed_events) == len(placed) + outcomes[("book", 201)]
    # Every booking's version is 1 + its changes: no change was lost or applied twice.
    assert not await _scalar(
        sessionmaker,
        "SELECT count(*) FROM intake.booking b WHERE b.version <> 1 + (SELECT count(*)"
        " FROM intake.booking_change c WHERE c.booking_id = b.booking_id)",
    )
    for base_url in two_servers:
        assert "deadlock detected" not in server_log(base_url)
