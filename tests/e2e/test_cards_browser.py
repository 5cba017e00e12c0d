"""CS-4 in the browser at 1366×768: the desk makes today's card batch and sees it listed with
its PDF and CSV, then works the inactive members' worklist; Chinese first (the default), the
pages never scroll sideways."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.members.cards_support import add_members, member_row
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _seed() -> None:
    long_ago = NOW.date() - timedelta(days=400)
    rows = [
        member_row("M100001", name="王芳", joined_on=NOW.date()),
        member_row("M100002", name="李娜", joined_on=NOW.date() - timedelta(days=3), city=""),
        member_row("M100003", name="Zhang Wei", joined_on=long_ago, joined_via="desk"),
    ]

    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=1)
        try:
            await add_members(make_sessionmaker(engine), rows)
        finally:
            await engine.dispose()

    clock.set_now(NOW)
    try:
        asyncio.run(run())
    finally:
        clock.set_now(None)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_cs4_the_desk_makes_the_days_batch_and_works_the_inactive_list() -> None:
    """CS-4: a batch of one letter, a late card with its address missing, then the inactive
    member called and the outcome recorded."""
    create_user_sync("mei", Role.CUSTOMER_SERVICE)
    _seed()
    env = {"ROOMLINE_FROZEN_NOW": NOW.isoformat(), "ROOMLINE_DEFAULT_LOCALE": "zh_CN"}
    with (
        server_process(env=env, workers=False, relay=False) as (base_url, _),
        chromium() as browser,
    ):
        desk = log_in(browser, base_url, "mei", password_for("mei"))
        desk.set_viewport_size({"width": 1366, "height": 768})
        desk.goto("/members/cards")
        expect(desk.locator("h1")).to_have_text("会员卡寄送")
        expect(desk.locator('#late tr[data-card="M100002"]')).to_contain_text("缺少地址")
        desk.get_by_role("button", name="生成今日批次").click()
        expect(desk.locator("#made")).to_contain_text("1 封信")
        expect(desk.locator('#batches tr[data-batch="1"]')).to_contain_text("信件和地址标签")
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_cards.png"), full_page=True)

        desk.goto("/members/inactive")
        desk.get_by_role("button", name="刷新回访清单").click()
        row = desk.locator('tr[data-card="M100003"]')
        expect(row).to_contain_text("从未入住")
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_inactive.png"), full_page=True)
        row.locator("select[name=outcome]").select_option("booking_problem")
        row.get_by_role("button", name="记录").click()
        expect(desk.locator("#error-summary")).to_contain_text("请在备注中说明预订问题")
        row = desk.locator('tr[data-card="M100003"]')
        row.locator("select[name=outcome]").select_option("booking_problem")
        row.locator("input[name=note]").fill("房价与确认单不符")
        row.get_by_role("button", name="记录").click()
        expect(desk.locator("#done")).to_contain_text("预订有问题")
        expect(desk.locator('tr[data-card="M100003"]')).to_have_count(0)
