"""Monthly statements from the ledger (PAY-4, PAY-5): totals of a hotel's month read from
postings, lines that add up, one line per transaction, approval netting the month and
expecting one payment, settlement when the bank match posts, and the regeneration rules."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from services.payments import reconcile
from services.payments.expected import ExpectedPayment
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of, check
from services.payments.settlement import service
from services.payments.settlement.ledger_read import LineData, LinesDoNotAddUp, totals_of
from services.payments.settlement.models import SettlementLine, SettlementStatement
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work
from shared.errors import Conflict, Forbidden, InvalidInput
from tests.services.payments.settlement_support import (
    HILTON,
    NOVEMBER,
    NOVEMBER_TOTALS,
    OCTOBER,
    OCTOBER_TOTALS,
    PEACE,
    add_posting,
    bank_entry,
    commission,
    seed_ledger,
    stay_prepaid,
)

COLLECT = Staff(1, "collect", "Collect desk", (Role.COLLECT_DESK.value,), "")
FAY = Staff(2, "fay", "Fay", (Role.FINANCE.value,), "")
FINN = Staff(3, "finn", "Finn", (Role.FINANCE.value,), "")
LEAD = Staff(4, "lee", "Lee", (Role.TEAM_LEAD.value,), "")


async def _generate(
    sm: Any, month: date, hotel: uuid.UUID | None = PEACE, who: Staff = COLLECT
) -> list[SettlementStatement]:
    async with unit_of_work(sm) as session:
        made = await service.generate(session, who, month, hotel)
        for statement in made:
            session.expunge(statement)
        return made


async def _approve(sm: Any, statement_id: uuid.UUID, who: Staff = FAY) -> SettlementStatement:
    async with unit_of_work(sm) as session:
        statement = await service.approve(session, statement_id, who)
        session.expunge(statement)
        return statement


async def _get(
    sm: Any, statement_id: uuid.UUID
) -> tuple[SettlementStatement, list[SettlementLine]]:
    async with sm() as session:
        statement = await session.get(SettlementStatement, statement_id)
        lines = await session.scalars(
            select(SettlementLine).where(SettlementLine.statement_id == statement_id)
        )
        return statement, list(lines)


async def _expectations(sm: Any, statement_id: uuid.UUID) -> list[ExpectedPayment]:
    async with sm() as session:
        rows = await session.scalars(
            select(ExpectedPayment).where(ExpectedPayment.source_id == statement_id)
        )
        return list(rows)


async def _match(sm: Any, expected: ExpectedPayment, on: date) -> None:
    """The bank's line for the expected payment, matched as the bank screen does."""
    sign = 1 if expected.direction == "in" else -1
    entry = await bank_entry(sm, sign * expected.amount_minor, expected.reference)
    async with unit_of_work(sm) as session:
        await reconcile.match(
            session, expected.expected_payment_id, bank_entry_id=entry, booked_on=on, actor="fay"
        )


def _totals(statement: SettlementStatement) -> dict[str, int]:
    return {name: getattr(statement, name) for name in OCTOBER_TOTALS}


async def test_pay4_a_hotels_month_read_from_the_ledger(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    (october,) = await _generate(sessionmaker, OCTOBER)
    (november,) = await _generate(sessionmaker, NOVEMBER)
    assert _totals(october) == OCTOBER_TOTALS
    assert _totals(november) == NOVEMBER_TOTALS
    assert october.reference == "RLS-202610-1A2B3C4D"
    assert (october.state, october.made_by, october.revision) == ("draft", "collect", 1)
    statement, lines = await _get(sessionmaker, october.statement_id)
    # One line per transaction of the month; the deposit placed is not the month's business.
    assert sorted(line.kind for line in lines) == [
        "deposit_drawdown", "no_show_fee", "stay_commission", "stay_prepaid",
    ]  # fmt: skip
    assert sum(line.payable_minor for line in lines) == 58480 - 30000
    assert sum(line.deposit_minor for line in lines) == statement.deposit_drawn_minor
    assert sum(line.commission_minor + line.no_show_fee_minor for line in lines) == 25000
    assert (
        sum(line.payable_minor - line.commission_minor - line.no_show_fee_minor for line in lines)
        == statement.net_minor
    )


async def test_pay5_every_hotel_with_activity_in_the_month(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    made = await _generate(sessionmaker, NOVEMBER, hotel=None)
    assert {(s.hotel_id, s.net_minor) for s in made} == {(PEACE, -7000), (HILTON, 10000)}
    # Hilton's only October-ish posting is in September: nothing to state in October.
    assert [s.hotel_id for s in await _generate(sessionmaker, OCTOBER, hotel=None)] == [PEACE]
    with pytest.raises(InvalidInput):
        await _generate(sessionmaker, OCTOBER, hotel=HILTON)


def test_lines_that_do_not_add_up_are_refused() -> None:
    odd = LineData(uuid.uuid4(), date(2026, 10, 1), "deposit_drawdown", None, "", -100, 0, 0, 90)
    with pytest.raises(LinesDoNotAddUp):
        totals_of([odd])


async def test_pay5_the_maker_and_non_finance_cannot_approve(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (draft,) = await _generate(sessionmaker, OCTOBER, who=FAY)
    with pytest.raises(Forbidden):
        await _approve(sessionmaker, draft.statement_id, who=FAY)  # the maker
    for who in (COLLECT, LEAD):
        with pytest.raises(Forbidden):
            await _approve(sessionmaker, draft.statement_id, who=who)
    with pytest.raises(Forbidden):
        await _generate(sessionmaker, OCTOBER, who=LEAD)
    statement, _ = await _get(sessionmaker, draft.statement_id)
    assert statement.state == "draft"
    assert await _expectations(sessionmaker, draft.statement_id) == []


async def test_pay5_we_pay_the_hotel_then_the_bank_match_settles(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (draft,) = await _generate(sessionmaker, OCTOBER)
    approved = await _approve(sessionmaker, draft.statement_id)
    assert (approved.state, approved.approved_by) == ("approved", "fay")
    (expected,) = await _expectations(sessionmaker, draft.statement_id)
    assert (expected.direction, expected.amount_minor, expected.reference) == (
        "out", 3480, "RLS-202610-1A2B3C4D",
    )  # fmt: skip
    assert expected.clears_account == chart.hotel_payable(PEACE)
    async with sessionmaker() as session:
        # Netted: the hotel's debts to us are set against what we owe; one payable remains.
        assert await balance_of(session, chart.hotel_payable(PEACE), "CNY") == -3480
        assert await balance_of(session, chart.commission_receivable(PEACE), "CNY") == 0
        assert await balance_of(session, chart.no_show_fee_receivable(PEACE), "CNY") == 0
    await _match(sessionmaker, expected, date(2026, 12, 3))
    statement, _ = await _get(sessionmaker, draft.statement_id)
    assert statement.state == "settled" and statement.settled_at is not None
    async with sessionmaker() as session:
        assert await balance_of(session, chart.hotel_payable(PEACE), "CNY") == 0
        assert (await check(session)).healthy


async def test_pay5_the_hotel_pays_us_one_expected_payment(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, NOVEMBER)
    (draft,) = await _generate(sessionmaker, NOVEMBER)
    await _approve(sessionmaker, draft.statement_id)
    # Commission and no-show fee mixed: netted into one account, one payment, one match.
    (expected,) = await _expectations(sessionmaker, draft.statement_id)
    assert (expected.direction, expected.amount_minor) == ("in", 7000)
    assert expected.clears_account == chart.commission_receivable(PEACE)
    await _match(sessionmaker, expected, date(2026, 12, 4))
    async with sessionmaker() as session:
        for account in (chart.commission_receivable(PEACE), chart.no_show_fee_receivable(PEACE)):
            assert await balance_of(session, account, "CNY") == 0
        # Only December's stay (not on November's statement) is still owed.
        assert await balance_of(session, chart.hotel_payable(PEACE), "CNY") == -4000
    assert (await _get(sessionmaker, draft.statement_id))[0].state == "settled"


async def test_a_zero_net_is_settled_on_approval(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, NOVEMBER)
    await add_posting(sessionmaker, commission("nov-e2", HILTON, date(2026, 11, 20), 10000))
    (draft,) = await _generate(sessionmaker, NOVEMBER, hotel=HILTON)
    assert draft.net_minor == 0
    settled = await _approve(sessionmaker, draft.statement_id)
    assert settled.state == "settled"
    assert settled.note == service.ZERO_NOTE
    assert await _expectations(sessionmaker, draft.statement_id) == []


async def test_generating_again_replaces_the_draft(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (first,) = await _generate(sessionmaker, OCTOBER)
    await add_posting(sessionmaker, stay_prepaid("oct-a2", PEACE, date(2026, 10, 28), 1200, 1000))
    (again,) = await _generate(sessionmaker, OCTOBER, who=FAY)
    assert (again.statement_id, again.revision, again.made_by) == (first.statement_id, 1, "fay")
    assert again.payables_minor == 58480 + 1000
    _, lines = await _get(sessionmaker, first.statement_id)
    assert len(lines) == 5


async def test_after_approval_a_new_revision_supersedes(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (first,) = await _generate(sessionmaker, OCTOBER)
    await _approve(sessionmaker, first.statement_id)
    await add_posting(sessionmaker, stay_prepaid("oct-a3", PEACE, date(2026, 10, 29), 1200, 1000))
    (second,) = await _generate(sessionmaker, OCTOBER)
    assert (second.revision, second.reference) == (2, "RLS-202610-1A2B3C4D-R2")
    assert second.net_minor == 3480 + 1000
    old, _ = await _get(sessionmaker, first.statement_id)
    assert (old.state, old.superseded_by) == ("superseded", second.statement_id)
    (cancelled,) = await _expectations(sessionmaker, first.statement_id)
    assert cancelled.status == "cancelled"
    async with sessionmaker() as session:  # the netting reversed: the month's balances again
        assert await balance_of(session, chart.commission_receivable(PEACE), "CNY") == 5000
        assert await balance_of(session, chart.hotel_payable(PEACE), "CNY") == -(
            58480 + 1000 - 30000
        )
    await _approve(sessionmaker, second.statement_id)
    (expected,) = await _expectations(sessionmaker, second.statement_id)
    assert (expected.amount_minor, expected.reference) == (4480, "RLS-202610-1A2B3C4D-R2")


async def test_a_settled_statement_stays_and_a_revision_carries_only_what_came_later(
    sessionmaker,
) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (first,) = await _generate(sessionmaker, OCTOBER)
    await _approve(sessionmaker, first.statement_id)
    (expected,) = await _expectations(sessionmaker, first.statement_id)
    await _match(sessionmaker, expected, date(2026, 11, 2))
    with pytest.raises(InvalidInput):  # nothing new: nothing is paid twice
        await _generate(sessionmaker, OCTOBER)
    await add_posting(sessionmaker, commission("oct-b9", PEACE, date(2026, 10, 31), 700))
    (late,) = await _generate(sessionmaker, OCTOBER)
    assert (late.revision, late.net_minor, late.commission_minor) == (2, -700, 700)
    assert (await _get(sessionmaker, first.statement_id))[0].state == "settled"
    _, lines = await _get(sessionmaker, late.statement_id)
    assert [line.kind for line in lines] == ["stay_commission"]


async def test_rejecting_returns_to_draft_and_undoes_the_approval(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    (draft,) = await _generate(sessionmaker, OCTOBER)
    await _approve(sessionmaker, draft.statement_id)
    async with unit_of_work(sessionmaker) as session:
        back = await service.reject(session, draft.statement_id, FINN, "Hotel disputes the fee")
        assert (back.state, back.rejected_reason, back.approved_by) == (
            "draft", "Hotel disputes the fee", None,
        )  # fmt: skip
    (cancelled,) = await _expectations(sessionmaker, draft.statement_id)
    assert cancelled.status == "cancelled"
    entry = await bank_entry(sessionmaker, 348000, cancelled.reference)
    with pytest.raises(Conflict):  # a cancelled expectation is not matched
        async with unit_of_work(sessionmaker) as session:
            await reconcile.match(
                session, cancelled.expected_payment_id, bank_entry_id=entry,
                booked_on=date(2026, 11, 2), actor="fay",
            )  # fmt: skip
    again = await _approve(sessionmaker, draft.statement_id, who=FINN)
    assert again.approvals == 2 and again.state == "approved"
    async with sessionmaker() as session:
        assert await balance_of(session, chart.hotel_payable(PEACE), "CNY") == -3480
        assert (await check(session)).healthy


async def test_the_monthly_cron_drafts_last_months_statements(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker)
    clock.set_now(datetime(2026, 12, 1, 2, 0, tzinfo=clock.business_tz))
    try:
        assert await service.generate_last_month_job({"sessionmaker": sessionmaker}) == 2
    finally:
        clock.set_now(None)
    async with sessionmaker() as session:
        drafts = await service.statements_of(session, NOVEMBER)
    assert {(s.hotel_id, s.state, s.made_by) for s in drafts} == {
        (PEACE, "draft", "cron"), (HILTON, "draft", "cron"),
    }  # fmt: skip
    assert await _approve(sessionmaker, drafts[0].statement_id)  # any finance user may approve


async def test_two_generations_at_once_make_one_draft(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await seed_ledger(sessionmaker, OCTOBER)
    made = await asyncio.gather(*(_generate(sessionmaker, OCTOBER) for _ in range(4)))
    assert len({statement.statement_id for (statement,) in made}) == 1
    async with sessionmaker() as session:
        (draft,) = await service.statements_of(session, OCTOBER)
        lines = await session.scalars(
            select(SettlementLine).where(SettlementLine.statement_id == draft.statement_id)
        )
        assert len(list(lines)) == 4
