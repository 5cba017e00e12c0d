"""Issue 15's staffing acceptance (SL-1), in Chromium at 1366×768 against a real
``workers.run`` following a queue_log file: an admin names extension 801 as 李伟 on the
telephony agents page; a general manager opens the service-level history for that day and
sees, per half hour, the agents Erlang C needs against the agents on duty, by name.

The day is yesterday in Beijing (a whole day, whatever the hour the test runs):
PJSIP/801 logs in at 08:50 and off at 10:30; Local/802@from-queue/n joins at 08:50, pauses
09:45-10:00, leaves at 11:00. 09:00-09:30: 4 calls of 180 s (0.4 Erlangs: 2 agents needed,
2 on duty). 09:30-10:00: 30 calls of 240 s (4 Erlangs: 7 needed, 1.5 on duty: short).
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from shared.auth import Role
from shared.clock import clock
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))
L802 = "Local/802@from-queue/n"


def queue_log(midnight: int) -> list[str]:
    """A morning of the sales queue, as Asterisk writes it (see the module's docs)."""

    def at(hour: int, minute: int = 0) -> int:
        return midnight + hour * 3600 + minute * 60

    lines = [
        f"{at(8, 50)}|NONE|NONE|PJSIP/801|AGENTLOGIN|PJSIP/801",
        f"{at(8, 50)}|NONE|sales|{L802}|ADDMEMBER|",
        f"{at(9, 45)}|NONE|sales|{L802}|PAUSE|lunch",
        f"{at(10)}|NONE|sales|{L802}|UNPAUSE|",
        f"{at(10, 30)}|NONE|NONE|PJSIP/801|AGENTLOGOFF|PJSIP/801|6000",
        f"{at(11)}|NONE|sales|{L802}|REMOVEMEMBER|",
    ]
    calls = [(at(9, 5 * i), f"a{i}", 180) for i in range(4)]
    calls += [(at(9, 30 + i), f"b{i}", 240) for i in range(30)]
    for n, (entered, call_id, talk) in enumerate(calls):
        agent = "PJSIP/801" if n % 2 == 0 else L802
        lines += [
            f"{entered}|{call_id}|sales|NONE|ENTERQUEUE||1380000{n:04d}|1",
            f"{entered + 5}|{call_id}|sales|{agent}|CONNECT|5|{call_id}.2|5",
            f"{entered + 5 + talk}|{call_id}|sales|{agent}|COMPLETECALLER|5|{talk}|1",
        ]
    return sorted(lines, key=lambda line: int(line.split("|")[0]))


def test_sl1_staffing_table_for_a_day_of_queue_log_with_names(tmp_path: Path) -> None:
    create_user_sync("gm", Role.GENERAL_MANAGER)
    create_user_sync("root", Role.ADMIN)
    day = clock.today() - timedelta(days=1)
    midnight = int(clock.start_of_local_day(day).timestamp())
    path = tmp_path / "queue_log"
    path.write_text("".join(line + "\n" for line in queue_log(midnight)), encoding="utf-8")
    env = {"ROOMLINE_QUEUE_LOG_PATH": str(path), "ROOMLINE_QUEUE_LOG_POLL_SECONDS": "0.5"}
    with server_process(env=env) as (base_url, _), chromium() as browser:
        admin = log_in(browser, base_url, "root", password_for("root"))
        admin.get_by_role("link", name="Telephony agents").click()  # from the menu
        row = admin.locator('#agents tr[data-extension="801"]')
        deadline = time.monotonic() + 30  # the tailer stores the file a moment after start
        while row.count() == 0:
            assert time.monotonic() < deadline, "the agents page never listed the log's agents"
            time.sleep(0.5)
            admin.reload()
        expect(row).to_contain_text("PJSIP/801")
        expect(admin.locator('#agents tr[data-extension="802"]')).to_contain_text(L802)
        row.get_by_label("Username").fill("li.wei")
        row.get_by_label("Name shown").fill("李伟")
        row.get_by_role("button", name="Save").click()
        expect(
            admin.locator('#agents tr[data-extension="801"] input[name="display_name"]')
        ).to_have_value("李伟")
        admin.screenshot(path=str(SHOTS / "telephony_agents.png"))

        started = time.monotonic()
        manager = log_in(browser, base_url, "gm", password_for("gm"))
        manager.goto(f"/sla/history?interval=day&from={day}&to={day}")
        table = manager.locator("#staffing")
        expect(table).to_be_visible()
        nine = table.locator('tr[data-half-hour="09:00"]')
        expect(nine.locator('[data-figure="calls"]')).to_have_text("4")
        expect(nine.locator('[data-figure="needed"]')).to_have_text("2")
        expect(nine.locator('[data-figure="on-duty"]')).to_have_text("2.0")
        expect(nine.locator('[data-figure="agents"]')).to_contain_text("李伟")
        expect(nine.locator('[data-figure="agents"]')).to_contain_text("802")
        expect(nine.locator('[data-figure="agents"]')).to_contain_text("unmapped")
        expect(nine.locator('[data-figure="agents"]')).not_to_contain_text("PJSIP/801")
        half_nine = table.locator('tr[data-half-hour="09:30"]')
        expect(half_nine).to_have_class("short")
        expect(half_nine.locator('[data-figure="calls"]')).to_have_text("30")
        expect(half_nine.locator('[data-figure="needed"]')).to_have_text("7")
        expect(half_nine.locator('[data-figure="on-duty"]')).to_have_text("1.5")
        assert manager.evaluate("Chart.getChart('staffing-chart') !== undefined")  # drawn
        # The day's history chart is a bar for the day, the week's a bar for every day.
        manager.locator("#staffing-section").scroll_into_view_if_needed()
        manager.screenshot(path=str(SHOTS / "staffing_history.png"), full_page=True)
        print(f"staffing page shown and checked in {time.monotonic() - started:.1f} s")
        manager.goto(f"/sla/history?interval=day&from={day - timedelta(days=6)}&to={day}")
        labels = manager.evaluate("Chart.getChart('sl-chart').data.labels.length")
        assert labels == 7, labels
