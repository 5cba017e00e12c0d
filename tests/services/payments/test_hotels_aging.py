"""PAY-3: what hotels owe us, by age from each charge's date, payments applied to the oldest
first, reversed charges left out, oldest hotel first, with the last chase."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from services.payments.hotels import aging
from services.payments.ledger import chart
from services.payments.ledger.postings import Posting, post, reverse, transfer
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import unit_of_work

TODAY = date(2026, 12, 6)
FAY = Staff(
    user_id=1, username="fay", display_name="Fay", roles=(Role.FINANCE.value,), csrf_token=""
)


def test_buckets_run_0_30_31_60_61_90_and_beyond() -> None:
    assert [aging.bucket_of(days) for days in (0, 30, 31, 60, 61, 90, 91, 400)] == [
        0, 0, 1, 1, 2, 2, 3, 3,
    ]  # fmt: skip
    assert aging.bucket_of(-2) == 0  # dated ahead of today: youngest


def test_payments_close_the_oldest_charges_first() -> None:
    charges = [(date(2026, 11, 20), 500), (date(2026, 8, 1), 300), (date(2026, 10, 1), 400)]
    assert aging.open_items(charges, 0) == sorted(charges)
    assert aging.open_items(charges, 350) == [(date(2026, 10, 1), 350), (date(2026, 11, 20), 500)]
    assert aging.open_items(charges, 1_500) == []


def _charge(
    key: str, hotel_id: uuid.UUID, amount: int, on: date, kind: str = "commission"
) -> Posting:
    account = (
        chart.commission_receivable(hotel_id)
        if kind == "commission"
        else chart.no_show_fee_receivable(hotel_id)
    )
    revenue = "commission_revenue" if kind == "commission" else "no_show_fee_income"
    return Posting(
        idempotency_key=key,
        kind="stay_commission" if kind == "commission" else "no_show_fee",
        legs=transfer(account, revenue, amount, "CNY"),
        hotel_id=hotel_id,
        effective_on=on,
    )


async def test_aging_of_hotels_oldest_first_with_the_last_chase(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    clock.set_now(datetime(2026, 12, 6, 2, 0, tzinfo=UTC))
    old, young = uuid.uuid4(), uuid.uuid4()
    async with unit_of_work(sessionmaker) as s:
        await post(s, _charge("a1", old, 10_000, date(2026, 8, 1)), actor="t")  # 127 days
        await post(s, _charge("a2", old, 20_000, date(2026, 10, 1), "fee"), actor="t")  # 66
        await post(s, _charge("a3", old, 30_000, date(2026, 11, 1)), actor="t")  # 35
        await post(s, _charge("a4", old, 40_000, date(2026, 12, 1)), actor="t")  # 5
        wrong = await post(s, _charge("a5", old, 99_000, date(2026, 7, 1)), actor="t")
        await reverse(s, wrong.transaction_id, actor="t")  # NS-3: gone from the list
        # The hotel paid 150.00 of commission: the August charge and half the October one.
        paid = transfer("bank", chart.commission_receivable(old), 15_000, "CNY")
        receipt = Posting(idempotency_key="a6", kind="settlement_collected", legs=paid,
                          effective_on=date(2026, 12, 2))  # fmt: skip
        await post(s, receipt, actor="t")
        await post(s, _charge("b1", young, 5_000, date(2026, 11, 30)), actor="t")
        await aging.record_chase(
            s, old, aging.ChaseInput(date(2026, 12, 3), "fax", "sent statement", None), FAY
        )
        await aging.record_chase(
            s, old, aging.ChaseInput(date(2026, 12, 5), "phone", "will pay", date(2026, 12, 10)),
            FAY,
        )  # fmt: skip
    async with sessionmaker() as session:
        rows = await aging.aging(session, TODAY)
    assert [row.hotel_id for row in rows] == [old, young]
    assert rows[0].buckets == [40_000, 30_000, 15_000, 0]
    assert rows[0].oldest_on == date(2026, 10, 1)
    assert rows[0].last_chase is not None and rows[0].last_chase.channel == "phone"
    assert rows[0].last_chase.promised_on == date(2026, 12, 10)
    assert rows[1].buckets == [5_000, 0, 0, 0] and rows[1].last_chase is None
