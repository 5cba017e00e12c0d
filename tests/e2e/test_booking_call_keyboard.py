"""IN-1 in Chromium at 1366×768: an agent takes a whole booking call with the keyboard only.
They find the caller (a member with an open major complaint, IN-8), search the hotel asked for,
find it full for two rooms, take the nearby 5★ alternative offered (IN-3) without the page
reloading, and book two rooms for two guests; the team lead then sees the agent's handle time
(IN-12)."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from services.intake.handlers import HANDLERS
from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from shared.events import envelope_for
from shared.events.consumer import apply_once
from shared.events.members import MemberUpdatedV1
from tests.services.intake.factories import seed_hotel
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

PHONE = "13912345678"
# Set ROOMLINE_SCREENSHOTS=/some/dir to keep the screenshots for a person to look at.
SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _seed() -> None:
    """Two 5★ hotels 300 m apart (the one asked for has a single room left) and a 4★ next door
    that the alternatives must not offer; a member whose major complaint is still open."""

    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=1)
        sessionmaker = make_sessionmaker(engine)
        try:
            near = {"star_grade": 5, "latitude": 39.9146, "longitude": 116.4110}
            await seed_hotel(sessionmaker, rooms=1, name_en="Peace Hotel", **near)
            await seed_hotel(
                sessionmaker, rooms=4, name_en="Grand Wangfujing", name_zh="王府井大饭店",
                star_grade=5, latitude=39.9170, longitude=116.4125,
            )  # fmt: skip
            await seed_hotel(
                sessionmaker, rooms=9, name_en="Budget Inn", name_zh="经济酒店",
                star_grade=4, latitude=39.9147, longitude=116.4111,
            )  # fmt: skip
            member = MemberUpdatedV1(
                member_id=uuid.uuid4(), version_no=1, card_no="M880001", full_name="王芳",
                phones=[PHONE], level="gold", complaint_open=True,
                complaint_note="room not cleaned", complaint_on=clock.today() - timedelta(days=9),
                updated_at=clock.now(),
            )  # fmt: skip
            event = envelope_for(member, source="members", occurred_at=clock.now())
            await apply_once(
                sessionmaker, service="intake", schema="intake", handlers=HANDLERS, envelope=event
            )
        finally:
            await engine.dispose()

    asyncio.run(run())


FOCUSED = """([selector, text]) => {
  const el = document.activeElement;
  return !!el && el.matches(selector) && (el.closest("li, tr") || el).innerText.includes(text);
}"""


def _tab_to(page: Page, selector: str, text: str = "", *, limit: int = 60) -> None:
    """Press Tab, as a person would, until the focused element matches ``selector`` and its
    row or list item reads ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, [selector, text]):
            return
    raise AssertionError(f"{selector} {text!r} never got the focus")


def _take_the_call(page: Page) -> str:
    page.goto("/intake/")
    page.keyboard.press("Alt+K")  # the caller's phone
    page.keyboard.type(PHONE)
    panel = page.locator("#caller-panel")
    expect(panel).to_contain_text("Member 王芳")
    expect(panel).to_contain_text("offer compensation")

    page.keyboard.press("Alt+C")
    page.keyboard.type("Beijing")
    page.keyboard.press("Alt+R")
    page.keyboard.type("2")
    page.keyboard.press("Alt+N")
    page.keyboard.type("Peace")
    page.keyboard.press("Enter")
    alternatives = page.locator("tr.alternatives")
    expect(alternatives).to_contain_text("Grand Wangfujing")
    expect(alternatives).not_to_contain_text("Budget Inn")  # 4★: not the same grade
    page.evaluate("window.sameDocument = true")  # survives only if nothing reloads the page
    page.screenshot(path=str(SHOTS / "call_search.png"), full_page=True)

    _tab_to(page, "a.book", "Grand Wangfujing")
    page.keyboard.press("Enter")
    guests = page.get_by_label("Guest names")
    expect(guests).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_label("Booker phone")).to_have_value(PHONE)
    page.keyboard.type("张伟, 李雷")
    _tab_to(page, "input[name=booker_name]", limit=10)
    page.keyboard.type("王芳")
    page.screenshot(path=str(SHOTS / "call_booking_form.png"), full_page=True)
    page.keyboard.press("Enter")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("placed")
    found = re.search(r"RL[0-9A-Z]+", heading.inner_text())
    assert found, heading.inner_text()
    main = page.locator("main")
    expect(main).to_contain_text("Grand Wangfujing")
    expect(main).to_contain_text("张伟")
    expect(main).to_contain_text("李雷")
    return found.group(0)


def test_in1_agent_takes_a_booking_call_with_the_keyboard_only() -> None:
    create_user_sync("lina", Role.AGENT)
    create_user_sync("lena", Role.TEAM_LEAD)
    _seed()
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        agent = log_in(browser, base_url, "lina", password_for("lina"))
        booking_ref = _take_the_call(agent)
        agent.goto(f"/intake/api/bookings/{booking_ref}")
        assert '"rooms":2' in agent.content().replace(" ", "")

        lead = log_in(browser, base_url, "lena", password_for("lena"))
        lead.goto("/intake/team")
        row = lead.get_by_role("row").filter(has_text="lina")
        expect(row.get_by_role("cell").nth(1)).to_have_text("1")
        expect(row).to_contain_text(re.compile(r"\d+:\d\d"))  # an average handle time m:ss
