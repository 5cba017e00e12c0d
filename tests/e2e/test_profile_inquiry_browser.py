"""CS-1's inquiry screen in Chromium at 1366×768 against a real ``workers.run``: a member calls;
customer service opens the member page and reads the points balance, the points history, the
bookings (from intake's events) and the card history, then changes the lost card's number with
a reason. In Simplified Chinese (the default) and English; no page scrolls sideways."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.members import service as members
from services.members.handlers import HANDLERS
from services.members.points import ledger
from services.members.service import MemberIn
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from shared.events import envelope_for
from shared.events.consumer import apply_once
from shared.i18n import COOKIE
from tests.services.members.profile_support import placed
from tests.support.browser import VIEWPORT, chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
LONG_HOTEL = "北京国际饭店 · Beijing International Hotel, Jianguomennei Avenue Executive Wing"


def _seed() -> str:
    """Member M123456 with 1,376 active points and 25 bookings (a long hotel name)."""

    async def run() -> str:
        engine = make_engine(INFRA.database_url, pool_size=1)
        sessionmaker = make_sessionmaker(engine)
        setup = Staff(0, "setup", "Setup", (Role.CUSTOMER_SERVICE.value,), "")
        try:
            async with unit_of_work(sessionmaker) as session:
                data = MemberIn(
                    card_no="M123456", name="王芳", phones=["13912345678"], level="gold",
                    email="wang.fang@example.cn",
                    address="北京市朝阳区建国路 88 号 SOHO 现代城 5 号楼 2301",
                    postcode="100022", city="北京",
                )  # fmt: skip
                made = await members.create_member(session, actor=setup, data=data)
                await ledger.earn(
                    session, member_id=made.member_id, source=f"stay:{uuid.uuid4()}",
                    points=1376, earned_at=clock.now(), final_on=clock.today(),
                    expires_on=clock.today() + timedelta(days=730), actor="tests",
                    note="和平饭店 2 晚",
                )  # fmt: skip
            start = clock.today() + timedelta(days=3)
            for n in range(25):
                booking = placed(check_in=start + timedelta(days=n), hotel_name=LONG_HOTEL)
                envelope = envelope_for(
                    booking, source="intake", occurred_at=clock.now(), aggregate_version=1
                )
                await apply_once(
                    sessionmaker, service="members", schema="members", handlers=HANDLERS,
                    envelope=envelope,
                )  # fmt: skip
            return str(made.member_id)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width}px wide"


def test_cs1_inquiry_screen_answers_a_call_in_chinese_and_english() -> None:
    create_user_sync("mei", Role.CUSTOMER_SERVICE)
    member_id = _seed()
    server = server_process(env={"ROOMLINE_DEFAULT_LOCALE": "zh_CN"}, workers=False, relay=False)
    with server as (base_url, _), chromium() as browser:
        desk = log_in(browser, base_url, "mei", password_for("mei"))
        desk.goto(f"/members/members/{member_id}")
        expect(desk.locator("#balance")).to_contain_text("1376")
        expect(desk.locator("#points")).to_contain_text("积分")
        expect(desk.locator("#member-bookings tbody tr")).to_have_count(20)  # 20 a page
        expect(desk.locator("#bookings")).to_contain_text("第 1 页，共 2 页")
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_inquiry_zh.png"), full_page=True)

        desk.fill("input[name=card_no]", "M900001")
        desk.fill("input[name=card_reason]", "会员卡遗失")
        desk.locator(f"form[action$='/members/{member_id}'] button[type=submit]").click()
        expect(desk.locator("#card-history")).to_contain_text("M123456 → M900001")
        expect(desk.locator("#card-history")).to_contain_text("会员卡遗失")
        _fits(desk)

        desk.context.add_cookies([{"name": COOKIE, "value": "en", "url": base_url}])
        desk.goto(f"/members/members/{member_id}?bookings_page=2")
        expect(desk.locator("#member-bookings tbody tr")).to_have_count(5)
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_inquiry_en.png"), full_page=True)
