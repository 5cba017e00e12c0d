"""IN-4 / ARCHITECTURE: overbooking is impossible by construction, across processes.

Two real server processes (``python -m workers.run``) on their own ports share one PostgreSQL;
agents on both fire bookings at once. The guard is in SQL, so however the requests interleave,
no night sells more than its allotment and every sold room belongs to a committed booking.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from shared.clock import clock
from tests.services.intake.factories import SeededHotel, seed_hotel
from tests.services.intake.helpers import Sessionmaker, booking_body, counts, inventory
from tests.services.intake.race_support import agents_on, two_web_processes
from tests.support.servers import server_log

API = "/intake/api/bookings"


@pytest.fixture(scope="module")
def two_servers() -> Iterator[list[str]]:
    with two_web_processes() as base_urls:
        yield base_urls


async def _committed_rooms_by_night(sessionmaker: Sessionmaker) -> Counter[date]:
    async with sessionmaker() as session:
        rows = await session.execute(text("SELECT check_in, check_out, rooms FROM intake.booking"))
        sold: Counter[date] = Counter()
        for row in rows:
            for offset in range((row.check_out - row.check_in).days):
                sold[row.check_in + timedelta(days=offset)] += row.rooms
        return sold


async def test_in4_no_overbooking_when_50_agents_race_for_5_rooms_on_two_servers(
    two_servers: list[str], sessionmaker: Sessionmaker
) -> None:
    check_in = clock.today() + timedelta(days=10)
    stay = [check_in, check_in + timedelta(days=1)]
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=stay)
    async with AsyncExitStack() as stack:
        agents = await agents_on(stack, sessionmaker, two_servers, prefix="racer")
        responses = await asyncio.gather(
            *(
                agents[n % 2].post_json(
                    API, booking_body(seeded, check_in, nights=2, idempotency_key=f"race-{n}")
                )
                for n in range(50)
            )
        )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 5, 409: 45}, [r.text for r in responses if r.status_code >= 500]
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["detail"].startswith("Sold out on ")
        assert "0 rooms left, 1 asked" in refused.json()["detail"]
    stock = await inventory(sessionmaker, seeded.room_type_id)
    for night in stay:
        assert stock[night] == {"allotment": 5, "sold": 5, "remaining": 0}
    written = await counts(sessionmaker)
    assert written["bookings"] == 5 and written["placed_events"] == 5
    assert written["booking_nights"] == 10
    placed_refs = {r.json()["booking_ref"] for r in responses if r.status_code == 201}
    assert len(placed_refs) == 5


def _random_stays(seeded: SeededHotel, first: date, count: int) -> list[dict[str, object]]:
    """Overlapping 1-3 night stays over a 5-night window, 1-2 rooms each (fixed seed)."""
    rng = random.Random(4)
    bodies = []
    for n in range(count):
        start = first + timedelta(days=rng.randrange(0, 3))
        bodies.append(
            booking_body(
                seeded,
                start,
                nights=rng.randint(1, 3),
                rooms=rng.randint(1, 2),
                idempotency_key=f"multi-{n}",
            )
        )
    return bodies


async def test_in4_overlapping_multi_night_bookings_from_two_servers_never_deadlock_or_oversell(
    two_servers: list[str], sessionmaker: Sessionmaker
) -> None:
    first = clock.today() + timedelta(days=20)
    window = [first + timedelta(days=n) for n in range(5)]
    seeded = await seed_hotel(sessionmaker, rooms=10, nights=window)
    bodies = _random_stays(seeded, first, 40)
    async with AsyncExitStack() as stack:
        agents = await agents_on(stack, sessionmaker, two_servers, prefix="racer")
        responses = await asyncio.gather(
            *(agents[n % 2].post_json(API, body) for n, body in enumerate(bodies))
        )

    assert {r.status_code for r in responses} <= {201, 409}, [
        r.text for r in responses if r.status_code not in (201, 409)
    ]
    placed = [r for r in responses if r.status_code == 201]
    assert placed, "some bookings must succeed"
    stock = await inventory(sessionmaker, seeded.room_type_id)
    committed = await _committed_rooms_by_night(sessionmaker)
    for night in window:
        row = stock[night]
        assert row["remaining"] >= 0 and row["sold"] + row["remaining"] == row["allotment"] == 10
        assert row["sold"] == committed[night], night
    written = await counts(sessionmaker)
    assert written["bookings"] == len(placed) == written["placed_events"]
    for base_url in two_servers:
        assert "deadlock detected" not in server_log(base_url)
