"""CS-3 / SL-5 in Chromium at 1366×768 against a real ``workers.run`` (web, workers, relay) on a
pinned clock: customer service logs a complaint and routes it to hotel resources; the memo is
in that department's intake list, where hotel resources answers it; the answer comes back as
the complaint's findings; customer service gives the member the final answer within the
clock and closes the complaint. No page scrolls sideways."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
SUMMARY = "Air conditioning broken; waited two hours for another room"
REPLY = "Engineering fixed the unit; the hotel offers a free breakfast"


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _until_text(page: Page, text: str, seconds: float = 20.0) -> None:
    """Reload until ``text`` shows: the findings arrive through the relay and two workers."""
    deadline = time.monotonic() + seconds
    while text not in page.content():
        assert time.monotonic() < deadline, f"{text!r} never showed"
        time.sleep(0.5)
        page.reload()


def test_a_complaint_is_logged_routed_answered_on_the_clock_and_closed() -> None:
    """CS-3, SL-5 (department 17:00, final answer the same day)."""
    create_user_sync("mei", Role.CUSTOMER_SERVICE)
    create_user_sync("hana", Role.HOTEL_RESOURCES)
    env = {"ROOMLINE_DEFAULT_LOCALE": "en", "ROOMLINE_FROZEN_NOW": "2026-12-07T10:00:00+08:00"}
    with server_process(env=env) as (base_url, _), chromium() as browser:
        mei = log_in(browser, base_url, "mei", password_for("mei"))
        mei.set_viewport_size({"width": 1366, "height": 768})
        mei.goto("/members/complaints/new")
        mei.fill("input[name=complainant_name]", "Wang Fang")
        mei.fill("input[name=contact_phone]", "13912345678")
        mei.select_option("select[name=category]", "room")
        mei.select_option("select[name=department]", "hotel_resources")
        mei.fill("textarea[name=summary]", SUMMARY)
        _fits(mei)
        mei.get_by_role("button", name="Record and route").click()
        expect(mei.locator("[role=status]")).to_contain_text("routed to the department")
        expect(mei.locator("dl")).to_contain_text("2026-12-07 17:00")  # the department's clock
        complaint_url = mei.url
        _fits(mei)

        hana = log_in(browser, base_url, "hana", password_for("hana"))
        hana.set_viewport_size({"width": 1366, "height": 768})
        hana.goto("/intake/memos")
        _until_text(hana, "Wang Fang")
        _fits(hana)
        hana.locator("tbody a[href*='/memos/']").first.click()
        expect(hana.locator("main")).to_contain_text(SUMMARY)
        hana.fill("form.memo-form textarea[name=body]", REPLY)
        hana.select_option("form.memo-form select[name=status]", "answered")
        hana.locator("form.memo-form button[type=submit]").click()
        hana.screenshot(path=str(SHOTS / "complaint_memo_answered.png"), full_page=True)

        mei.goto(complaint_url)
        _until_text(mei, REPLY)
        mei.fill("form[action$='/final'] textarea[name=text]", "Apologised; free breakfast booked")
        mei.locator("form[action$='/final'] button[type=submit]").click()
        expect(mei.locator("[role=status]")).to_contain_text("final answer is recorded")
        expect(mei.locator("dl")).to_contain_text("on time")
        mei.fill("textarea[name=outcome]", "Resolved: breakfast voucher given")
        mei.get_by_role("button", name="Close the complaint").click()
        expect(mei.locator("h1")).to_contain_text("Closed")
        _fits(mei)
        mei.screenshot(path=str(SHOTS / "members_complaint_closed.png"), full_page=True)

        mei.goto("/members/complaints?status=closed")
        expect(mei.locator("tbody")).to_contain_text("Wang Fang")
        _fits(mei)
        mei.goto("/members/complaints/summary")
        expect(mei.locator("#complaints-chart")).to_be_visible()
        _fits(mei)
