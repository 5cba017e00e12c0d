"""The hotel side (PAY-3, PAY-4, PAY-6) in Chromium at 1366×768 against a real ``workers.run``:
finance reads what a pay-at-hotel hotel owes by age, opens its ledger, records a chase and a
deposit, follows a booking from the ledger to its transactions, and pays a cancelled booking's
refund; back on the hotels list the last chase stands beside the hotel."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.services.payments import hotels_support as hs
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> dict[str, Any]:
    """Jade Hotel on 10% commission: one pay-at-hotel stay of 688.00 (it owes us 68.80) and
    one prepaid booking the guest paid 300.00 for, then cancelled."""

    async def run() -> dict[str, Any]:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            sessionmaker = make_sessionmaker(engine)
            hotel_id = await hs.hotel(
                sessionmaker, name="Jade Hotel", commission_percent=Decimal(10)
            )
            stay = await hs.place(sessionmaker, hs.placed(hotel_id, payment_mode="pay_at_hotel"))
            await hs.outcome(sessionmaker, hs.stayed(stay, 1))
            gone = await hs.place(sessionmaker, hs.placed(hotel_id))
            async with unit_of_work(sessionmaker) as session:
                await hs.pay(session, gone.booking_id, 30_000)
            await hs.cancel(sessionmaker, gone)
            return {"hotel_id": hotel_id, "stay": stay.booking_ref, "gone": gone.booking_ref}
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_finance_chases_a_hotel_and_pays_a_refund_in_the_browser() -> None:
    create_user_sync("fay", Role.FINANCE)
    seeded = _seed()
    with (
        server_process(env={"ROOMLINE_DEFAULT_LOCALE": "en"}, workers=False, relay=False) as (
            base_url,
            _,
        ),
        chromium() as browser,
    ):
        fay = log_in(browser, base_url, "fay", password_for("fay"))
        fay.goto("/payments/hotels")
        row = fay.locator(f'tr[data-hotel="{seeded["hotel_id"]}"]')
        expect(row).to_contain_text("68.80")  # the commission, in the 0–30 days bucket
        expect(row).to_contain_text("not chased yet")
        _fits(fay)
        fay.screenshot(path=str(SHOTS / "payments_hotels.png"), full_page=True)

        row.get_by_role("link", name="Jade Hotel").click()
        expect(fay.locator("h1")).to_contain_text("Hotel ledger: Jade Hotel")
        fay.select_option("#channel", "phone")
        fay.fill("#promised_on", "2026-12-18")
        fay.fill("#chase_note", "Accounts clerk Ms Wu: pays with the month's statement")
        fay.locator("#chase-form button[type=submit]").click()
        expect(fay.locator("[role=status]")).to_contain_text("the chase is recorded")
        expect(fay.locator("#chases tbody")).to_contain_text("Ms Wu")

        fay.fill("#deposit_amount", "1000.00")
        fay.locator("#deposit-form button[type=submit]").click()
        expect(fay.locator("[role=status]")).to_contain_text("the deposit is on the hotel's ledger")
        expect(fay.locator("#balances")).to_contain_text("1,000.00")
        _fits(fay)
        fay.screenshot(path=str(SHOTS / "payments_hotel_ledger.png"), full_page=True)

        fay.locator("#ledger").get_by_role("link", name=seeded["stay"]).click()  # PAY-6
        expect(fay.locator("h1")).to_contain_text(seeded["stay"])
        expect(fay.locator('tbody[data-kind="stay_commission"]')).to_contain_text("68.80")

        fay.goto(f"/payments/bookings/{seeded['gone']}")
        expect(fay.locator("#refund-owed")).to_contain_text("300.00")
        expect(fay.locator("#refund_amount")).to_have_value("300.00")
        fay.select_option("#refund_method", "bank")
        fay.locator("#refund-form button[type=submit]").click()
        expect(fay.locator("[role=status]")).to_contain_text("the refund is paid")
        expect(fay.locator("#refund-owed")).to_contain_text("0.00")
        expect(fay.locator('tbody[data-kind="refund_paid"]')).to_have_count(1)
        _fits(fay)
        fay.screenshot(path=str(SHOTS / "payments_booking_refund.png"), full_page=True)

        fay.goto("/payments/hotels")
        expect(fay.locator(f'tr[data-hotel="{seeded["hotel_id"]}"]')).to_contain_text("fay")
