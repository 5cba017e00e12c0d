"""SL-1: call figures of a hand-written day of Asterisk's queue_log, every figure by hand.

The day is Wednesday 2026-06-10 in Beijing (Asia/Shanghai, UTC+8), queue ``booking``, two agents.
Times below are Beijing's; the log holds the UTC epochs of the same moments.

    07:00:00  Agent/1001 and Agent/1002 log in (AGENTLOGIN)
    C1 07:30:00 enters (13812345678), Agent/1001 answers at 07:30:03 (3 s), talk 120 s.
              07:30 Beijing is 23:30 UTC of the day before: it counts for Beijing's 10 June.
    C2 09:10:00 enters (13900001111), rings Agent/1002 10 s (RINGNOANSWER), Agent/1001 answers at
              09:10:15 (15 s), talk 180 s, the agent hangs up (COMPLETEAGENT).
    C3 09:20:00 enters (13700002222), rings Agent/1001 15 s (RINGNOANSWER), Agent/1002 answers at
              09:20:16 (16 s), talks 240 s and transfers it to 8001 (TRANSFER).
    C4 10:00:00 enters (13600003333), abandons at 5 s (ABANDON).
    C5 10:30:00 enters (13500004444), rings Agent/1001 then Agent/1002 (two RINGNOANSWER),
              abandons at 40 s.
    C6 11:00:00 enters (13400005555), times out at 60 s (EXITWITHTIMEOUT).
    C7 11:10:00 enters (13300006666), presses 5 at 20 s (EXITWITHKEY).
    12:00:00-12:30:00  Agent/1001 pauses (PAUSEALL / UNPAUSEALL).
    18:00:00  Agent/1001 logs off.
    C8 23:59:40 enters (13200007777), Agent/1002 answers at 23:59:52 (12 s), talk 300 s until
              00:04:52 on 11 June: it spans midnight and counts for 10 June, the day it entered.
    00:30:00 (11 June)  Agent/1002 logs off.

Threshold: 3 rings × (1 s on + 4 s off) = 15 s; "within" is wait <= 15 s.

Day 10 June, queue booking:
    offered   = C1..C8 = 8; answered = C1, C2, C3, C8 = 4; abandoned = C4, C5 = 2;
    timed_out = C6 = 1; exited = C7 = 1   (4 + 2 + 1 + 1 = 8)
    answered waits 3, 15, 16, 12 -> within 15 s: 3, 15, 12 = 3 (16 is not)
    service level of offered  = 3 / 8 = 0.375
    service level of answered = 3 / 4 = 0.75
    average speed of answer   = (3 + 15 + 16 + 12) / 4 = 46 / 4 = 11.5 s
    longest wait              = max(3, 15, 16, 5, 40, 60, 20, 12) = 60 s
    average handle (talk)     = (120 + 180 + 240 + 300) / 4 = 840 / 4 = 210 s
    transferred = 1 (C3); ring_no_answer = C2 1 + C3 1 + C5 2 = 4
    abandoned list: C4 10:00:00-10:00:05 "*******3333" 5 s; C5 10:30:00-10:30:40 "*******4444" 40 s
Day 10 June, Agent/1001 (answered C1, C2):
    answered 2, within 2 (3, 15), service levels 2/2 = 1.0, ASA (3 + 15) / 2 = 9 s,
    longest 15 s, handle (120 + 180) / 2 = 150 s, transferred 0,
    talk 120 + 180 = 300 s, available 07:00-18:00 = 39,600 s less the 1,800 s pause = 37,800 s,
    occupancy 300 / 37,800
Day 10 June, Agent/1002 (answered C3, C8):
    answered 2, within 1 (12; 16 is not), service levels 1/2 = 0.5, ASA (16 + 12) / 2 = 14 s,
    longest 16 s, handle (240 + 300) / 2 = 270 s, transferred 1,
    talk 240 + the 8 s of C8 before midnight (23:59:52-24:00) = 248 s,
    available 07:00-24:00 = 61,200 s, occupancy 248 / 61,200
Day 11 June, Agent/1002 only (no call entered that day):
    nothing offered; talk 292 s (00:00-00:04:52 of C8), available 00:00-00:30 = 1,800 s,
    occupancy 292 / 1,800
With a cadence of 2 s on and 4 s off the threshold is 3 × 6 = 18 s: the 16 s answer is within,
so 4 of 8 offered (0.5) and 4 of 4 answered (1.0).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.metrics.call_figures import (
    AbandonedCall,
    IntervalFigures,
    figures,
    figures_of_log,
    fold_calls,
    read_log,
    threshold_seconds,
)
from services.metrics.queue_log import parse_lines
from shared.errors import InvalidInput

BEIJING = ZoneInfo("Asia/Shanghai")

DAY_LOG = """\
1781046000|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001
1781046000|NONE|NONE|Agent/1002|AGENTLOGIN|SIP/1002
1781047800|1781047800.1|booking|NONE|ENTERQUEUE||13812345678|1
1781047803|1781047800.1|booking|Agent/1001|CONNECT|3|1781047803.2|2
1781047923|1781047800.1|booking|Agent/1001|COMPLETECALLER|3|120|1
1781053800|1781053800.3|booking|NONE|ENTERQUEUE||13900001111|1
1781053810|1781053800.3|booking|Agent/1002|RINGNOANSWER|10000
1781053815|1781053800.3|booking|Agent/1001|CONNECT|15|1781053815.4|5
1781053995|1781053800.3|booking|Agent/1001|COMPLETEAGENT|15|180|1
1781054400|1781054400.5|booking|NONE|ENTERQUEUE||13700002222|1
1781054415|1781054400.5|booking|Agent/1001|RINGNOANSWER|15000
1781054416|1781054400.5|booking|Agent/1002|CONNECT|16|1781054416.6|1
1781054656|1781054400.5|booking|Agent/1002|TRANSFER|8001|from-internal|16|240|1
1781056800|1781056800.7|booking|NONE|ENTERQUEUE||13600003333|1
1781056805|1781056800.7|booking|NONE|ABANDON|1|1|5
1781058600|1781058600.8|booking|NONE|ENTERQUEUE||13500004444|1
1781058615|1781058600.8|booking|Agent/1001|RINGNOANSWER|15000
1781058630|1781058600.8|booking|Agent/1002|RINGNOANSWER|15000
1781058640|1781058600.8|booking|NONE|ABANDON|1|1|40
1781060400|1781060400.9|booking|NONE|ENTERQUEUE||13400005555|1
1781060460|1781060400.9|booking|NONE|EXITWITHTIMEOUT|1|1|60
1781061000|1781061000.10|booking|NONE|ENTERQUEUE||13300006666|1
1781061020|1781061000.10|booking|NONE|EXITWITHKEY|5|1|1|20
1781064000|NONE|NONE|Agent/1001|PAUSEALL|lunch
1781065800|NONE|NONE|Agent/1001|UNPAUSEALL|
1781085600|NONE|NONE|Agent/1001|AGENTLOGOFF|SIP/1001|39600
1781107180|1781107180.11|booking|NONE|ENTERQUEUE||13200007777|1
1781107192|1781107180.11|booking|Agent/1002|CONNECT|12|1781107192.12|2
1781107492|1781107180.11|booking|Agent/1002|COMPLETECALLER|12|300|1
1781109000|NONE|NONE|Agent/1002|AGENTLOGOFF|SIP/1002|63000
"""


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def day_rows(threshold: float = 15.0, interval: str = "day") -> list[IntervalFigures]:
    rows, contents = figures_of_log(
        DAY_LOG.splitlines(keepends=True), threshold_seconds=threshold, interval=interval
    )
    assert contents.rejected == []
    return rows


def row(
    rows: list[IntervalFigures],
    *,
    queue: str | None = None,
    agent: str | None = None,
    day: str = "2026-06-10",
) -> IntervalFigures:
    matches = [
        r
        for r in rows
        if r.queue == queue and r.agent == agent and r.starts_at == beijing(f"{day} 00:00:00")
    ]
    assert len(matches) == 1, rows
    return matches[0]


def test_sl1_threshold_is_rings_times_the_cadence() -> None:
    assert threshold_seconds() == 15.0
    assert threshold_seconds(rings=3, ring_on=2.0, ring_off=4.0) == 18.0
    assert threshold_seconds(rings=4) == 20.0


def test_sl1_hand_computed_day_queue_figures() -> None:
    rows = day_rows()
    assert [(r.starts_at, r.queue, r.agent) for r in rows] == [
        (beijing("2026-06-10 00:00:00"), "booking", None),
        (beijing("2026-06-10 00:00:00"), None, "Agent/1001"),
        (beijing("2026-06-10 00:00:00"), None, "Agent/1002"),
        (beijing("2026-06-11 00:00:00"), None, "Agent/1002"),
    ]
    queue = row(rows, queue="booking")
    assert queue.ends_at == beijing("2026-06-11 00:00:00")
    assert (queue.offered, queue.answered, queue.abandoned, queue.timed_out, queue.exited) == (
        8,
        4,
        2,
        1,
        1,
    )
    assert queue.answered_within_threshold == 3
    assert queue.service_level_of_offered == 0.375
    assert queue.service_level_of_answered == 0.75
    assert queue.average_speed_of_answer == 11.5
    assert queue.longest_wait_seconds == 60
    assert queue.average_handle_seconds == 210.0
    assert (queue.transferred, queue.ring_no_answer) == (1, 4)
    assert queue.occupancy is None
    assert queue.abandoned_calls == (
        AbandonedCall(
            beijing("2026-06-10 10:00:00"), beijing("2026-06-10 10:00:05"), "*******3333", 5
        ),
        AbandonedCall(
            beijing("2026-06-10 10:30:00"), beijing("2026-06-10 10:30:40"), "*******4444", 40
        ),
    )


def test_sl1_hand_computed_day_agent_figures_and_occupancy() -> None:
    rows = day_rows()
    first = row(rows, agent="Agent/1001")
    assert (first.offered, first.answered, first.answered_within_threshold) == (2, 2, 2)
    assert (first.service_level_of_offered, first.service_level_of_answered) == (1.0, 1.0)
    assert (first.average_speed_of_answer, first.longest_wait_seconds) == (9.0, 15)
    assert (first.average_handle_seconds, first.transferred) == (150.0, 0)
    assert (first.talk_seconds, first.available_seconds) == (300, 37_800)
    assert first.occupancy == 300 / 37_800

    second = row(rows, agent="Agent/1002")
    assert (second.answered, second.answered_within_threshold) == (2, 1)
    assert (second.service_level_of_offered, second.service_level_of_answered) == (0.5, 0.5)
    assert (second.average_speed_of_answer, second.longest_wait_seconds) == (14.0, 16)
    assert (second.average_handle_seconds, second.transferred) == (270.0, 1)
    assert (second.talk_seconds, second.available_seconds) == (248, 61_200)
    assert second.occupancy == 248 / 61_200
    assert second.ring_no_answer == 0  # the rings of a call belong to its queue row

    after_midnight = row(rows, agent="Agent/1002", day="2026-06-11")
    assert (after_midnight.offered, after_midnight.answered) == (0, 0)
    assert after_midnight.service_level_of_offered is None
    assert after_midnight.average_speed_of_answer is None
    assert (after_midnight.talk_seconds, after_midnight.available_seconds) == (292, 1_800)
    assert after_midnight.occupancy == 292 / 1_800


def test_sl1_call_spanning_midnight_belongs_to_the_day_it_entered() -> None:
    calls = read_log(DAY_LOG.splitlines()).calls
    last = calls[-1]
    assert last.call_id == "1781107180.11"
    assert last.entered_at.astimezone(BEIJING) == beijing("2026-06-10 23:59:40")
    assert last.ended_at is not None
    assert last.ended_at.astimezone(BEIJING) == beijing("2026-06-11 00:04:52")
    assert (last.outcome, last.wait_seconds, last.talk_seconds) == ("answered", 12, 300)
    assert row(day_rows(), queue="booking").offered == 8  # C8 among the 10 June calls


def test_sl1_slower_cadence_makes_the_16_second_answer_within() -> None:
    queue = row(day_rows(threshold=threshold_seconds(ring_on=2.0, ring_off=4.0)), queue="booking")
    assert queue.answered_within_threshold == 4
    assert queue.service_level_of_offered == 0.5
    assert queue.service_level_of_answered == 1.0


def test_sl1_calls_fold_with_outcomes_rings_transfers_and_masked_callers() -> None:
    calls = read_log(DAY_LOG.splitlines(keepends=True)).calls
    assert [(c.outcome, c.wait_seconds, c.ring_no_answer) for c in calls] == [
        ("answered", 3, 0),
        ("answered", 15, 1),
        ("answered", 16, 1),
        ("abandoned", 5, 0),
        ("abandoned", 40, 2),
        ("timeout", 60, 0),
        ("exit_key", 20, 0),
        ("answered", 12, 0),
    ]
    assert [c.caller for c in calls][:2] == ["*******5678", "*******1111"]
    assert [c.transferred for c in calls] == [False, False, True] + [False] * 5
    third = calls[2]
    assert (third.agent, third.talk_seconds) == ("Agent/1002", 240)
    assert third.answered_at == beijing("2026-06-10 09:20:16")


def test_sl1_records_fold_like_lines() -> None:
    records, rejected = parse_lines(DAY_LOG.splitlines())
    assert rejected == []
    from_records = fold_calls(records)
    from_lines = read_log(DAY_LOG.splitlines())
    assert from_records.calls == from_lines.calls
    assert from_records.agent_events == from_lines.agent_events
    assert len(from_lines.agent_events) == 6


def test_sl1_quarter_hours_and_weeks_from_monday_and_months_in_beijing() -> None:
    quarters = [r for r in day_rows(interval="15min") if r.queue == "booking"]
    assert [(r.starts_at.strftime("%H:%M"), r.offered) for r in quarters] == [
        ("07:30", 1),
        ("09:00", 1),
        ("09:15", 1),
        ("10:00", 1),
        ("10:30", 1),
        ("11:00", 2),  # C6 at 11:00 and C7 at 11:10
        ("23:45", 1),
    ]
    assert quarters[0].ends_at == beijing("2026-06-10 07:45:00")
    week = day_rows(interval="week")
    assert {r.starts_at for r in week} == {beijing("2026-06-08 00:00:00")}  # a Monday
    assert week[0].ends_at == beijing("2026-06-15 00:00:00")
    second = next(r for r in week if r.agent == "Agent/1002")
    assert (second.talk_seconds, second.available_seconds) == (540, 63_000)
    month = day_rows(interval="month")
    assert (month[0].starts_at, month[0].ends_at) == (
        beijing("2026-06-01 00:00:00"),
        beijing("2026-07-01 00:00:00"),
    )
    assert month[0].offered == 8


def test_sl1_day_boundaries_follow_the_business_time_zone() -> None:
    contents = read_log(DAY_LOG.splitlines())
    utc_rows = figures(
        contents.calls,
        contents.agent_events,
        threshold_seconds=15.0,
        interval="day",
        tz=ZoneInfo("UTC"),
    )
    # In UTC, C1 (23:30 UTC on 9 June) falls on the 9th; Beijing put all 8 on the 10th.
    assert [(r.starts_at.day, r.offered) for r in utc_rows if r.queue] == [(9, 1), (10, 7)]


def test_sl1_unknown_interval_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        figures([], [], threshold_seconds=15.0, interval="fortnight")
    assert refused.value.field == "interval"
