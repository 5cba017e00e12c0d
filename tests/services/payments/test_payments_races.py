"""Money moved twice at once is moved once (issue 17: no money created or counted twice):
the same cash handover sent twice at the same moment, one statement approved by two finance
users at once, and one bank entry matched by hand to two expected payments at once. Each race
leaves one winner, a refusal for the other, and a ledger that still checks."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import func, select

from services.payments.bank import matching
from services.payments.expected import ExpectedPayment
from services.payments.ledger.balances import balance_of, check
from services.payments.ledger.models import LedgerTransaction
from services.payments.settlement import service as statements
from shared.auth import Role, Staff
from shared.db import unit_of_work
from shared.errors import DomainError
from tests.services.payments.bank_support import expected
from tests.services.payments.settlement_support import OCTOBER, PEACE, bank_entry, seed_ledger
from tests.services.payments.slips_support import signed_cash_slip

COLLECT = Staff(1, "collect", "Collect desk", (Role.COLLECT_DESK.value,), "")
FAY = Staff(2, "fay", "Fay", (Role.FINANCE.value,), "")
FINN = Staff(3, "finn", "Finn", (Role.FINANCE.value,), "")


async def _outcome(sessionmaker: Any, action: Any) -> str:
    """Run ``action(session)`` in its own unit of work: "ok", or the refusal's class."""
    try:
        async with unit_of_work(sessionmaker) as session:
            await action(session)
        return "ok"
    except DomainError as exc:
        return type(exc).__name__


async def _count(sessionmaker: Any, kind: str) -> int:
    async with sessionmaker() as session:
        statement = select(func.count()).where(LedgerTransaction.kind == kind)
        return int(await session.scalar(statement.select_from(LedgerTransaction)) or 0)


async def test_pay2_the_same_handover_twice_at_once_counts_the_cash_once(  # type: ignore[no-untyped-def]
    sessionmaker, login_as
) -> None:
    slip = await signed_cash_slip(sessionmaker, 80_000)
    finance = await login_as("fay", Role.FINANCE)
    body = {
        "collector": "qian",  # the desk person who took it (slips_support)
        "slip_ids": [str(slip.slip_id)],
        "counted": [{"currency": "CNY", "amount_minor": 80_000}],
    }
    answers = await asyncio.gather(
        *(finance.post_json("/payments/api/slips/handovers", body) for _ in range(4))
    )
    assert sorted(answer.status_code for answer in answers) == [201, 409, 409, 409]
    async with sessionmaker() as session:
        assert await balance_of(session, "cash_with_finance", "CNY") == 80_000
        assert (await check(session)).healthy
    assert await _count(sessionmaker, "cash_handover") == 1


async def test_pay5_one_statement_approved_by_two_at_once_is_approved_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    async with unit_of_work(sessionmaker) as session:
        (draft,) = await statements.generate(session, COLLECT, OCTOBER, PEACE)
        draft_id = draft.statement_id
    outcomes = await asyncio.gather(
        *(
            _outcome(sessionmaker, lambda s, who=who: statements.approve(s, draft_id, who))
            for who in (FAY, FINN, FAY, FINN)
        )
    )
    assert outcomes.count("ok") == 1, outcomes
    async with sessionmaker() as session:
        expectations = await session.scalar(
            select(func.count())
            .select_from(ExpectedPayment)
            .where(ExpectedPayment.source_id == draft_id)
        )
        assert expectations == 1
        assert (await check(session)).healthy
    assert await _count(sessionmaker, "settlement_netting") == 1


async def test_pay5_one_bank_entry_matched_to_two_payments_at_once_pays_one(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    first = await expected(sessionmaker, "RL-RACE-1", 30_000)
    second = await expected(sessionmaker, "RL-RACE-2", 30_000)
    entry = await bank_entry(sessionmaker, 30_000, "RL-RACE-1 RL-RACE-2")

    def match(expected_id: uuid.UUID) -> Any:
        return lambda s: matching.match_by_hand(
            s, entry_id=entry, expected_payment_id=expected_id, staff=FAY
        )

    outcomes = await asyncio.gather(*(_outcome(sessionmaker, match(e)) for e in (first, second)))
    assert sorted(outcomes) == ["Conflict", "ok"], outcomes
    async with sessionmaker() as session:
        statuses = await session.scalars(
            select(ExpectedPayment.status).where(
                ExpectedPayment.expected_payment_id.in_([first, second])
            )
        )
        assert sorted(statuses) == ["matched", "open"]
        assert await balance_of(session, "bank", "CNY") == 30_000
        assert (await check(session)).healthy
