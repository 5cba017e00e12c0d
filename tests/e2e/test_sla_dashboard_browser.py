"""Issue 7's browser acceptance, in Chromium at 1366×768 against a real ``workers.run`` that
follows a queue_log file (SL-1): a manager opens the dashboard, sees today's service level and
the abandoned list, and the numbers change after new queue_log lines are appended, without a
reload (the page fetches its live part every 5 s); the history page then draws its chart."""

from __future__ import annotations

import os
import time
from pathlib import Path

from playwright.sync_api import expect

from shared.auth import Role
from shared.clock import clock
from tests.support.browser import chromium, log_in
from tests.support.clients import create_user_sync, password_for
from tests.support.infra import INFRA
from tests.support.servers import server_process

SHOTS = Path(os.environ.get("ROOMLINE_SCREENSHOTS", str(INFRA.tmp)))


def _append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.writelines(line + "\n" for line in lines)


def test_sl1_the_manager_watches_today_change_without_reloading(tmp_path: Path) -> None:
    """Before: c1 answered after 3 s, c2 abandoned after 10 s: offered 2, within 15 s 1, so the
    service level of offered is 1/2 = 50%, one abandoned call. After: c3 answered after 20 s
    (not within), c4 abandoned after 30 s: offered 4, within 1, 1/4 = 25%, two abandoned."""
    create_user_sync("gm", Role.GENERAL_MANAGER)
    midnight = int(clock.start_of_local_day(clock.today()).timestamp())
    # Calls a few minutes ago, but never before today's midnight in Beijing.
    base = max(int(time.time()) - 600, midnight + 1)
    path = tmp_path / "queue_log"
    _append(
        path,
        [
            f"{base}|NONE|NONE|PJSIP/801|AGENTLOGIN|PJSIP/801",
            f"{base + 1}|c1|sales|NONE|ENTERQUEUE||13711112222|1",
            f"{base + 4}|c1|sales|PJSIP/801|CONNECT|3|c1b|3",
            f"{base + 64}|c1|sales|PJSIP/801|COMPLETECALLER|3|60|1",
            f"{base + 100}|c2|sales|NONE|ENTERQUEUE||13912345678|1",
            f"{base + 110}|c2|sales|NONE|ABANDON|1|1|10",
        ],
    )
    env = {"ROOMLINE_QUEUE_LOG_PATH": str(path), "ROOMLINE_QUEUE_LOG_POLL_SECONDS": "0.5"}
    with server_process(env=env) as (base_url, _), chromium() as browser:
        page = log_in(browser, base_url, "gm", password_for("gm"))
        page.goto("/sla/")
        total = page.locator('#queues tr[data-queue="All queues"]')
        # The tailer may store the file a moment after the server answers: reload until then.
        deadline = time.monotonic() + 30
        while total.count() == 0:
            assert time.monotonic() < deadline, "the dashboard never showed the log's calls"
            time.sleep(0.5)
            page.reload()
        expect(total.locator('[data-figure="offered"]')).to_have_text("2")
        expect(total.locator('[data-figure="sl-offered"]')).to_have_text("50%")
        expect(page.locator("#abandoned tbody tr")).to_have_count(1)
        expect(page.locator("#abandoned")).to_contain_text("*******5678")
        expect(page.locator('#agents tr[data-agent="PJSIP/801"]')).to_contain_text("available")
        page.screenshot(path=str(SHOTS / "sla_dashboard_before.png"))

        page.evaluate("window.notReloaded = true")
        _append(
            path,
            [
                f"{base + 200}|c3|sales|NONE|ENTERQUEUE||13633334444|1",
                f"{base + 220}|c3|sales|PJSIP/801|CONNECT|20|c3b|5",
                f"{base + 230}|c4|sales|NONE|ENTERQUEUE||13555556666|1",
                f"{base + 260}|c4|sales|NONE|ABANDON|1|1|30",
            ],
        )
        expect(total.locator('[data-figure="offered"]')).to_have_text("4", timeout=20_000)
        expect(total.locator('[data-figure="sl-offered"]')).to_have_text("25%")
        expect(page.locator("#abandoned tbody tr")).to_have_count(2)
        expect(page.locator("#abandoned")).to_contain_text("*******6666")
        expect(page.locator('#agents tr[data-agent="PJSIP/801"]')).to_contain_text("on a call")
        assert page.evaluate("window.notReloaded") is True  # the same page, updated in place
        page.screenshot(path=str(SHOTS / "sla_dashboard_after.png"))

        page.get_by_role("link", name="History and exports").click()
        page.get_by_label("Interval").select_option("hour")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#history tr.total").last).to_contain_text("All queues")
        assert page.evaluate("Chart.getChart('sl-chart') !== undefined")  # Chart.js drew it
        page.screenshot(path=str(SHOTS / "sla_history.png"))
