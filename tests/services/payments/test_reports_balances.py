"""PAY-6: balances by account, grouped by the chart's kinds and read on each account's normal
side (a payable owed shows positive), as of a day; the page, the workbook; and the ledger's
check with its gauge ``roomline_ledger_unbalanced_transactions``, which turns when the ledger is
unbalanced behind the triggers' back."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from openpyxl import load_workbook

from services.payments.ledger.postings import Leg, Posting, post, transfer
from services.payments.models import PayBooking, PayHotel
from services.payments.reports.metrics import UNBALANCED
from services.payments.reports.service import balances_by_account
from shared.auth import Role
from shared.clock import clock
from shared.db import unit_of_work
from tests.support.infra import INFRA

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
HOTEL = uuid.uuid5(uuid.NAMESPACE_DNS, "peace-hotel")
BOOKING = uuid.uuid5(uuid.NAMESPACE_DNS, "RL7Q2KX9")


async def _stay_paid_in_cash(sessionmaker: Any) -> None:
    """PAY-4: a prepaid stay sold at 580.00, the hotel's net 500.00; PAY-1: paid in cash."""
    clock.set_now(NOW)
    async with unit_of_work(sessionmaker) as s:
        s.add(PayHotel(hotel_id=HOTEL, name="Peace Hotel", currency="CNY"))
        s.add(
            PayBooking(
                booking_id=BOOKING,
                booking_ref="RL7Q2KX9",
                booking_version=1,
                hotel_id=HOTEL,
                hotel_name="Peace Hotel",
                check_in=date(2026, 12, 1),
                check_out=date(2026, 12, 2),
                rooms=1,
                booker_name="王芳",
                booker_phone="13912345678",
                agent_username="lina",
                payment_mode="prepaid",
                currency="CNY",
                total_sell_minor=58_000,
                total_net_minor=50_000,
                status="placed",
            )
        )
        stay = [
            Leg(account=f"guest_receivable:{BOOKING}", currency="CNY", amount_minor=58_000),
            Leg(account=f"hotel_payable:{HOTEL}", currency="CNY", amount_minor=-50_000),
            Leg(account="margin_revenue", currency="CNY", amount_minor=-8_000),
        ]
        on = date(2026, 12, 1)
        stayed = Posting(idempotency_key="stay", kind="stay_prepaid", legs=stay, effective_on=on)
        await post(s, stayed, actor="system")
        cash = transfer("cash_on_hand:qian", f"guest_receivable:{BOOKING}", 58_000, "CNY")
        await post(
            s,
            Posting(idempotency_key="cash", kind="payment_taken", legs=cash),  # today: 2 Dec
            actor="qian",
        )


def _table(groups: list[Any]) -> dict[str, list[tuple[str, str, int]]]:
    return {g.kind: [(r.party, r.currency, r.shown_minor) for r in g.rows] for g in groups}


async def test_pay6_balances_by_kind_on_the_normal_side(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    await _stay_paid_in_cash(sessionmaker)
    async with sessionmaker() as session:
        now = await balances_by_account(session)
        before_payment = await balances_by_account(session, date(2026, 12, 1))
    # Chart order: assets, then liabilities, then revenue; the guest paid in full: no row.
    assert _table(now) == {
        "cash_on_hand": [("qian", "CNY", 58_000)],
        "hotel_payable": [("Peace Hotel", "CNY", 50_000)],
        "margin_revenue": [("", "CNY", 8_000)],
    }
    assert [g.kind for g in now] == ["cash_on_hand", "hotel_payable", "margin_revenue"]
    assert now[1].totals == {"CNY": 50_000}
    assert _table(before_payment)["guest_receivable"] == [("RL7Q2KX9", "CNY", 58_000)]
    assert "cash_on_hand" not in _table(before_payment)


async def test_pay6_balances_page_and_workbook(sessionmaker, login_as) -> None:  # type: ignore[no-untyped-def]
    await _stay_paid_in_cash(sessionmaker)
    finance = await login_as("zhao", Role.FINANCE)
    page = await finance.page("/payments/reports/balances")
    assert page.status_code == 200
    assert "Hotel payable" in page.text and "Peace Hotel" in page.text
    assert "¥500.00" in page.text and "Ledger check: every transaction balances" in page.text
    old = await finance.page("/payments/reports/balances", params={"on": "2026-12-01"})
    assert "RL7Q2KX9" in old.text
    finance.http.cookies.set("roomline_locale", "zh_CN")
    chinese = await finance.page("/payments/reports/balances")
    assert "应付酒店款" in chinese.text and "各账户余额" in chinese.text
    finance.http.cookies.set("roomline_locale", "en")

    export = await finance.get("/payments/reports/balances.xlsx")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Account kind"
    assert ("Hotel payable", "Peace Hotel", f"hotel_payable:{HOTEL}", "CNY", 50_000) in rows
    assert len(rows) == 4


async def test_an_unbalanced_ledger_shows_on_the_page_and_the_gauge(
    sessionmaker, login_as, http
) -> None:  # type: ignore[no-untyped-def]
    await _stay_paid_in_cash(sessionmaker)
    desk = await login_as("qian", Role.COLLECT_DESK)
    assert "Ledger check: every" in (await desk.page("/payments/reports")).text
    assert UNBALANCED._value.get() == 0
    # Someone with the database's superuser turns the triggers off and writes a one-legged
    # transaction: the guards are bypassed, the check must still see it.
    conn = await asyncpg.connect(INFRA.database_url.replace("+asyncpg", ""))
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                "INSERT INTO payments.ledger_transaction (transaction_id, idempotency_key,"
                " request_hash, kind, memo, effective_on, posted_by) VALUES"
                " ($1, 'forged', '', 'adjustment', '', '2026-12-02', 'mallory')",
                uuid.uuid4(),
            )
            await conn.execute(
                "INSERT INTO payments.ledger_entry (transaction_id, account, currency,"
                " amount_minor) SELECT transaction_id, 'bank', 'CNY', 100"
                " FROM payments.ledger_transaction WHERE idempotency_key = 'forged'"
            )
    finally:
        await conn.close()
    page = await desk.page("/payments/reports")
    assert "Ledger check failed: 1 unbalanced transactions" in page.text and "CNY" in page.text
    assert UNBALANCED._value.get() == 1
    scrape = await (await http()).get("/payments/metrics")
    assert "roomline_ledger_unbalanced_transactions 1.0" in scrape.text
