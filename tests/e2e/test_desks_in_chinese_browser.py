"""Issue 15, in Chromium at 1366×768 on a server left at the business's default language:

- a person switches to English and back, and the choice follows them to other services and to
  their next login;
- every demo person logs in and opens every desk page of their menu; each answers in Simplified
  Chinese (``lang="zh-CN"``, a Chinese heading and menu) with the demo's work on it, and its
  screenshot is kept for a person to look at (``ROOMLINE_SCREENSHOTS=/some/dir``)."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from shared.auth import Role
from shared.db import make_engine, make_sessionmaker
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync
from tests.support.infra import INFRA
from tests.support.servers import server_process
from workers import demo

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CHINESE_DEFAULT = {"ROOMLINE_DEFAULT_LOCALE": "zh_CN"}  # the suite runs in English


def _load_demo() -> None:
    async def run() -> None:
        engine = make_engine(INFRA.database_url, pool_size=2)
        try:
            await demo.load_demo(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _menu_paths(page: Page) -> list[str]:
    links = page.locator("header nav a")
    return [str(links.nth(i).get_attribute("href")) for i in range(links.count())]


def _check_chinese_page(page: Page, user: str, path: str) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-CN", f"{user} {path}"
    heading = page.locator("main h1, main h2").first.inner_text()
    assert CHINESE.search(heading), f"{user} {path}: heading {heading!r} is not Chinese"
    menu = page.locator("header nav").inner_text()
    assert CHINESE.search(menu), f"{user} {path}: menu {menu!r} is not Chinese"


def test_every_desk_of_every_demo_person_opens_in_chinese() -> None:
    _load_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    opened: dict[str, list[str]] = {}
    with server_process(env=CHINESE_DEFAULT) as (base_url, _), chromium() as browser:
        for user in demo.DEMO_USERS:
            page = log_in(browser, base_url, user, demo.demo_password(user))
            landing = page.url.removeprefix(base_url)
            paths = _menu_paths(page)
            assert paths and paths[0] == landing, f"{user} lands on {landing}, menu {paths}"
            for number, path in enumerate(paths):
                response = page.goto(path)
                assert response is not None and response.ok, f"{user} {path}"
                _check_chinese_page(page, user, path)
                page.screenshot(path=str(SHOTS / f"desk-{user}-{number}.png"))
            opened[user] = paths
            page.context.close()
    # Every desk of the business was opened by someone.
    assert {"/intake/", "/confirmation/", "/contracts/", "/members/", "/sla/"} <= {
        path for paths in opened.values() for path in paths
    }


def _switch_to(page: Page, locale: str) -> None:
    page.locator(f"form.language button[value={locale}]").click()
    page.wait_for_load_state()


def test_a_person_switches_to_english_and_back_and_it_follows_them() -> None:
    password = create_user_sync("chen", Role.CONFIRMATION_DESK)
    with server_process(env=CHINESE_DEFAULT) as (base_url, _), chromium() as browser:
        _switch_and_back(browser, base_url, password)


def _switch_and_back(browser: Browser, base_url: str, password: str) -> None:
    page = log_in(browser, base_url, "chen", password)
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.locator("main h1")).to_have_text("确认队列")

    _switch_to(page, "en")
    expect(page.locator("main h1")).to_have_text("Confirmation queue")
    page.goto("/intake/memos")  # another service: the cookie carries the choice
    assert page.locator("html").get_attribute("lang") == "en"
    page.context.clear_cookies()  # a new day, a new login: the staff record remembers
    again = log_in(browser, base_url, "chen", password)
    expect(again.locator("main h1")).to_have_text("Confirmation queue")

    _switch_to(again, "zh_CN")
    expect(again.locator("main h1")).to_have_text("确认队列")
    again.goto("/intake/memos")
    assert again.locator("html").get_attribute("lang") == "zh-CN"
