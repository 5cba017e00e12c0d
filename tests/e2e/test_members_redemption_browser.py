"""Issue 18's redemption in Chromium at 1366×768 against a real ``workers.run`` (CS-2): a
member calls about points; customer service finds them on /members/, reads the balance on the
inquiry screen, follows "Redeem a reward" to the form (a wrong quantity is refused beside the
field), redeems a reward with the member's confirmation; the general manager approves on
/members/rewards/approvals; the member's inquiry screen shows the points spent. No page
scrolls sideways."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.members import service as members
from services.members.points import ledger
from services.members.rewards import service as rewards
from services.members.service import MemberIn
from shared.auth import Role, Staff
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker, unit_of_work
from tests.support.browser import VIEWPORT, chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> str:
    """Member M123456 (王芳) with 10,000 active points; a suitcase at 8,000 in the catalogue."""

    async def run() -> str:
        engine = make_engine(INFRA.database_url, pool_size=1)
        setup = Staff(0, "setup", "Setup", (Role.CUSTOMER_SERVICE.value,), "")
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                data = MemberIn(card_no="M123456", name="王芳", phones=["13912345678"])
                made = await members.create_member(session, actor=setup, data=data)
                await ledger.earn(
                    session, member_id=made.member_id, source=f"stay:{uuid.uuid4()}",
                    points=10_000, earned_at=clock.now(), final_on=clock.today(),
                    expires_on=clock.today() + timedelta(days=730), actor="tests",
                )  # fmt: skip
                suitcase = rewards.RewardIn(
                    code="LUGGAGE", name_zh="行李箱", name_en="Suitcase", points=8000
                )
                await rewards.add_reward(session, actor=setup, data=suitcase)
            return str(made.member_id)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _fits(page: Page) -> None:
    """Nothing wider than the call centre's 1366-pixel screens."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width}px wide"


def test_cs2_member_redeems_and_the_general_manager_approves_in_the_browser() -> None:
    create_user_sync("mei", Role.CUSTOMER_SERVICE)
    create_user_sync("gao", Role.GENERAL_MANAGER)
    member_id = _seed()
    server = server_process(env={"ROOMLINE_DEFAULT_LOCALE": "en"}, workers=False, relay=False)
    with server as (base_url, _), chromium() as browser:
        desk = log_in(browser, base_url, "mei", password_for("mei"))
        desk.goto("/members/")
        desk.locator("input[name=q]").fill("M123456")
        desk.locator("form[role=search] button[type=submit]").click()
        expect(desk.locator("table.members")).to_contain_text("王芳")
        _fits(desk)
        # The member asks about points: the inquiry screen answers, then leads to the form.
        desk.locator("table.members a", has_text="M123456").click()
        expect(desk.locator("#active-balance")).to_have_text("10000")
        _fits(desk)
        desk.locator("#member-actions a", has_text="Redeem a reward").click()
        expect(desk).to_have_url(f"{base_url}/members/rewards/redeem?member_id={member_id}")
        expect(desk.locator("#active-points")).to_have_text("10,000")
        desk.fill("#quantity", "0")
        desk.select_option("#delivery", "post")
        desk.fill("#office", "上海办事处")
        desk.fill("#address", "上海市静安区南京西路 1266 号")
        desk.check("#confirmed")
        desk.click("#redeem-form button[type=submit]")
        expect(desk.locator("#quantity-error")).to_be_visible()
        _fits(desk)
        desk.fill("#quantity", "1")
        desk.check("#confirmed")
        desk.click("#redeem-form button[type=submit]")
        expect(desk.locator("#redemption-status")).to_have_text("Awaiting approval")
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_redemption_submitted.png"), full_page=True)

        boss = log_in(browser, base_url, "gao", password_for("gao"))
        boss.goto("/members/rewards/approvals")
        section = boss.locator("section.approval").filter(has_text="王芳")
        expect(section).to_contain_text("8,000")
        _fits(boss)
        boss.screenshot(path=str(SHOTS / "members_reward_approvals.png"), full_page=True)
        section.locator(".approve-form button[type=submit]").click()
        expect(boss.locator(".notice")).to_contain_text("Approved")
        expect(boss.locator("section.approval")).to_have_count(0)

        desk.goto(f"/members/members/{member_id}")  # the member calls back: points spent
        expect(desk.locator("#active-balance")).to_have_text("2000")
        expect(desk.locator("#points-history")).to_contain_text("8000")
        _fits(desk)
        desk.goto(f"/members/rewards/redeem?member_id={member_id}")
        expect(desk.locator("#active-points")).to_have_text("2,000")
        expect(desk.locator("#spent-points")).to_have_text("8,000")
        expect(desk.locator("#locked-points")).to_have_text("0")
        _fits(desk)
        desk.goto("/members/rewards")
        expect(desk.locator("#redemptions")).to_contain_text("Approved")
        _fits(desk)
        desk.screenshot(path=str(SHOTS / "members_rewards.png"), full_page=True)
