"""make run's demo queue_log: every line readable, calls answered and abandoned, written once."""

from __future__ import annotations

from services.metrics.call_fold import ABANDONED, ANSWERED, read_log
from shared.clock import clock
from tests.services.confirmation.factories import beijing
from workers.demo_calls import demo_queue_log


def test_demo_day_is_readable_and_not_rewritten(tmp_path) -> None:
    clock.set_now(beijing(2026, 11, 24, 14, 0))
    path = demo_queue_log(tmp_path)
    contents = read_log(path.read_text().splitlines(keepends=True))
    assert contents.rejected == []
    outcomes = {call.outcome for call in contents.calls}
    assert {ANSWERED, ABANDONED} <= outcomes and len(contents.calls) > 100
    assert all(call.entered_at.date() >= clock.today().replace(day=23) for call in contents.calls)
    before = path.stat().st_mtime_ns
    clock.set_now(beijing(2026, 11, 24, 15, 0))
    assert demo_queue_log(tmp_path) == path and path.stat().st_mtime_ns == before
