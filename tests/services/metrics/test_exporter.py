"""The call metrics on /sla/metrics (SL-1, SL-2) match a small log computed by hand, and a
second scrape, a file read again and a restart count nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import REGISTRY
from sqlalchemy import text

from services.metrics import exporter
from services.metrics.tailer import QueueLogTailer
from shared.clock import clock

BASE = 1_795_000_000  # 2026-11-18 19:06:40 in Shanghai: every call below is on that day

LOG = [
    # a: sales, answered after 3 s, talk 120 s.
    f"{BASE}|a|sales|NONE|ENTERQUEUE||13912340001|1",
    f"{BASE + 3}|a|sales|PJSIP/801|CONNECT|3|a9|2",
    f"{BASE + 123}|a|sales|PJSIP/801|COMPLETECALLER|3|120|1",
    # b: sales, answered after 15 s (exactly the threshold), talk 200 s.
    f"{BASE + 10}|b|sales|NONE|ENTERQUEUE||13912340002|1",
    f"{BASE + 25}|b|sales|PJSIP/802|CONNECT|15|b9|4",
    f"{BASE + 225}|b|sales|PJSIP/802|COMPLETEAGENT|15|200|1",
    # c: sales, answered after 16 s, still talking.
    f"{BASE + 20}|c|sales|NONE|ENTERQUEUE||13912340003|2",
    f"{BASE + 36}|c|sales|PJSIP/803|CONNECT|16|c9|5",
    # d: sales, abandoned after 5 s.
    f"{BASE + 30}|d|sales|NONE|ENTERQUEUE||13912340004|3",
    f"{BASE + 35}|d|sales|NONE|ABANDON|3|3|5",
    # e: support, timed out after 40 s.
    f"{BASE + 40}|e|support|NONE|ENTERQUEUE||13912340005|1",
    f"{BASE + 80}|e|support|NONE|EXITWITHTIMEOUT|1|1|40",
    # f: sales, still waiting.
    f"{BASE + 50}|f|sales|NONE|ENTERQUEUE||13912340006|4",
    # A malformed line (bad epoch): rejected, the rest still read.
    "12x4|g|sales|NONE|ENTERQUEUE||1|1",
]


def value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def append(path: Path, lines: list[str]) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.writelines(line + "\n" for line in lines)


def snapshot() -> dict[str, float | None]:
    names = [
        ("roomline_calls_offered_total", {"queue": "sales"}),
        ("roomline_calls_answered_total", {"queue": "sales"}),
        ("roomline_calls_abandoned_total", {"queue": "sales"}),
        ("roomline_calls_answered_within_threshold_total", {"queue": "sales"}),
        ("roomline_calls_offered_total", {"queue": "support"}),
        ("roomline_call_wait_seconds_count", {"queue": "sales"}),
        ("roomline_call_wait_seconds_sum", {"queue": "sales"}),
        ("roomline_call_handle_seconds_count", {"queue": "sales"}),
        ("roomline_call_handle_seconds_sum", {"queue": "sales"}),
    ]
    return {f"{name}{labels}": value(name, **labels) for name, labels in names}


async def test_sl1_call_metrics_match_a_log_computed_by_hand(tmp_path, sessionmaker, http) -> None:
    """Threshold 3 rings × (1 s + 4 s) = 15 s; "within" is wait <= 15 s.

    sales: offered a, b, c, d = 4 (f still waits: no outcome, not offered yet); answered a, b,
    c = 3; abandoned d = 1; within a (3 s), b (15 s) = 2, c (16 s) is not.
    Waits observed 3, 15, 16, 5: count 4, sum 39; <= 5: 2, <= 15: 3, <= 20: 4.
    Handle (ended talks only) 120, 200: count 2, sum 320; <= 120: 1, <= 180: 1, <= 240: 2.
    support: offered e = 1, answered 0, abandoned 0 (a timeout is not an abandon); wait 40:
    <= 30: 0, <= 45: 1.
    Today: sales service level of offered 2/4 = 0.5, of answered 2/3; support 0/1 = 0 of
    offered and no ratio of answered (nothing answered); all queues 2/5 = 0.4 and 2/3.
    Waiting now: sales 1 (f). Rejected lines: 1. Lag: now (BASE + 300) minus the newest
    line (b's end, BASE + 225) = 75 s.
    """
    clock.set_now(datetime.fromtimestamp(BASE + 300, UTC))
    exporter.EXPORTER.reset()
    path = tmp_path / "queue_log"
    append(path, LOG)
    tailer = QueueLogTailer(path, sessionmaker)
    assert await tailer.poll_once() == len(LOG)
    tailer.close()

    async with sessionmaker() as session:
        await exporter.refresh(session)

    assert value("roomline_calls_offered_total", queue="sales") == 4
    assert value("roomline_calls_answered_total", queue="sales") == 3
    assert value("roomline_calls_abandoned_total", queue="sales") == 1
    assert value("roomline_calls_answered_within_threshold_total", queue="sales") == 2
    assert value("roomline_calls_offered_total", queue="support") == 1
    assert value("roomline_calls_answered_total", queue="support") == 0
    assert value("roomline_calls_abandoned_total", queue="support") == 0
    assert value("roomline_call_wait_seconds_count", queue="sales") == 4
    assert value("roomline_call_wait_seconds_sum", queue="sales") == 39
    assert value("roomline_call_wait_seconds_bucket", queue="sales", le="5") == 2
    assert value("roomline_call_wait_seconds_bucket", queue="sales", le="15") == 3
    assert value("roomline_call_wait_seconds_bucket", queue="sales", le="20") == 4
    assert value("roomline_call_wait_seconds_bucket", queue="support", le="30") == 0
    assert value("roomline_call_wait_seconds_bucket", queue="support", le="45") == 1
    assert value("roomline_call_handle_seconds_count", queue="sales") == 2
    assert value("roomline_call_handle_seconds_sum", queue="sales") == 320
    assert value("roomline_call_handle_seconds_bucket", queue="sales", le="120") == 1
    assert value("roomline_call_handle_seconds_bucket", queue="sales", le="180") == 1
    assert value("roomline_call_handle_seconds_bucket", queue="sales", le="240") == 2
    assert value("roomline_calls_waiting", queue="sales") == 1
    assert value("roomline_calls_waiting", queue="support") is None
    assert value("roomline_service_level_ratio", queue="sales", basis="offered") == 0.5
    assert value("roomline_service_level_ratio", queue="sales", basis="answered") == 2 / 3
    assert value("roomline_service_level_ratio", queue="support", basis="offered") == 0
    assert value("roomline_service_level_ratio", queue="support", basis="answered") is None
    assert value("roomline_service_level_ratio", queue="All queues", basis="offered") == 0.4
    assert value("roomline_queue_log_rejected_lines") == 1
    assert value("roomline_queue_log_lag_seconds") == 75

    # A second refresh, through a real scrape of /sla/metrics, counts nothing twice.
    first = snapshot()
    client = await http()
    scraped = await client.get("/sla/metrics")
    assert scraped.status_code == 200
    assert 'roomline_calls_offered_total{queue="sales"} 4.0' in scraped.text
    assert snapshot() == first

    # The file read again from its start (position lost): every line is already stored, so
    # the ingest fold (issue 19) folds none of them again.
    async with sessionmaker() as session, session.begin():
        await session.execute(text("DELETE FROM metrics.tail_position"))
    assert await QueueLogTailer(path, sessionmaker).poll_once() == len(LOG)
    async with sessionmaker() as session:
        await exporter.refresh(session)
        calls = await session.scalar(text("SELECT count(*) FROM metrics.call"))
    assert calls == 6  # a … f, each once
    assert snapshot() == first

    # New lines: c's talk ends (60 s) and f is answered after 8 s. c was already counted as
    # answered: only its handle time is new; f adds one offered, answered, within.
    append(
        path,
        [
            f"{BASE + 96}|c|sales|PJSIP/803|COMPLETECALLER|16|60|5",
            f"{BASE + 58}|f|sales|PJSIP/801|CONNECT|8|f9|1",
        ],
    )
    assert await QueueLogTailer(path, sessionmaker).poll_once() == 2
    async with sessionmaker() as session:
        await exporter.refresh(session)
    assert value("roomline_calls_offered_total", queue="sales") == 5
    assert value("roomline_calls_answered_total", queue="sales") == 4
    assert value("roomline_calls_answered_within_threshold_total", queue="sales") == 3
    assert value("roomline_call_handle_seconds_count", queue="sales") == 3
    assert value("roomline_call_handle_seconds_sum", queue="sales") == 380
    assert value("roomline_calls_waiting", queue="sales") is None
    after_new_lines = snapshot()

    # A restart (state forgotten, the whole table folded again) gives the same totals.
    exporter.EXPORTER.reset()
    async with sessionmaker() as session:
        await exporter.refresh(session)
    assert snapshot() == after_new_lines
    clock.set_now(None)
