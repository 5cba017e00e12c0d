"""The shift handover book in headless Chromium at 1366x768 (IN-6): a night-shift agent hands
over a note and an open task; at the morning shift the team lead sees it overdue, a morning
agent sees the banner on the search page, acknowledges and marks the task done, and the night
agent and team lead see who acknowledged it and when.

The server's clock is pinned with ROOMLINE_FROZEN_NOW, so the night and the morning are two
server processes on the same database and Redis, one after the other."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from shared.auth import Role
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync
from tests.support.infra import INFRA
from tests.support.servers import server_process

pytestmark = pytest.mark.browser

NIGHT = "2026-12-03T02:00:00+08:00"  # the night shift of 2 December (23:00-07:00)
MORNING = "2026-12-03T07:40:00+08:00"  # 40 minutes into the morning shift: past the grace


def hand_over(page: Page, kind: str, priority: str, body: str) -> None:
    form = page.get_by_role("form", name="Write for the next shift")
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Priority").select_option(label=priority)
    form.get_by_label("Text").fill(body)
    form.get_by_role("button", name="Hand over").click()
    expect(page.get_by_role("status")).to_contain_text("Written for the next shift.")


def night_shift_writes(base_url: str, browser: object, password: str) -> None:
    night = log_in(browser, base_url, "lina", password)  # type: ignore[arg-type]
    night.get_by_role("navigation", name="Desks").get_by_role("link", name="Shift handover").click()
    expect(night.locator("main")).to_contain_text("Now: night shift of 2026-12-02")
    hand_over(night, "Note", "High", "Peace Hotel's fax is down until 10:00; phone them.")
    hand_over(night, "Open task", "Urgent", "Call Mr Zhang back about his 23:00 arrival.")
    written = night.get_by_role("table").filter(has_text="Written so far for the morning shift")
    expect(written).to_contain_text("Peace Hotel's fax is down")
    expect(written).to_contain_text("Call Mr Zhang back")


def morning_agent_acknowledges(base_url: str, browser: object, password: str) -> Page:
    morning = log_in(browser, base_url, "wang", password)  # type: ignore[arg-type]
    morning.goto("/intake/")
    banner = morning.get_by_role("region", name="Shift handover")
    expect(banner).to_contain_text("Handover from the night shift: 1 note, 1 open task")
    morning.screenshot(path=str(INFRA.tmp / "handover-banner.png"))
    banner.get_by_role("link", name="Read").click()
    incoming = morning.get_by_role("region", name="Handed to this shift by the night shift")
    expect(incoming).to_contain_text("Not acknowledged yet (overdue)")
    incoming.get_by_role("button", name="Acknowledge").click()
    expect(morning.get_by_role("status")).to_contain_text("Acknowledged")
    expect(
        morning.get_by_role("region", name="Handed to this shift by the night shift")
    ).to_contain_text("Acknowledged by Wang (wang) at 2026-12-03 07:40")
    tasks = morning.get_by_role("region", name="Open tasks (1)")
    tasks.get_by_label("What was done").fill("Called; he arrives at 23:30, room held.")
    tasks.get_by_role("button", name="Mark done").click()
    expect(morning.get_by_role("status")).to_contain_text("Task marked done.")
    expect(morning.get_by_text("No open tasks: every task handed over is done.")).to_be_visible()
    morning.screenshot(path=str(INFRA.tmp / "handover-page.png"), full_page=True)
    return morning


def test_in6_night_hands_over_morning_acknowledges_and_finishes_the_task_in_chromium() -> None:
    passwords = {
        "lina": create_user_sync("lina", Role.AGENT),
        "wang": create_user_sync("wang", Role.AGENT),
        "zhao": create_user_sync("zhao", Role.TEAM_LEAD),
    }
    quiet = {"workers": False, "relay": False}
    with chromium() as browser:
        with server_process(**quiet, env={"ROOMLINE_FROZEN_NOW": NIGHT}) as (base_url, _):
            night_shift_writes(base_url, browser, passwords["lina"])
        with server_process(**quiet, env={"ROOMLINE_FROZEN_NOW": MORNING}) as (base_url, _):
            lead = log_in(browser, base_url, "zhao", passwords["zhao"])
            lead.goto("/intake/handover")
            overdue = lead.get_by_role("region", name="Overdue handovers")
            expect(overdue).to_contain_text("morning shift of 2026-12-03")
            expect(overdue).to_contain_text("1 note, 1 open task, nobody acknowledged it")

            morning_agent_acknowledges(base_url, browser, passwords["wang"])

            lead.reload()
            expect(lead.get_by_role("region", name="Overdue handovers")).to_have_count(0)
            expect(lead.locator("main")).to_contain_text("Acknowledged by Wang (wang)")
            night = log_in(browser, base_url, "lina", passwords["lina"])
            night.goto("/intake/handover/history")
            past = night.get_by_role("region", name="morning shift of 2026-12-03")
            expect(past).to_contain_text("Acknowledged by Wang (wang) at 2026-12-03 07:40")
            expect(past).to_contain_text("Done by wang")
            expect(past).to_contain_text("Called; he arrives at 23:30, room held.")
