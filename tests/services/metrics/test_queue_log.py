"""SL-1: reading Asterisk's queue_log line by line; a bad line is set aside with its reason and
the rest of the day is still read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.metrics.call_figures import mask_caller, read_log
from services.metrics.queue_log import KNOWN_EVENTS, QueueLogRecord, Rejected, parse_line

GOOD = [
    "1781053800|1781053800.3|booking|NONE|ENTERQUEUE||13900001111|1\n",
    "1781053815|1781053800.3|booking|Agent/1001|CONNECT|15|1781053815.4|5\n",
    "1781053995|1781053800.3|booking|Agent/1001|COMPLETEAGENT|15|180|1\n",
]
BAD = {
    "1781053900|1781053800.3|booking": "missing fields: 3 of at least 5",
    "1781053900|1781053800.3|booking|NONE|": "missing event",
    "17810x3900|1781053800.3|booking|NONE|ENTERQUEUE||13900002222|1": "bad epoch '17810x3900'",
    "|1781053800.3|booking|NONE|ENTERQUEUE||13900002222|1": "bad epoch ''",
    "-1781053900|1781053800.3|booking|NONE|ENTERQUEUE||1|1": "bad epoch '-1781053900'",
    "99999999999999|c.1|booking|NONE|ENTERQUEUE||1|1": "bad epoch '99999999999999'",
    "1781053900|1781053800.3|booking|NONE|WHATEVER|1|2": "unknown event 'WHATEVER'",
}


def test_sl1_parse_line_reads_the_documented_fields() -> None:
    record = parse_line(GOOD[1])
    assert record == QueueLogRecord(
        epoch=datetime(2026, 6, 10, 1, 10, 15, tzinfo=UTC),
        call_id="1781053800.3",
        queue="booking",
        agent="Agent/1001",
        event="CONNECT",
        data=("15", "1781053815.4", "5"),
    )
    assert isinstance(record, QueueLogRecord)
    assert record.epoch.tzinfo is UTC and record.epoch_seconds == 1781053815


def test_sl1_event_without_parameters_is_read_with_or_without_its_newline() -> None:
    for line in (
        "1781046000|NONE|NONE|NONE|CONFIGRELOAD\n",
        "1781046000|NONE|NONE|NONE|QUEUESTART|",
    ):
        parsed = parse_line(line)
        assert isinstance(parsed, QueueLogRecord), parsed
    assert parse_line("1781046000|NONE|NONE|NONE|CONFIGRELOAD\r\n").event == "CONFIGRELOAD"  # type: ignore[union-attr]


@pytest.mark.parametrize(("line", "reason"), sorted(BAD.items()))
def test_sl1_malformed_line_is_rejected_with_its_reason(line: str, reason: str) -> None:
    assert parse_line(line) == Rejected(reason, line)


def test_sl1_malformed_lines_are_set_aside_and_the_rest_still_read() -> None:
    lines = [GOOD[0], *[line + "\n" for line in BAD], GOOD[1], "\n", GOOD[2]]
    contents = read_log(lines)
    assert [r.reason for r in contents.rejected] == list(BAD.values())
    assert len(contents.calls) == 1
    call = contents.calls[0]
    assert (call.outcome, call.wait_seconds, call.talk_seconds) == ("answered", 15, 180)
    assert contents.last_epoch == 1781053995


def test_sl1_known_events_cover_the_documented_queue_log() -> None:
    documented = {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
        "RINGNOANSWER",
        "TRANSFER",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "CONFIGRELOAD",
        "QUEUESTART",
        "ATTENDEDTRANSFER",
        "BLINDTRANSFER",
    }
    assert documented <= KNOWN_EVENTS
    assert isinstance(KNOWN_EVENTS, frozenset)


def test_sl1_caller_is_masked_to_the_last_four_digits() -> None:
    assert mask_caller("13812345678") == "*******5678"
    assert mask_caller("+8613812345678") == "**********5678"
    assert mask_caller("anonymous") == "anonymous"
    assert mask_caller("8001") == "8001"
    assert mask_caller("") == ""


def test_sl1_log_begun_mid_call_works_entry_back_from_the_wait() -> None:
    """The log starts after the caller entered: 20 s of wait were logged at the answer."""
    contents = read_log(
        [
            "1781053820|c.9|booking|Agent/1001|CONNECT|20|c.10|4",
            "1781053880|c.9|booking|Agent/1001|COMPLETECALLER|20|60|1",
        ]
    )
    (call,) = contents.calls
    assert (call.entered_epoch, call.entry_logged, call.caller) == (1781053800, False, "")
    assert (call.wait_seconds, call.talk_seconds, call.ended_epoch) == (20, 60, 1781053880)


def test_sl1_other_exits_transfers_and_a_call_still_waiting() -> None:
    contents = read_log(
        [
            "1781053800|a.1|booking|NONE|ENTERQUEUE||13800000001|1",
            "1781053830|a.1|booking|NONE|EXITEMPTY|1|1|30",
            "1781053900|b.1|booking|NONE|ENTERQUEUE||13800000002|1",
            "1781053904|b.1|booking|Agent/1002|CONNECT|4|b.2|3",
            "1781054004|b.1|booking|Agent/1002|BLINDTRANSFER|8001|from-internal|4|100|1",
            "1781054100|c.1|booking|NONE|ENTERQUEUE||13800000003|1",
            "1781054104|c.1|booking|Agent/1001|CONNECT|4|c.2|3",
            "1781054164|c.1|booking|Agent/1001|ATTENDEDTRANSFER|BRIDGE|x.9|4|60|1",
            "1781054200|d.1|booking|NONE|ENTERQUEUE||13800000004|1",
            "1781054205|d.1|booking|Agent/1001|RINGNOANSWER|5000",
        ]
    )
    outcomes = [(c.outcome, c.wait_seconds, c.talk_seconds, c.transferred) for c in contents.calls]
    assert outcomes == [
        ("exit_empty", 30, None, False),
        ("answered", 4, 100, True),
        ("answered", 4, 60, True),
        ("waiting", None, None, False),
    ]
    assert contents.calls[-1].ring_no_answer == 1
