"""The payments desk's home and reports (PAY-6) in Chromium at 1366×768 against a real
``workers.run`` with the clock pinned to Wednesday 2 December 2026: finance opens the desk and
sees the cash still with the desk and the ledger's check; follows the link to the weekly
summary, picks last week and comes back; reads the balances by account and downloads them."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from services.payments.ledger.postings import Leg, Posting, post, transfer
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Beijing
HOTEL = uuid.uuid5(uuid.NAMESPACE_DNS, "peace-hotel")


def _seed() -> None:
    """A prepaid stay (PAY-4) and its 580.00 taken in cash by Qian on Monday (PAY-1)."""
    booking = uuid.uuid4()

    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as s:
                stay = [
                    Leg(account=f"guest_receivable:{booking}", currency="CNY", amount_minor=58_000),
                    Leg(account=f"hotel_payable:{HOTEL}", currency="CNY", amount_minor=-50_000),
                    Leg(account="margin_revenue", currency="CNY", amount_minor=-8_000),
                ]
                monday = date(2026, 11, 30)
                posting = Posting(
                    idempotency_key="stay", kind="stay_prepaid", legs=stay, effective_on=monday
                )
                await post(s, posting, actor="system")
                cash = transfer("cash_on_hand:qian", f"guest_receivable:{booking}", 58_000, "CNY")
                taken = Posting(
                    idempotency_key="cash", kind="payment_taken", legs=cash, effective_on=monday
                )
                await post(s, taken, actor="qian")
        finally:
            await engine.dispose()

    clock.set_now(NOW)
    try:
        asyncio.run(run())
    finally:
        clock.set_now(None)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_pay6_finance_reads_the_desk_and_the_week_in_the_browser() -> None:
    create_user_sync("zhao", Role.FINANCE)
    _seed()
    env = {"ROOMLINE_FROZEN_NOW": NOW.isoformat(), "ROOMLINE_DEFAULT_LOCALE": "en"}
    with (
        server_process(env=env, workers=False, relay=False) as (base_url, _),
        chromium() as browser,
    ):
        finance = log_in(browser, base_url, "zhao", password_for("zhao"))
        finance.goto("/payments/")
        expect(finance.locator("#ledger-check")).to_contain_text("every transaction balances")
        cash = finance.locator('tr[data-waiting="Cash not yet handed to finance"]')
        expect(cash).to_contain_text("580.00")
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_home.png"), full_page=True)

        finance.get_by_role("link", name="Weekly desk summary").click()
        expect(finance.locator("h1")).to_contain_text("2026-11-30 – 2026-12-06")
        expect(finance.locator("#payments tbody")).to_contain_text("Cash")
        expect(finance.locator("#kinds .bar")).to_have_count(2)  # the stay and the payment
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_weekly.png"), full_page=True)
        finance.get_by_role("link", name="Previous week").click()
        expect(finance.locator("h1")).to_contain_text("2026-11-23 – 2026-11-29")
        expect(finance.locator("#payments tbody")).to_contain_text("No payments taken this week.")
        finance.fill("input[name=week]", "2026-12-03")
        finance.locator("form.filters button[type=submit]").click()
        expect(finance.locator("h1")).to_contain_text("2026-11-30 – 2026-12-06")

        finance.get_by_role("link", name="Balances by account").first.click()
        expect(finance.locator("#hotel_payable + table")).to_contain_text("500.00")
        expect(finance.locator("#cash_on_hand + table")).to_contain_text("qian")
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_balances.png"), full_page=True)
        with finance.expect_download() as download:
            finance.get_by_role("link", name="Excel workbook").click()
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        rows = list(book.active.iter_rows(min_row=2, values_only=True))  # type: ignore[union-attr]
        assert ("Cash on hand", "qian", "cash_on_hand:qian", "CNY", 58_000) in rows
