"""Issue 17's monthly settlement in Chromium at 1366×768 (PAY-4, PAY-5): the ledger holds a
hotel's October (a prepaid stay, a draw-down on its deposit, commission and a no-show fee);
the collect desk ("collect") generates the month's statement on the statements page; the
maker sees no approve button; a finance user ("finn") approves it, and the payment to the
hotel is then expected at the bank under the statement's reference; finance imports the bank's
camt.053 showing that transfer, and the statement is settled."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.db import make_engine, make_sessionmaker
from tests.services.payments.settlement_support import OCTOBER, PEACE, seed_ledger
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> None:
    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            await seed_ledger(make_sessionmaker(engine), OCTOBER)
        finally:
            await engine.dispose()

    asyncio.run(run())


# The bank's statement of our account: the CNY 34.80 we paid the hotel, under the statement's
# reference (camt.053.001.02, written for this test).
PAID_TO_HOTEL = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>RL-E2E-1</MsgId><CreDtTm>2026-11-03T08:00:00+08:00</CreDtTm></GrpHdr>
<Stmt><Id>RL-E2E-STMT</Id><CreDtTm>2026-11-03T08:00:00+08:00</CreDtTm>
<Acct><Id><Othr><Id>6222000011112222</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">1000.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-02</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">965.20</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-03</Dt></Dt></Bal>
<Ntry><Amt Ccy="CNY">34.80</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-11-03</Dt></BookgDt><NtryDtls><TxDtls><RmtInf>
<Ustrd>Settlement RLS-202610-1A2B3C4D</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_pay5_a_months_statement_generated_and_approved_in_the_browser() -> None:
    create_user_sync("collect", Role.COLLECT_DESK)
    create_user_sync("finn", Role.FINANCE)
    _seed()
    env = {"ROOMLINE_DEFAULT_LOCALE": "en"}
    with (
        server_process(workers=False, relay=False, env=env) as (base_url, _),
        chromium() as browser,
    ):
        desk = log_in(browser, base_url, "collect", password_for("collect"))
        desk.goto("/payments/statements?month=2026-10")
        expect(desk.locator("#statements")).to_contain_text("No statement for this month yet.")
        desk.fill("#month", "2026-10")
        desk.select_option("#hotel_id", str(PEACE))
        desk.click("#generate-form button[type=submit]")
        expect(desk.locator("#statement-state")).to_have_text("Draft")
        expect(desk.locator("h1")).to_contain_text("RLS-202610-1A2B3C4D")
        expect(desk.locator("#net")).to_contain_text("34.80")
        expect(desk.locator("#lines tbody tr")).to_have_count(4)
        expect(desk.locator("#approve-form")).to_have_count(0)  # the maker does not approve
        expect(desk.locator("#awaiting")).to_be_visible()
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "payments_statement_draft.png"), full_page=True)
        statement_url = desk.url

        finance = log_in(browser, base_url, "finn", password_for("finn"))
        finance.goto("/payments/statements?month=2026-10")
        row = finance.locator('tr[data-reference="RLS-202610-1A2B3C4D"]')
        expect(row).to_contain_text("Draft")
        row.locator("a").click()
        assert finance.url == statement_url
        finance.click("#approve-form button[type=submit]")
        expect(finance.locator("#statement-state")).to_have_text("Approved")
        expect(finance.locator("#approved-by")).to_contain_text("finn")
        expect(finance.locator("#expected")).to_contain_text("RLS-202610-1A2B3C4D")
        expect(finance.locator("#expected")).to_contain_text("awaiting the bank")
        _fits(finance)
        finance.screenshot(path=str(SHOTS / "payments_statement_approved.png"), full_page=True)
        finance.goto("/payments/statements?month=2026-10&state=approved")
        expect(finance.locator('tr[data-reference="RLS-202610-1A2B3C4D"]')).to_have_count(1)

        # PAY-5: the bank shows the transfer; its import matches it and settles the statement.
        bank_file = SHOTS / "statement_paid.camt053.xml"
        bank_file.write_text(PAID_TO_HOTEL, encoding="utf-8")
        finance.goto("/payments/bank")
        finance.set_input_files("#file", str(bank_file))
        finance.click("#upload-form button[type=submit]")
        expect(finance.locator("#import-result")).to_contain_text("1 matched automatically")
        finance.goto(statement_url)
        expect(finance.locator("#statement-state")).to_have_text("Settled")
        expect(finance.locator("#expected")).not_to_contain_text("awaiting the bank")
