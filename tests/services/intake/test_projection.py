"""Intake's sellable inventory follows contracts' events (ARCHITECTURE: own projection):
once per event, never regressed by an older event (by the hotel's event version, issue 12),
never cut below rooms already sold."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from shared.auth import Role
from shared.clock import clock
from tests.services.intake.factories import (
    allotment_event,
    apply,
    envelope,
    hotel_event,
    rates_event,
    seed_hotel,
)
from tests.services.intake.helpers import booking_body, inventory

API = "/intake/api/bookings"


async def test_duplicate_allotment_event_has_no_second_effect(login_as, sessionmaker) -> None:
    night = clock.today() + timedelta(days=3)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[night])
    raised = envelope(allotment_event(seeded, {night: 8}))
    assert await apply(sessionmaker, raised) == "handled"
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.post_json(API, booking_body(seeded, night, nights=1))).status_code == 201
    lowered = envelope(allotment_event(seeded, {night: 6}))
    assert await apply(sessionmaker, lowered) == "handled"

    assert await apply(sessionmaker, raised) == "duplicate"

    assert (await inventory(sessionmaker, seeded.room_type_id))[night] == {
        "allotment": 6,
        "sold": 1,
        "remaining": 5,
    }


async def test_older_allotment_event_arriving_late_does_not_regress(sessionmaker) -> None:
    # Issue 12: the hotel's event version orders them; the older one even claims a later time.
    night = clock.today() + timedelta(days=3)
    t0 = clock.now() - timedelta(hours=1)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[night], occurred_at=t0)
    newer = envelope(allotment_event(seeded, {night: 9}), occurred_at=t0, version=20)
    older = envelope(
        allotment_event(seeded, {night: 2}), occurred_at=t0 + timedelta(minutes=10), version=10
    )

    assert await apply(sessionmaker, newer) == "handled"
    assert await apply(sessionmaker, older) == "handled"  # handled, but changes nothing

    assert (await inventory(sessionmaker, seeded.room_type_id))[night]["allotment"] == 9


async def test_in4_allotment_cut_below_sold_keeps_sold_rooms_and_leaves_none(
    login_as, sessionmaker
) -> None:
    night = clock.today() + timedelta(days=3)
    seeded = await seed_hotel(sessionmaker, rooms=5, nights=[night])
    agent = await login_as("ana", Role.AGENT)
    placed = await agent.post_json(API, booking_body(seeded, night, nights=1, rooms=4))
    assert placed.status_code == 201

    await apply(sessionmaker, envelope(allotment_event(seeded, {night: 2})))

    assert (await inventory(sessionmaker, seeded.room_type_id))[night] == {
        "allotment": 4,
        "sold": 4,
        "remaining": 0,
    }
    refused = await agent.post_json(API, booking_body(seeded, night, nights=1))
    assert refused.status_code == 409


async def test_older_hotel_snapshot_does_not_overwrite_a_newer_one(login_as, sessionmaker) -> None:
    t0 = clock.now() - timedelta(hours=1)
    seeded = await seed_hotel(sessionmaker, name_en="Peace Hotel", occurred_at=t0)
    ids = {k: getattr(seeded, k) for k in ("hotel_id", "room_type_id", "rate_plan_id")}
    renamed = hotel_event(**ids, name_en="Fairmont Peace Hotel")
    stale = hotel_event(**ids, name_en="Old Name Hotel", sellable=False)
    await apply(sessionmaker, envelope(renamed, occurred_at=t0, version=20))
    await apply(sessionmaker, envelope(stale, occurred_at=t0 + timedelta(minutes=10), version=10))

    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=1)
    found = await agent.get(
        "/intake/api/search",
        params={"city": "Beijing", "check_in": check_in, "check_out": check_in + timedelta(days=1)},
    )
    assert [o["hotel_name"] for o in found.json()["offers"]] == ["Fairmont Peace Hotel"]


async def test_rate_plan_missing_from_a_new_snapshot_is_withdrawn(login_as, sessionmaker) -> None:
    seeded = await seed_hotel(sessionmaker)
    snapshot = hotel_event(
        hotel_id=seeded.hotel_id, room_type_id=seeded.room_type_id, rate_plan_id=seeded.rate_plan_id
    ).model_copy(update={"rate_plans": []})
    await apply(sessionmaker, envelope(snapshot))
    agent = await login_as("ana", Role.AGENT)
    check_in = clock.today() + timedelta(days=1)
    found = await agent.get(
        "/intake/api/search",
        params={"city": "Beijing", "check_in": check_in, "check_out": check_in + timedelta(days=1)},
    )
    assert found.json()["offers"] == []
    refused = await agent.post_json(API, booking_body(seeded, check_in, nights=1))
    assert refused.status_code == 409 and "no longer sold" in refused.json()["detail"]


async def test_newer_rates_replace_older_ones_and_older_ones_are_ignored(sessionmaker) -> None:
    night = clock.today() + timedelta(days=2)
    t0 = clock.now() - timedelta(hours=1)
    seeded = await seed_hotel(sessionmaker, nights=[night], sell_minor=50000, occurred_at=t0)
    newer = envelope(rates_event(seeded, {night: 70000}), occurred_at=t0, version=2)
    older = envelope(
        rates_event(seeded, {night: 10000}), occurred_at=t0 + timedelta(minutes=1), version=1
    )
    await apply(sessionmaker, newer)
    await apply(sessionmaker, older)
    async with sessionmaker() as session:
        sell = await session.scalar(text("SELECT sell_minor FROM intake.rate_night"))
    assert sell == 70000
