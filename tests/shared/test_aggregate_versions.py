"""Issue 12: the outbox numbers each aggregate's events in the transaction that writes them.
Within one ``publish_many`` an aggregate's versions are consecutive and follow the payloads'
order; across transactions they follow commit order, because the counter's row stays locked
until the first transaction ends (ARCHITECTURE, events: an update applies only if newer)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.clock import clock
from shared.db import unit_of_work
from shared.events import Envelope
from shared.events.confirmation import ReceiptCheckedV1
from shared.events.contracts import AllotmentSetV1, NightAllotment
from shared.events.members import MemberUpdatedV1
from shared.events.outbox import publish, publish_many

Sessionmaker = async_sessionmaker[AsyncSession]
SCHEMA = "contracts"


def allotment(hotel_id: uuid.UUID, rooms: int) -> AllotmentSetV1:
    night = NightAllotment(night=date(2026, 12, 24), rooms=rooms)
    return AllotmentSetV1(hotel_id=hotel_id, room_type_id=uuid.uuid4(), nights=[night])


def member(version_no: int) -> MemberUpdatedV1:
    return MemberUpdatedV1(
        member_id=uuid.uuid4(), version_no=version_no, card_no="M1", full_name="张伟",
        level="gold", updated_at=datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip


async def stored(sessionmaker: Sessionmaker) -> dict[uuid.UUID, tuple[str | None, int | None]]:
    """event id -> (aggregate, aggregate_version) as the relay will read them."""
    async with sessionmaker() as session:
        rows = await session.execute(
            text(f"SELECT event_id, aggregate, aggregate_version FROM {SCHEMA}.outbox")
        )
        return {row.event_id: (row.aggregate, row.aggregate_version) for row in rows}


async def test_issue12_publish_many_numbers_each_aggregate_consecutively_in_order(
    sessionmaker,
) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    receipt = ReceiptCheckedV1(
        task_id=uuid.uuid4(),
        booking_ref="RL1",
        by="cora",
        checked_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    payloads = [allotment(a, 1), allotment(b, 1), allotment(a, 2), member(7), receipt]
    payloads += [allotment(a, 3), allotment(b, 2)]
    async with unit_of_work(sessionmaker) as session:
        batch = await publish_many(
            session, schema=SCHEMA, payloads=payloads, occurred_at=clock.now()
        )
    async with unit_of_work(sessionmaker) as session:
        later = await publish(
            session, schema=SCHEMA, payload=allotment(a, 4), occurred_at=clock.now()
        )

    assert [(e.aggregate, e.aggregate_version) for e in batch] == [
        (f"hotel:{a}", 1), (f"hotel:{b}", 1), (f"hotel:{a}", 2),
        (f"member:{payloads[3].member_id}", 7),  # its own counter, not the outbox's
        (None, None),  # no aggregate: unordered
        (f"hotel:{a}", 3), (f"hotel:{b}", 2),
    ]  # fmt: skip
    assert (later.aggregate, later.aggregate_version) == (f"hotel:{a}", 4)
    assert await stored(sessionmaker) == {
        e.event_id: (e.aggregate, e.aggregate_version) for e in [*batch, later]
    }


async def _publish_and_commit(sessionmaker: Sessionmaker, hotel_id: uuid.UUID) -> Envelope:
    async with unit_of_work(sessionmaker) as session:
        payload = allotment(hotel_id, 2)
        return await publish(session, schema=SCHEMA, payload=payload, occurred_at=clock.now())


async def test_issue12_two_transactions_on_one_hotel_get_increasing_versions_in_commit_order(
    sessionmaker,
) -> None:
    hotel_id = uuid.uuid4()
    async with sessionmaker() as first_session:
        first = await publish(
            first_session, schema=SCHEMA, payload=allotment(hotel_id, 1), occurred_at=clock.now()
        )
        second = asyncio.create_task(_publish_and_commit(sessionmaker, hotel_id))
        await asyncio.sleep(0.5)
        # The counter's row is locked by the first transaction: the second waits for it…
        assert not second.done()
        await first_session.commit()
    # …and, numbered after the first one's commit, gets the next version.
    assert (first.aggregate_version, (await second).aggregate_version) == (1, 2)


async def test_issue12_a_rolled_back_transaction_leaves_its_version_to_the_next(
    sessionmaker,
) -> None:
    hotel_id = uuid.uuid4()
    async with sessionmaker() as abandoned:
        await publish(
            abandoned, schema=SCHEMA, payload=allotment(hotel_id, 1), occurred_at=clock.now()
        )
        waiting = asyncio.create_task(_publish_and_commit(sessionmaker, hotel_id))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        await abandoned.rollback()

    assert (await waiting).aggregate_version == 1
