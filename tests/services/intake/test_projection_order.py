"""Issue 12 (ARCHITECTURE, events: projections never decide by wall-clock time): contracts'
hotel events reach intake's projection (and confirmation's copy of the hotel) ordered by the
hotel's event version the outbox gave them, never by ``occurred_at``. Each test sets contracts'
clock back between two changes, so the newer change claims the earlier time, and delivers the
two events in both orders: the newer version wins either way (HR-2: the allotment agents sell
is the one hotel resources set last). The old rule (``EXCLUDED.occurred_at >= occurred_at``)
keeps the older state in both orders of these tests."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from services.confirmation.handlers import HANDLERS as CONFIRMATION_HANDLERS
from services.intake.handlers import HANDLERS as INTAKE_HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.consumer import Handler, apply_once
from shared.events.outbox import publish
from tests.services.contracts.helpers import API, set_up_hotel
from tests.services.intake.factories import Sessionmaker, hotel_event
from tests.services.intake.helpers import inventory

Change = Callable[[], Awaitable[None]]
ORDERS = pytest.mark.parametrize("newer_first", [False, True], ids=["in_order", "newer_first"])


async def contracts_events(sessionmaker: Sessionmaker) -> list[Envelope]:
    """Contracts' outbox as the relay reads it (with aggregate and version), oldest first."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT event_id, name, version, payload, occurred_at, aggregate, "
                "aggregate_version FROM contracts.outbox ORDER BY created_at, event_id"
            )
        )
        return [Envelope(**row._mapping, source="contracts") for row in rows]


async def deliver(
    sessionmaker: Sessionmaker, events: list[Envelope], service: str = "intake"
) -> None:
    handlers: Mapping[str, Handler] = {
        "intake": INTAKE_HANDLERS,
        "confirmation": CONFIRMATION_HANDLERS,
    }[service]
    for event in events:
        outcome = await apply_once(
            sessionmaker, service=service, schema=service, handlers=handlers, envelope=event
        )
        assert outcome == "handled", (event.name, outcome)


def clock_set_back(at: datetime) -> None:
    """The next change is stamped 10 minutes before ``at`` (a host whose clock stepped back)."""
    clock.set_now(at - timedelta(minutes=10))


async def two_changes_with_the_clock_set_back(
    sessionmaker: Sessionmaker, name: str, first: Change, second: Change
) -> tuple[list[Envelope], Envelope, Envelope]:
    """Run ``first`` then ``second``, the clock set back in between;
    returns the events before them, then the two events named ``name`` they published."""
    setup = await contracts_events(sessionmaker)
    before = {e.event_id for e in setup}
    start = datetime.now(clock.business_tz)
    clock.set_now(start)
    await first()
    clock_set_back(start)
    await second()
    older, newer = [
        e
        for e in await contracts_events(sessionmaker)
        if e.name == name and e.event_id not in before
    ]
    assert newer.occurred_at < older.occurred_at  # the clock says the newer one came first…
    assert newer.aggregate == older.aggregate == f"hotel:{older.payload['hotel_id']}"
    assert newer.aggregate_version > older.aggregate_version  # …its version says otherwise
    return setup, older, newer


def in_order(older: Envelope, newer: Envelope, newer_first: bool) -> list[Envelope]:
    return [newer, older] if newer_first else [older, newer]


@ORDERS
async def test_hr2_issue12_allotment_set_last_wins_though_its_clock_went_back(
    login_as, sessionmaker, newer_first: bool
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    night = clock.today() + timedelta(days=5)
    body = {
        "room_type_id": ids["room_type_id"],
        "first_night": str(night),
        "last_night": str(night),
    }

    async def set_rooms(rooms: int) -> None:
        response = await desk.request_json("PUT", f"{API}/allotments", {**body, "rooms": rooms})
        assert response.status_code == 200, response.text

    setup, older, newer = await two_changes_with_the_clock_set_back(
        sessionmaker, "contracts.allotment_set", lambda: set_rooms(8), lambda: set_rooms(3)
    )
    await deliver(sessionmaker, setup)

    await deliver(sessionmaker, in_order(older, newer, newer_first))

    rooms = await inventory(sessionmaker, uuid.UUID(ids["room_type_id"]))
    assert rooms[night]["allotment"] == 3


@ORDERS
async def test_hr4_issue12_rates_set_last_win_though_their_clock_went_back(
    login_as, sessionmaker, newer_first: bool
) -> None:
    desk = await login_as("hua", Role.HOTEL_RESOURCES)
    ids = await set_up_hotel(desk)
    night = clock.today() + timedelta(days=5)
    body = {
        "rate_plan_id": ids["rate_plan_id"],
        "first_night": str(night),
        "last_night": str(night),
    }

    async def set_sell(sell_minor: int) -> None:
        prices = {"net_minor": sell_minor * 85 // 100, "sell_minor": sell_minor}
        response = await desk.request_json("PUT", f"{API}/rates", {**body, **prices})
        assert response.status_code == 200, response.text

    setup, older, newer = await two_changes_with_the_clock_set_back(
        sessionmaker, "contracts.rates_published", lambda: set_sell(90000), lambda: set_sell(70000)
    )
    await deliver(sessionmaker, setup)

    await deliver(sessionmaker, in_order(older, newer, newer_first))

    async with sessionmaker() as session:
        sell = await session.scalar(
            text("SELECT sell_minor FROM intake.rate_night WHERE night = :night"), {"night": night}
        )
    assert sell == 70000


@ORDERS
async def test_issue12_hotel_snapshot_published_last_wins_in_intake_and_confirmation(
    sessionmaker, newer_first: bool
) -> None:
    ids = {"hotel_id": uuid.uuid4(), "room_type_id": uuid.uuid4(), "rate_plan_id": uuid.uuid4()}

    async def announce(name_en: str) -> None:
        # Contracts' own outbox, through the same publish its service calls.
        async with unit_of_work(sessionmaker) as session:
            payload = hotel_event(**ids, name_en=name_en)
            await publish(session, schema="contracts", payload=payload, occurred_at=clock.now())

    _, older, newer = await two_changes_with_the_clock_set_back(
        sessionmaker,
        "contracts.hotel_published",
        lambda: announce("Peace Hotel"),
        lambda: announce("Fairmont Peace Hotel"),
    )

    for service in ("intake", "confirmation"):
        await deliver(sessionmaker, in_order(older, newer, newer_first), service)

    async with sessionmaker() as session:
        names = [
            await session.scalar(text(f"SELECT name_en FROM {table}"))
            for table in ("intake.hotel", "confirmation.hotel_contact")
        ]
    assert names == ["Fairmont Peace Hotel", "Fairmont Peace Hotel"]


async def test_issue12_an_unnumbered_event_from_before_never_overwrites_a_numbered_row(
    sessionmaker,
) -> None:
    """Events committed before publishers numbered them (no version) may still be queued at
    the upgrade; every numbered event came after them, so they lose to a numbered row."""
    ids = {"hotel_id": uuid.uuid4(), "room_type_id": uuid.uuid4(), "rate_plan_id": uuid.uuid4()}
    async with unit_of_work(sessionmaker) as session:
        numbered = await publish(
            session,
            schema="contracts",
            payload=hotel_event(**ids, name_en="Numbered"),
            occurred_at=clock.now(),
        )
    unnumbered = Envelope(
        **{
            **numbered.model_dump(exclude={"aggregate_version"}),
            "event_id": uuid.uuid4(),
            "payload": hotel_event(**ids, name_en="Unnumbered").model_dump(mode="json"),
        }
    )

    await deliver(sessionmaker, [numbered, unnumbered])

    async with sessionmaker() as session:
        assert await session.scalar(text("SELECT name_en FROM intake.hotel")) == "Numbered"
