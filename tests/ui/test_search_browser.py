"""In Chromium at 1366x768, an agent searches from the keyboard (IN-2): the cursor starts in
City, Enter searches without reloading the page, the address bar keeps a shareable URL, a full
hotel shows nearby 4★ alternatives with Book links (IN-3), and the same search works as a plain
form with JavaScript off. Screenshots go to ``$ROOMLINE_SCREENSHOT_DIR`` (default: the run's
temp folder)."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.clock import clock
from shared.db import make_engine, make_sessionmaker
from tests.services.intake.factories import seed_hotel
from tests.support.browser import VIEWPORT, chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser
CENTRE = (39.9100, 116.4100)


def shot(page: Page, name: str) -> None:
    folder = Path(os.environ.get("ROOMLINE_SCREENSHOT_DIR", str(INFRA.tmp)))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


async def _seed() -> None:
    engine = make_engine(INFRA.database_url, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    try:
        hotels = [
            ("Wangfujing Hilton", "王府井希尔顿酒店", 5, 0.0, 3),
            ("Peace Hotel", "和平饭店", 4, 0.0, 1),  # full for two rooms
            ("Novotel Xinqiao", "新侨诺富特饭店", 4, 1.2, 5),
            ("Jianguo Hotel", "建国饭店", 4, 3.4, 5),
        ]
        for name_en, name_zh, stars, km_north, rooms in hotels:
            await seed_hotel(
                sessionmaker, name_en=name_en, name_zh=name_zh, star_grade=stars, rooms=rooms,
                latitude=CENTRE[0] + km_north / 111.195, longitude=CENTRE[1],
            )  # fmt: skip
    finally:
        await engine.dispose()


def _search_by_keyboard(page: Page, check_in: str, check_out: str) -> None:
    assert page.evaluate("document.activeElement.name") == "city"  # autofocus
    page.keyboard.type("Beijing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "check_in"  # tab order
    page.get_by_label("Check-in").fill(check_in)  # typed dates follow the browser's locale
    page.get_by_label("Check-out").fill(check_out)
    page.get_by_label("Rooms").fill("2")
    page.keyboard.press("Alt+n")  # the Hotel name access key
    page.keyboard.type("fandian")  # 饭店 in pinyin
    page.keyboard.press("Enter")
    page.locator('#results[aria-busy="false"]').wait_for()


def test_in2_in3_agent_searches_from_the_keyboard_without_a_reload() -> None:
    create_user_sync("lina", Role.AGENT)
    asyncio.run(_seed())
    check_in = clock.today() + timedelta(days=5)
    stay = (check_in.isoformat(), (check_in + timedelta(days=2)).isoformat())
    with server_process(workers=False, relay=False) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "lina", password_for("lina"))
        page.goto("/intake/")
        page.evaluate("window.loadedOnce = true")  # gone if the page reloads

        _search_by_keyboard(page, *stay)

        results = page.locator("#results")
        expect(results).to_contain_text("3 offers in Beijing matching “fandian”")
        assert page.evaluate("window.loadedOnce") is True
        assert "name=fandian" in page.url and "rooms=2" in page.url
        nearby = page.locator("tr.alternatives")
        expect(nearby).to_contain_text(f"Peace Hotel: Full on {stay[0]} (1 room left)")
        expect(nearby).to_contain_text("nearby 4★ with rooms:")
        nearest = nearby.get_by_role("listitem").first
        expect(nearest).to_contain_text("Novotel Xinqiao")
        expect(nearest).to_contain_text("1.2 km")
        expect(nearby.get_by_role("link", name="Book")).to_have_count(2)
        assert "Wangfujing Hilton" not in results.inner_text()
        shot(page, "intake-search")

        page.keyboard.press("Alt+s")  # Stars, from the name field
        assert page.evaluate("document.activeElement.name") == "star"
        page.get_by_role("heading", name="Find a room").click()
        page.keyboard.press("/")  # back to City from anywhere but a field
        assert page.evaluate("document.activeElement.name") == "city"

        page.keyboard.press("Alt+p")
        page.keyboard.type("800")
        page.get_by_label("Price to").fill("500")
        page.keyboard.press("Enter")
        refused = results.get_by_role("alert")
        expect(refused).to_have_text("Price to (500) is below price from (800).")
        assert page.evaluate("document.activeElement.name") == "price_max"  # named and focused
        shot(page, "intake-search-refused")
        page.get_by_label("Price from").fill("")
        page.get_by_label("Price to").fill("")
        page.keyboard.press("Enter")
        expect(results).to_contain_text("3 offers in Beijing")

        shared = page.url
        assert "price" not in shared
        plain = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)  # type: ignore[arg-type]
        plain.add_cookies(page.context.cookies())
        without_js = plain.new_page()
        without_js.goto(shared)
        expect(without_js.locator("#results")).to_contain_text("3 offers in Beijing")
        without_js.get_by_label("Hotel name").fill("wfj")
        without_js.get_by_role("button", name="Search").click()
        expect(without_js.locator("#results")).to_contain_text("Wangfujing Hilton")
        assert "name=wfj" in without_js.url
