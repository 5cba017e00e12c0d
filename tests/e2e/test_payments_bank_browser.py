"""Finance reconciles the bank in Chromium at 1366×768 (PAY-5), against a real
``workers.run``: two payments are expected; finance uploads a camt.053 file (written from the
specification, tests/services/payments/bank_files/) whose first entry pays one of them, so it
shows matched after the import; a detail of its batch entry carries no reference we know and is
matched by hand on the manual-match screen. Each match posted the ledger once."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from services.payments.expected import ExpectedPayment
from services.payments.expected import expect as expect_payment
from shared.auth import Role
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.services.payments.bank_support import FILES
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
T = TypeVar("T")


def _in_db(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _expected(reference: str, amount_minor: int) -> uuid.UUID:
    async def make(session: AsyncSession) -> uuid.UUID:
        booking_id = uuid.uuid4()
        made = await expect_payment(
            session,
            direction="in",
            currency="CNY",
            amount_minor=amount_minor,
            reference=reference,
            source="slip",
            source_id=uuid.uuid4(),
            clears_account=f"guest_receivable:{booking_id}",
            booking_id=booking_id,
        )
        return made.expected_payment_id

    return _in_db(make)


def _status(expected_id: uuid.UUID) -> tuple[str, int | None]:
    async def read(session: AsyncSession) -> tuple[str, int | None]:
        row = await session.get(ExpectedPayment, expected_id)
        assert row is not None
        return row.status, row.bank_entry_id

    return _in_db(read)


def _fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_pay5_finance_imports_a_camt053_file_and_matches_its_payments() -> None:
    create_user_sync("fang", Role.FINANCE)
    by_reference = _expected("RL-7001", 150_000)
    by_hand = _expected("HOTEL-GAMMA-2026-11", 30_000)

    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        finance = log_in(browser, base_url, "fang", password_for("fang"))
        finance.goto("/payments/bank")
        _fits_the_screen(finance)
        finance.set_input_files("#file", str(FILES / "camt053_batch.xml"))
        finance.locator("#upload-form button[type=submit]").click()
        expect(finance.locator("#import-result")).to_be_visible()
        _fits_the_screen(finance)
        finance.screenshot(path=str(SHOTS / "payments_bank_uploaded.png"), full_page=True)

        finance.locator("#import-result a").click()
        paid = finance.locator("tr[data-bank-ref='BANKREF-1']")
        expect(paid).to_have_attribute("data-state", "matched")
        expect(finance.locator("tr[data-bank-ref='B2-3']")).to_have_attribute(
            "data-state", "unmatched"
        )
        expect(finance.locator("tr[data-bank-ref='BANKREF-3'] .urgent")).to_be_visible()
        _fits_the_screen(finance)
        finance.screenshot(path=str(SHOTS / "payments_bank_import.png"), full_page=True)

        finance.goto("/payments/bank/unmatched")
        finance.locator("tr[data-bank-ref='B2-3'] a").click()
        candidate = finance.locator("#candidates tr[data-reference='HOTEL-GAMMA-2026-11']")
        expect(candidate).to_be_visible()
        _fits_the_screen(finance)
        finance.screenshot(path=str(SHOTS / "payments_bank_manual_match.png"), full_page=True)
        candidate.locator("button[type=submit]").click()
        expect(finance.locator("#entry-state")).to_have_attribute("data-state", "matched")
        expect(finance.locator("#matched-to")).to_contain_text("HOTEL-GAMMA-2026-11")

        finance.goto("/payments/bank/unmatched")
        expect(finance.locator("tr[data-bank-ref='B2-3']")).to_have_count(0)

    assert _status(by_reference)[0] == "matched"
    assert _status(by_hand)[0] == "matched"
