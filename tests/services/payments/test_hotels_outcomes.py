"""The hotel side of a stay outcome (PAY-3, PAY-4, NS-3, NS-7): each posting rule, its
correction by reversal, a redelivered or late event posting nothing more, and a cancellation
owing back exactly what the guest paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from services.payments.hotels.models import StayPosting
from services.payments.hotels.outcomes import commission_of, refunds_payable
from services.payments.ledger import chart
from services.payments.ledger.balances import balance_of, check
from services.payments.ledger.models import LedgerTransaction
from shared.db import unit_of_work
from tests.services.payments.hotels_support import (
    cancel,
    hotel,
    no_show,
    outcome,
    pay,
    place,
    placed,
    stayed,
)

CNY = "CNY"


async def _balances(sessionmaker: Any, *accounts: str) -> list[int]:
    async with sessionmaker() as session:
        assert (await check(session)).healthy
        return [await balance_of(session, account, CNY) for account in accounts]


async def _kinds(sessionmaker: Any, booking_id: Any) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(LedgerTransaction.kind)
            .where(LedgerTransaction.booking_id == booking_id)
            .order_by(LedgerTransaction.posted_at)
        )
        return list(rows)


async def test_a_prepaid_stay_owes_the_hotel_its_net_and_keeps_our_margin(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """PAY-4: Dr guest receivable 688.00, Cr hotel payable 584.80, Cr margin 103.20."""
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    async with unit_of_work(sessionmaker) as session:
        await pay(session, booking.booking_id, 68_800)
    assert await outcome(sessionmaker, stayed(booking, 1)) == "handled"
    guest, payable, margin = await _balances(
        sessionmaker,
        chart.guest_receivable(booking.booking_id),
        chart.hotel_payable(hotel_id),
        "margin_revenue",
    )
    assert (guest, payable, margin) == (0, -58_480, -10_320)


async def test_pay_at_hotel_commission_is_rounded_half_up(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """PAY-4: 10% of 68,805 fen is 6,880.5 → 6,881; the hotel owes it to us."""
    assert commission_of(68_805, Decimal("10")) == 6_881
    assert commission_of(68_804, Decimal("10")) == 6_880
    assert commission_of(10_001, Decimal("12.5")) == 1_250  # 1250.125
    hotel_id = await hotel(sessionmaker, commission_percent=Decimal("10.00"))
    booking = await place(sessionmaker, placed(hotel_id, payment_mode="pay_at_hotel"))
    await outcome(sessionmaker, stayed(booking, 1, revenue=68_805, net=58_480))
    receivable, revenue, guest = await _balances(
        sessionmaker,
        chart.commission_receivable(hotel_id),
        "commission_revenue",
        chart.guest_receivable(booking.booking_id),
    )
    assert (receivable, revenue, guest) == (6_881, -6_881, 0)


async def test_pay_at_hotel_without_terms_posts_nothing(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    hotel_id = await hotel(sessionmaker)  # a net-prepaid contract: no commission percent
    booking = await place(sessionmaker, placed(hotel_id, payment_mode="pay_at_hotel"))
    assert await outcome(sessionmaker, stayed(booking, 1)) == "handled"
    assert await _kinds(sessionmaker, booking.booking_id) == []


async def test_a_final_prepaid_no_show_takes_the_fee_and_owes_back_the_rest(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """NS-7: the fee from what the guest paid; the rest is refundable. Provisional: nothing."""
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    async with unit_of_work(sessionmaker) as session:
        await pay(session, booking.booking_id, 68_800)
    await outcome(sessionmaker, no_show(booking, 1, stage="provisional", fee=20_000))
    assert await _kinds(sessionmaker, booking.booking_id) == ["payment_taken"]
    await outcome(sessionmaker, no_show(booking, 2, fee=20_000))
    guest, income, refunds = await _balances(
        sessionmaker,
        chart.guest_receivable(booking.booking_id),
        "no_show_fee_income",
        refunds_payable(booking.booking_id),
    )
    assert (guest, income, refunds) == (0, -20_000, -48_800)


async def test_a_guaranteed_pay_at_hotel_no_show_fee_is_owed_by_the_hotel(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    hotel_id = await hotel(sessionmaker, commission_percent=Decimal(8), guaranteed=True)
    booking = await place(sessionmaker, placed(hotel_id, payment_mode="pay_at_hotel"))
    await outcome(sessionmaker, no_show(booking, 1, fee=30_000, guaranteed=True))
    assert await _balances(sessionmaker, chart.no_show_fee_receivable(hotel_id)) == [30_000]
    unguaranteed = await place(sessionmaker, placed(hotel_id, payment_mode="pay_at_hotel"))
    await outcome(sessionmaker, no_show(unguaranteed, 1, fee=30_000, guaranteed=False))
    assert await _kinds(sessionmaker, unguaranteed.booking_id) == []


async def test_stayed_then_no_show_then_stayed_reverses_each_time(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """NS-3: each correction reverses the outcome it replaces before posting its own."""
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    async with unit_of_work(sessionmaker) as session:
        await pay(session, booking.booking_id, 68_800)
    await outcome(sessionmaker, stayed(booking, 1))
    await outcome(sessionmaker, no_show(booking, 2, fee=10_000))
    accounts = (
        chart.guest_receivable(booking.booking_id),
        chart.hotel_payable(hotel_id),
        "no_show_fee_income",
        refunds_payable(booking.booking_id),
    )
    assert await _balances(sessionmaker, *accounts) == [0, 0, -10_000, -58_800]
    await outcome(sessionmaker, stayed(booking, 3))
    assert await _balances(sessionmaker, *accounts) == [0, -58_480, 0, 0]
    assert sorted(await _kinds(sessionmaker, booking.booking_id)) == sorted([
        "payment_taken", "stay_prepaid", "reversal", "no_show_fee", "refund_due",
        "reversal", "reversal", "stay_prepaid",
    ])  # fmt: skip


async def test_an_outcome_delivered_twice_or_late_posts_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    second = stayed(booking, 2)
    await outcome(sessionmaker, second)
    await outcome(sessionmaker, second)  # a new delivery id: the inbox does not drop it
    await outcome(sessionmaker, no_show(booking, 1, fee=10_000))  # older: nothing
    assert await _kinds(sessionmaker, booking.booking_id) == ["stay_prepaid"]
    async with sessionmaker() as session:
        row = await session.get(StayPosting, booking.booking_id)
        assert row is not None and (row.outcome_version, row.outcome) == (2, "stayed")


async def test_cancelling_owes_back_exactly_what_was_paid(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    async with unit_of_work(sessionmaker) as session:
        await pay(session, booking.booking_id, 30_000, 1)
        await pay(session, booking.booking_id, 12_345, 2)
    await outcome(sessionmaker, stayed(booking, 1))
    await cancel(sessionmaker, booking)
    accounts = (
        chart.guest_receivable(booking.booking_id),
        refunds_payable(booking.booking_id),
        chart.hotel_payable(hotel_id),
        "margin_revenue",
    )
    assert await _balances(sessionmaker, *accounts) == [0, -42_345, 0, 0]
    await outcome(sessionmaker, stayed(booking, 2))  # after the cancellation: nothing
    assert await _balances(sessionmaker, *accounts) == [0, -42_345, 0, 0]


async def test_a_cancelled_booking_nobody_paid_for_owes_nothing(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    hotel_id = await hotel(sessionmaker)
    booking = await place(sessionmaker, placed(hotel_id))
    await cancel(sessionmaker, booking)
    assert await _kinds(sessionmaker, booking.booking_id) == []


@pytest.mark.parametrize(("deposit", "drawn"), [(100_000, 58_480), (20_000, 20_000), (0, 0)])
async def test_a_deposit_pays_the_net_up_to_its_balance(sessionmaker, deposit, drawn) -> None:  # type: ignore[no-untyped-def]
    """PAY-3: the draw-down never exceeds what the hotel holds."""
    from services.payments.ledger.postings import Posting, post, transfer

    hotel_id = await hotel(sessionmaker, deposit_minor=deposit)
    if deposit:
        async with unit_of_work(sessionmaker) as session:
            legs = transfer(chart.deposit_held(hotel_id), "bank", deposit, CNY)
            posting = Posting(idempotency_key="deposit:t", kind="deposit_paid", legs=legs)
            await post(session, posting, actor="fay")
    booking = await place(sessionmaker, placed(hotel_id))
    await outcome(sessionmaker, stayed(booking, 1))
    payable, held = await _balances(
        sessionmaker, chart.hotel_payable(hotel_id), chart.deposit_held(hotel_id)
    )
    assert (payable, held) == (-58_480 + drawn, deposit - drawn)
    async with sessionmaker() as session:
        drawdowns = await session.scalar(
            select(func.count()).where(LedgerTransaction.kind == "deposit_drawdown")
        )
    assert drawdowns == (1 if drawn else 0)


async def test_the_same_outcome_delivered_five_times_at_once_posts_once(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """Each delivery has its own event id (the inbox cannot drop them); the booking's row lock
    and the outcome version let one through."""
    import asyncio

    hotel_id = await hotel(sessionmaker, deposit_minor=10_000)
    booking = await place(sessionmaker, placed(hotel_id))
    event = stayed(booking, 1)
    answers = await asyncio.gather(*(outcome(sessionmaker, event) for _ in range(5)))
    assert answers == ["handled"] * 5
    assert await _kinds(sessionmaker, booking.booking_id) == ["stay_prepaid"]
