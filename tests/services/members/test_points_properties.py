"""The points ledger under random use (CS-5, CS-2): a hypothesis state machine earns lots
(pending or active), lets days pass (the nightly activate and expire jobs), locks points for
redemptions, spends or releases them, and takes lots back, in any order. After every step:

- the buckets add up (``earned`` is the sum of the other six) and none is negative;
- the active bucket is exactly what the active lots have left (what ``lock`` takes from);
- earned, locked and spent equal what this model counts from the steps alone;
- a lock beyond the active points is refused and holds nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, text

from services.members.points import ledger
from services.members.points.models import points_lot
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.errors import Conflict
from tests.services.members import points_support as ps
from tests.support.infra import INFRA

T = TypeVar("T")
START = datetime(2026, 3, 19, 2, tzinfo=UTC)
RESET = """
DO $$
DECLARE r record;
BEGIN
  PERFORM set_config('session_replication_role', 'replica', true);
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'members'
           AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM members.%I', r.tablename);
  END LOOP;
END $$"""


class PointsLedger(RuleBasedStateMachine):
    """One example: one member with no points, then random steps."""

    loop: asyncio.AbstractEventLoop
    sessionmaker: Any

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.open: dict[uuid.UUID, int] = {}  # redemption -> points it locked
        self.earned = self.spent = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    async def _reset(self) -> uuid.UUID:
        async with unit_of_work(self.sessionmaker) as session:
            await session.execute(text(RESET))
        return await ps.member(self.sessionmaker)

    @initialize()
    def a_member(self) -> None:
        clock.set_now(START)
        self.member_id = self.run(self._reset())

    @rule(points=st.integers(1, 500), pending=st.booleans(), expires_in=st.integers(1, 60))
    def earn(self, points: int, pending: bool, expires_in: int) -> None:
        source = f"stay:{uuid.uuid4()}:v1"
        final_on = clock.today() + timedelta(days=3 if pending else 0)

        async def go() -> None:
            async with unit_of_work(self.sessionmaker) as session:
                await ledger.earn(
                    session, member_id=self.member_id, source=source, points=points,
                    earned_at=clock.now(), final_on=final_on,
                    expires_on=final_on + timedelta(days=expires_in), actor="tests",
                )  # fmt: skip

        self.run(go())
        self.sources.append(source)
        self.earned += points

    @rule(days=st.integers(1, 20))
    def nights_pass(self, days: int) -> None:
        """The 03:10 and 03:20 jobs of each day."""

        async def go() -> None:
            for _day in range(days):
                clock.advance(timedelta(days=1))
                async with unit_of_work(self.sessionmaker) as session:
                    await ledger.activate_due(session)
                async with unit_of_work(self.sessionmaker) as session:
                    await ledger.expire_due(session)

        self.run(go())

    @rule(points=st.integers(1, 300))
    def lock(self, points: int) -> None:
        active = self.run(ps.balance(self.sessionmaker, self.member_id)).active
        redemption_id = uuid.uuid4()

        async def go() -> None:
            async with unit_of_work(self.sessionmaker) as session:
                await ledger.lock(session, member_id=self.member_id, points=points,
                                  redemption_id=redemption_id, actor="mei")  # fmt: skip

        try:
            self.run(go())
        except Conflict:
            assert points > active
            return
        assert points <= active
        self.open[redemption_id] = points

    @precondition(lambda self: self.open)
    @rule(data=st.data(), approve=st.booleans())
    def settle(self, data: st.DataObject, approve: bool) -> None:
        redemption_id = data.draw(st.sampled_from(sorted(self.open)))

        async def go() -> int:
            async with unit_of_work(self.sessionmaker) as session:
                settle = ledger.spend if approve else ledger.release
                return await settle(session, redemption_id=redemption_id, actor="gm")

        held = self.open.pop(redemption_id)
        assert self.run(go()) == held
        if approve:
            self.spent += held

    @precondition(lambda self: self.sources)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(self.sources))

        async def go() -> int:
            async with unit_of_work(self.sessionmaker) as session:
                return await ledger.reverse(session, source=source, actor="nora")

        self.run(go())

    @invariant()
    def adds_up(self) -> None:
        if not hasattr(self, "member_id"):
            return
        points = self.run(ps.balance(self.sessionmaker, self.member_id))  # checks the buckets
        assert points.earned == self.earned
        assert points.locked == sum(self.open.values())
        assert points.spent == self.spent

    @invariant()
    def lots_within_bounds(self) -> None:
        async def go() -> int:
            async with self.sessionmaker() as session:
                return int(
                    await session.scalar(
                        select(func.count()).where(
                            (points_lot.c.remaining < 0)
                            | (points_lot.c.remaining > points_lot.c.points)
                        )
                    )
                    or 0
                )

        assert self.run(go()) == 0


def test_random_use_keeps_the_points_ledger_adding_up() -> None:
    """CS-5, CS-2: 25 examples of up to 25 steps against the test database."""
    loop = asyncio.new_event_loop()
    engine = make_engine(INFRA.database_url, pool_size=2)
    PointsLedger.loop, PointsLedger.sessionmaker = loop, make_sessionmaker(engine)
    try:
        run_state_machine_as_test(
            PointsLedger,
            settings=settings(
                max_examples=25, stateful_step_count=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )  # fmt: skip
    finally:
        clock.set_now(None)
        loop.run_until_complete(engine.dispose())
        loop.close()
