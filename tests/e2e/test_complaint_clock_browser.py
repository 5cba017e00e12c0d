"""SL-5 / CS-3 in Chromium at 1366×768, Chinese first: a complaint routed two days ago (events
applied with intake's and metrics' real handlers) is in hotel resources' memo list as a member
complaint, and on the general manager's breach page with all three stages overdue; neither
page scrolls sideways."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.intake.handlers import HANDLERS as INTAKE
from services.metrics.handlers import HANDLERS as METRICS
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from shared.events.consumer import apply_once
from tests.support import complaint_events
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _route_a_complaint() -> None:
    filed_at = clock.now() - timedelta(days=2)
    payload = complaint_events.routed(
        filed_at, complaint_no=31, hotel_name="北京国际饭店 · Beijing International Hotel"
    )
    event = complaint_events.routed_envelope(payload)

    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            sessionmaker = make_sessionmaker(engine)
            for service, handlers in (("intake", INTAKE), ("metrics", METRICS)):
                await apply_once(
                    sessionmaker, service=service, schema=service, handlers=handlers, envelope=event
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sl5_complaint_memo_and_breaches_in_the_browser() -> None:
    create_user_sync("hana", Role.HOTEL_RESOURCES)
    create_user_sync("gm", Role.GENERAL_MANAGER)
    _route_a_complaint()
    with (
        server_process(env={"ROOMLINE_DEFAULT_LOCALE": "zh_CN"}, workers=False, relay=False) as (
            base_url,
            _,
        ),
        chromium() as browser,
    ):
        hana = log_in(browser, base_url, "hana", password_for("hana"))
        hana.goto("/intake/memos")
        expect(hana.locator("#memos")).to_contain_text("会员投诉 #31")
        _fits(hana)
        hana.get_by_role("link", name="#1").click()
        expect(hana.locator("#memo-complaint")).to_have_text("会员投诉 #31")
        expect(hana.locator("main")).to_contain_text("投诉人 / Complainant: 王芳")
        _fits(hana)
        hana.screenshot(path=str(SHOTS / "memo_complaint.png"), full_page=True)

        gm = log_in(browser, base_url, "gm", password_for("gm"))
        gm.goto("/sla/breaches")
        rows = gm.locator('#complaints-overdue tr[data-complaint-no="31"]')
        expect(rows).to_have_count(3)  # department, progress and final all overdue
        expect(gm.locator("#complaints-overdue")).to_contain_text("部门处理意见（17:00 前）")
        _fits(gm)
        gm.screenshot(path=str(SHOTS / "sla_breaches_complaints.png"), full_page=True)
