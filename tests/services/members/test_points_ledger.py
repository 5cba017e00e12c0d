"""The points ledger (CS-5, CS-2): expiry takes the oldest lots first, moves are append-only
whoever types the SQL, a lot taken back while a redemption holds part of it settles right,
and the buckets always add up."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.members.points import ledger
from services.members.points.jobs import expire_due_job
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import Conflict
from tests.services.members import points_support as ps

TODAY = date(2026, 3, 19)


def _beijing(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.business_tz)


async def _earn(sessionmaker, member_id, points: int, expires_on: date, source: str = "") -> None:  # type: ignore[no-untyped-def]
    """An active lot (its final day has passed)."""
    async with unit_of_work(sessionmaker) as session:
        await ledger.earn(
            session,
            member_id=member_id,
            source=source or f"adjust:{uuid.uuid4()}",
            points=points,
            earned_at=clock.now(),
            final_on=clock.today(),
            expires_on=expires_on,
            actor="tests",
        )


async def _lock(sessionmaker, member_id, points: int) -> uuid.UUID:  # type: ignore[no-untyped-def]
    redemption_id = uuid.uuid4()
    async with unit_of_work(sessionmaker) as session:
        await ledger.lock(
            session, member_id=member_id, points=points, redemption_id=redemption_id, actor="mei"
        )
    return redemption_id


async def _settle(sessionmaker, redemption_id: uuid.UUID, *, approve: bool) -> int:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessionmaker) as session:
        settle = ledger.spend if approve else ledger.release
        return await settle(session, redemption_id=redemption_id, actor="gm")


async def test_cs5_expiry_consumes_the_oldest_lot_first(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: 100 (expiring first) + 50; a redemption of 120 takes the older 100 and 20 of the
    newer; at the older lot's expiry nothing is left to expire, at the newer's its 30."""
    clock.set_now(_beijing(TODAY, 10))
    member_id = await ps.member(sessionmaker)
    older, newer = TODAY + timedelta(days=30), TODAY + timedelta(days=60)
    await _earn(sessionmaker, member_id, 100, older)
    await _earn(sessionmaker, member_id, 50, newer)
    assert (await ps.balance(sessionmaker, member_id)).active == 150

    redemption = await _lock(sessionmaker, member_id, 120)
    assert (await ps.balance(sessionmaker, member_id)).locked == 120
    assert await _settle(sessionmaker, redemption, approve=True) == 120
    assert (await ps.balance(sessionmaker, member_id)).spent == 120

    clock.set_now(_beijing(older, 3))
    assert await expire_due_job({"sessionmaker": sessionmaker}) == 0
    clock.set_now(_beijing(newer - timedelta(days=1), 3))
    assert await expire_due_job({"sessionmaker": sessionmaker}) == 0
    clock.set_now(_beijing(newer, 3))
    assert await expire_due_job({"sessionmaker": sessionmaker}) == 30
    assert await expire_due_job({"sessionmaker": sessionmaker}) == 0
    points = await ps.balance(sessionmaker, member_id)
    assert (points.earned, points.active, points.spent, points.expired) == (150, 0, 120, 30)


async def test_cs2_a_member_cannot_lock_more_than_is_active(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-2: a lock beyond the active points is refused and holds nothing; pending points
    cannot be redeemed."""
    clock.set_now(_beijing(TODAY, 10))
    member_id = await ps.member(sessionmaker)
    await _earn(sessionmaker, member_id, 100, TODAY + timedelta(days=30))
    async with unit_of_work(sessionmaker) as session:
        await ledger.earn(
            session, member_id=member_id, source="pending-one", points=500,
            earned_at=clock.now(), final_on=TODAY + timedelta(days=7),
            expires_on=TODAY + timedelta(days=700), actor="tests",
        )  # fmt: skip
    with pytest.raises(Conflict):
        await _lock(sessionmaker, member_id, 101)
    points = await ps.balance(sessionmaker, member_id)
    assert (points.active, points.pending, points.locked) == (100, 500, 0)


async def test_cs5_points_moves_cannot_be_updated_or_deleted(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5: the ledger is history: direct SQL UPDATE or DELETE of a move is refused."""
    member_id = await ps.member(sessionmaker)
    await _earn(sessionmaker, member_id, 100, TODAY + timedelta(days=900))
    for statement in (
        "UPDATE members.points_move SET points = 1000",
        "DELETE FROM members.points_move",
    ):
        async with sessionmaker() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(text(statement))
    assert (await ps.balance(sessionmaker, member_id)).earned == 100


async def test_cs5_a_lot_reversed_while_locked_settles_with_its_redemption(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """CS-5, CS-2: a stay taken back while a redemption holds part of its points: released,
    the held points are reversed too (never active on a dead lot); spent, the member's other
    points pay for them. Either way the lot's 100 are taken back once."""
    clock.set_now(_beijing(TODAY, 10))
    for approve, other_left in ((False, 200), (True, 120)):
        member_id = await ps.member(sessionmaker, card=f"M{uuid.uuid4().int % 10**8:08d}")
        source = f"stay:{uuid.uuid4()}:v1"
        await _earn(sessionmaker, member_id, 100, TODAY + timedelta(days=30), source)
        await _earn(sessionmaker, member_id, 200, TODAY + timedelta(days=60))
        redemption = await _lock(sessionmaker, member_id, 80)  # all from the older lot
        async with unit_of_work(sessionmaker) as session:
            assert await ledger.reverse(session, source=source, actor="nora") == 20
        points = await ps.balance(sessionmaker, member_id)
        assert (points.active, points.locked, points.reversed) == (200, 80, 20)

        assert await _settle(sessionmaker, redemption, approve=approve) == 80

        points = await ps.balance(sessionmaker, member_id)
        assert (points.active, points.locked, points.reversed) == (other_left, 0, 100)
        assert points.spent == (80 if approve else 0)
        async with unit_of_work(sessionmaker) as session:  # the rest can still be redeemed
            await ledger.lock(session, member_id=member_id, points=other_left,
                              redemption_id=uuid.uuid4(), actor="mei")  # fmt: skip
        assert (await ps.balance(sessionmaker, member_id)).active == 0


async def test_cs5_reversing_a_spent_lot_takes_from_other_lots_as_far_as_they_go(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    """CS-5: points of a taken-back stay that were spent already come out of the member's
    other active points; what is not there is written in the move's note."""
    clock.set_now(_beijing(TODAY, 10))
    member_id = await ps.member(sessionmaker)
    source = f"stay:{uuid.uuid4()}:v1"
    await _earn(sessionmaker, member_id, 100, TODAY + timedelta(days=30), source)
    await _earn(sessionmaker, member_id, 30, TODAY + timedelta(days=60))
    await _settle(sessionmaker, await _lock(sessionmaker, member_id, 90), approve=True)
    async with unit_of_work(sessionmaker) as session:
        assert await ledger.reverse(session, source=source, actor="nora") == 40
        assert await ledger.reverse(session, source=source, actor="nora") == 0
    points = await ps.balance(sessionmaker, member_id)
    assert (points.active, points.spent, points.reversed) == (0, 90, 40)
    async with sessionmaker() as session:
        history = await ledger.history(session, member_id=member_id)
    assert "60 points of it were spent already" in history.moves[0].note
