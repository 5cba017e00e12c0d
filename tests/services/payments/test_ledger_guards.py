"""The ledger's rules held by the database itself and by the posting code: balanced in each
currency, append-only, closed once committed, one transaction per idempotency key even when
ten requests race (issue 17)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from services.payments.ledger.balances import balance_of, check
from services.payments.ledger.models import LedgerTransaction
from services.payments.ledger.postings import Fx, Leg, Posting, post, reverse, transfer
from shared.auth import Role
from shared.db import unit_of_work
from shared.errors import Conflict
from tests.support.infra import INFRA

DSN = INFRA.database_url.replace("+asyncpg", "")
BATCH = "/payments/api/ledger/transactions/batch"


def _sale(key: str, amount: int = 10_000) -> Posting:
    return Posting(
        idempotency_key=key,
        kind="payment_taken",
        legs=transfer("cash_on_hand:qian", f"guest_receivable:{uuid.uuid4()}", amount, "CNY"),
    )


async def test_the_same_posting_ten_times_at_once_is_one_transaction(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    posting = _sale("slip:42:payment:1")

    async def one() -> tuple[uuid.UUID, bool]:
        async with unit_of_work(sessionmaker) as session:
            posted = await post(session, posting, actor="qian")
            return posted.transaction_id, posted.created

    answers = await asyncio.gather(*(one() for _ in range(10)))
    assert len({transaction_id for transaction_id, _ in answers}) == 1
    assert sum(created for _, created in answers) == 1
    async with sessionmaker() as session:
        assert await balance_of(session, "cash_on_hand:qian", "CNY") == 10_000
        assert (await check(session)).healthy


async def test_a_key_reused_for_another_amount_is_refused(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessionmaker) as session:
        await post(session, _sale("k1"), actor="qian")
    with pytest.raises(Conflict):
        async with unit_of_work(sessionmaker) as session:
            await post(session, _sale("k1", amount=9_999), actor="qian")


def test_an_unbalanced_request_is_refused_before_the_database() -> None:
    with pytest.raises(ValidationError, match="debits and credits differ: CNY \\+1"):
        Posting(
            idempotency_key="x",
            kind="adjustment",
            legs=[
                Leg(account="bank", currency="CNY", amount_minor=101),
                Leg(account="equity", currency="CNY", amount_minor=-100),
            ],
        )
    with pytest.raises(ValidationError, match="need the rate"):
        Posting(
            idempotency_key="x",
            kind="adjustment",
            legs=[*transfer("bank", "equity", 100, "CNY"), *transfer("bank", "equity", 5, "THB")],
        )


async def test_two_currencies_with_the_rate_used_balance_each_side(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """HR-14: CNY 1,000.00 taken for a THB 4,900.00 stay, at 1 CNY = 4.9 THB."""
    booking = uuid.uuid4()
    posting = Posting(
        idempotency_key="fx-1",
        kind="payment_taken",
        legs=[
            *transfer("cash_on_hand:qian", "fx_conversion", 100_000, "CNY"),
            *transfer("fx_conversion", f"guest_receivable:{booking}", 490_000, "THB"),
        ],
        fx=Fx(base="CNY", quote="THB", rate="4.9"),
    )
    async with unit_of_work(sessionmaker) as session:
        await post(session, posting, actor="qian")
    async with sessionmaker() as session:
        assert await balance_of(session, f"guest_receivable:{booking}", "THB") == -490_000
        assert (await check(session)).healthy


async def test_a_reversal_cancels_exactly_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessionmaker) as session:
        original = await post(session, _sale("r1"), actor="qian")
    async with unit_of_work(sessionmaker) as session:
        first = await reverse(session, original.transaction_id, actor="sun")
    async with unit_of_work(sessionmaker) as session:
        again = await reverse(session, original.transaction_id, actor="sun")
    assert first.created and not again.created and first.transaction_id == again.transaction_id
    async with sessionmaker() as session:
        assert await balance_of(session, "cash_on_hand:qian", "CNY") == 0
    with pytest.raises(Conflict):
        async with unit_of_work(sessionmaker) as session:
            await reverse(session, first.transaction_id, actor="sun")


@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE payments.ledger_entry SET amount_minor = amount_minor * 2",
        "DELETE FROM payments.ledger_entry",
        "UPDATE payments.ledger_transaction SET memo = 'edited'",
        "DELETE FROM payments.ledger_transaction",
        # A balanced pair slipped into a committed transaction: refused all the same.
        """INSERT INTO payments.ledger_entry (transaction_id, account, currency, amount_minor)
           SELECT transaction_id, 'bank', 'CNY', v FROM payments.ledger_transaction,
           (VALUES (5), (-5)) AS t(v)""",
    ],
)
async def test_sql_by_hand_cannot_edit_the_ledger(sessionmaker, attack: str) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessionmaker) as session:
        await post(session, _sale("h1"), actor="qian")
    conn = await asyncpg.connect(DSN)
    try:
        with pytest.raises(asyncpg.PostgresError):
            await conn.execute(attack)
        rows = await conn.fetch("SELECT account, amount_minor FROM payments.ledger_entry")
    finally:
        await conn.close()
    assert sorted(row["amount_minor"] for row in rows) == [-10_000, 10_000]


@pytest.mark.parametrize(
    ("legs", "fx", "message"),
    [
        ([("bank", "CNY", 100), ("equity", "CNY", -99)], False, "does not balance"),
        ([("bank", "CNY", 100)], False, "does not balance"),
        (
            [
                ("bank", "CNY", 100),
                ("equity", "CNY", -100),
                ("bank", "THB", 5),
                ("equity", "THB", -5),
            ],
            False,
            "without a rate",
        ),
        ([], False, "has 0 entries"),
    ],
)
async def test_sql_by_hand_cannot_write_an_unbalanced_transaction(  # type: ignore[no-untyped-def]
    legs, fx: bool, message: str
) -> None:
    conn = await asyncpg.connect(DSN)
    try:
        with pytest.raises(asyncpg.PostgresError, match=message):
            async with conn.transaction():
                tx = await conn.fetchval(
                    """INSERT INTO payments.ledger_transaction (transaction_id, idempotency_key,
                       request_hash, kind, memo, effective_on, posted_by)
                       VALUES (gen_random_uuid(), 'by-hand', '', 'adjustment', '', current_date,
                       'psql') RETURNING transaction_id"""
                )
                for account, currency, amount in legs:
                    await conn.execute(
                        """INSERT INTO payments.ledger_entry
                           (transaction_id, account, currency, amount_minor)
                           VALUES ($1, $2, $3, $4)""",
                        tx, account, currency, amount,
                    )  # fmt: skip
        assert await conn.fetchval("SELECT count(*) FROM payments.ledger_transaction") == 0
    finally:
        await conn.close()


async def test_a_batch_posts_all_or_nothing_naming_the_refused_posting(
    login_as, sessionmaker
) -> None:  # type: ignore[no-untyped-def]
    """The batch API (TigerBeetle-style): one commit for the lot; a key reused for another
    posting refuses the whole batch with its position, and nothing of it is written."""
    finance = await login_as("sun", Role.FINANCE)
    first, second = _sale("b1"), _sale("b2")
    body = {"postings": [first.model_dump(mode="json"), second.model_dump(mode="json")]}
    posted = await finance.post_json(BATCH, body)
    assert posted.status_code == 201, posted.text
    assert [answer["created"] for answer in posted.json()] == [True, True]
    again = await finance.post_json(BATCH, body)
    assert [answer["created"] for answer in again.json()] == [False, False]
    clash = _sale("b1", amount=1)
    third = _sale("b3")
    body = {"postings": [third.model_dump(mode="json"), clash.model_dump(mode="json")]}
    refused = await finance.post_json(BATCH, body)
    assert refused.status_code == 409
    assert refused.json()["fields"][0]["field"] == "postings.1.idempotency_key"
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(LedgerTransaction)) == 2
    desk = await login_as("qian", Role.COLLECT_DESK)
    assert (await desk.post_json(BATCH, body)).status_code == 403
