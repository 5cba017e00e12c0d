"""Issue 17's slip in Chromium at 1366×768 against a real ``workers.run``: a prepaid booking
placed through intake's event opens a slip; the collect-on-behalf desk takes the cash and
submits it (PAY-1); a team lead signs; finance counts the cash in — a short count is refused
beside the field — and prints the receipt (PAY-2)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.db import make_engine, make_sessionmaker
from tests.services.payments.slips_support import deliver, placed
from tests.support.browser import VIEWPORT, chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> str:
    """A prepaid booking of two nights at CNY 688.00, as intake's event brings it."""

    async def run() -> str:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            booking = placed()
            assert await deliver(make_sessionmaker(engine), booking, version=1) == "handled"
            return booking.booking_ref
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fits(page: Page) -> None:
    """Nothing wider than the call centre's 1366-pixel screens."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width}px wide"


def _open_slip(page: Page, ref: str) -> None:
    page.goto("/payments/slips")
    page.click(f'tr[data-booking-ref="{ref}"] a')
    expect(page.locator("h1")).to_contain_text(ref)


def test_pay1_pay2_a_slip_taken_signed_and_handed_over_in_the_browser() -> None:
    create_user_sync("qian", Role.COLLECT_DESK)
    create_user_sync("lily", Role.TEAM_LEAD)
    create_user_sync("fay", Role.FINANCE)
    ref = _seed()
    env = {"ROOMLINE_DEFAULT_LOCALE": "en"}
    server = server_process(env=env, workers=False, relay=False)
    with server as (base_url, _), chromium() as browser:
        desk = log_in(browser, base_url, "qian", password_for("qian"))
        _open_slip(desk, ref)
        expect(desk.locator("#amount-due")).to_contain_text("1,376.00")
        desk.select_option("#method", "cash")
        desk.fill("#amount", "1376.00")
        desk.click("#payment-form button[type=submit]")
        expect(desk.locator("#payments tr[data-method=cash]")).to_have_count(1)
        expect(desk.locator("#outstanding")).to_contain_text("0.00")
        expect(desk.locator("#payment-form")).to_have_count(0)  # nothing more is owed
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "payments_slip_taken.png"), full_page=True)
        desk.click("#submit-form button[type=submit]")
        expect(desk.locator("#slip-state")).to_have_text("Awaiting signature")

        lead = log_in(browser, base_url, "lily", password_for("lily"))
        _open_slip(lead, ref)
        lead.click("#sign-form button[type=submit]")
        expect(lead.locator("#slip-state")).to_have_text("Signed")
        expect(lead.locator("#signer")).to_contain_text("lily")

        finance = log_in(browser, base_url, "fay", password_for("fay"))
        _open_slip(finance, ref)
        finance.click("#count-cash")
        expect(finance.locator(f'#handover-slips tr[data-booking-ref="{ref}"]')).to_have_count(1)
        finance.fill("#counted_CNY", "1370.00")
        finance.click("#handover-form button[type=submit]")
        expect(finance.locator("#counted_CNY-error")).to_contain_text("count again")
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_handover_short.png"), full_page=True)
        finance.fill("#counted_CNY", "1376.00")
        finance.click("#handover-form button[type=submit]")
        expect(finance.locator("#receipt-no")).to_contain_text("Cash receipt RC")
        expect(finance.locator('.counted[data-currency="CNY"]')).to_contain_text("1,376.00")
        expect(finance.locator(f'#receipt-slips tr[data-booking-ref="{ref}"]')).to_have_count(1)
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_cash_receipt.png"), full_page=True)
        _open_slip(finance, ref)
        expect(finance.locator("#slip-state")).to_have_text("Handed over")
        expect(finance.locator("#invoice-form")).to_have_count(1)
