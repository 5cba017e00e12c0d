"""Asterisk's queue_log, one line at a time (SL-1 is measured from it).

Each line is ``epoch|callid|queuename|agent|event|data1|data2|...`` as Asterisk documents it:
the UNIX time of the event, the caller channel's unique id (or ``NONE`` for queue and agent
events), the queue (or ``NONE``), the member (or ``NONE``), the event and its parameters. Older
Asterisk (1.4) writes fewer parameters for some events, so the data is kept as it came and each
consumer reads what it needs.

A line that cannot be read is a ``Rejected`` with a reason, never an exception: one bad line in a
day's log must not lose the day (the reader carries on with the next line).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# Events of the queue log as Asterisk documents them (docs.asterisk.org "Queue Logs"), plus
# RINGCANCELED (Asterisk 13+) and DID (written by FreePBX's dialplan), which real logs carry.
CALL_START_EVENTS = frozenset({"ENTERQUEUE"})
CALL_EVENTS = frozenset(
    {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETECALLER",
        "COMPLETEAGENT",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITWITHKEY",
        "EXITEMPTY",
        "RINGNOANSWER",
        "RINGCANCELED",
        "TRANSFER",
        "ATTENDEDTRANSFER",
        "BLINDTRANSFER",
        "AGENTDUMP",
        "SYSCOMPAT",
        "DID",
    }
)
AGENT_EVENTS = frozenset(
    {
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
    }
)
QUEUE_EVENTS = frozenset({"CONFIGRELOAD", "QUEUESTART"})
KNOWN_EVENTS = CALL_EVENTS | AGENT_EVENTS | QUEUE_EVENTS

# The fixed fields before the event's parameters.
FIXED_FIELDS = 5
MAX_EPOCH_DIGITS = 10


@dataclass(frozen=True, slots=True)
class QueueLogRecord:
    """One readable line. ``epoch`` is the event's moment as an aware UTC datetime."""

    epoch: datetime
    call_id: str
    queue: str
    agent: str
    event: str
    data: tuple[str, ...]

    @property
    def epoch_seconds(self) -> int:
        return int(self.epoch.timestamp())

    def fields(self) -> list[str]:
        """The line split again, as the call fold reads it."""
        return [
            str(self.epoch_seconds),
            self.call_id,
            self.queue,
            self.agent,
            self.event,
            *self.data,
        ]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A line that could not be read, and why."""

    reason: str
    line: str


def is_epoch(text: str) -> bool:
    """Whole seconds in at most 10 decimal digits (up to the year 2286; a longer number would not
    fit a datetime). ``isdecimal``, not ``isdigit``: ``int`` reads every decimal digit but not,
    say, a superscript."""
    return len(text) <= MAX_EPOCH_DIGITS and text.isdecimal()


def parse_line(line: str) -> QueueLogRecord | Rejected:
    """Read one line; never raises."""
    text = line.rstrip("\r\n")
    parts = text.split("|")
    if len(parts) < FIXED_FIELDS:
        return Rejected(f"missing fields: {len(parts)} of at least {FIXED_FIELDS}", text)
    epoch_text, call_id, queue, agent, event = parts[:FIXED_FIELDS]
    if not event:
        return Rejected("missing event", text)
    if not is_epoch(epoch_text):
        return Rejected(f"bad epoch {epoch_text!r}", text)
    if event not in KNOWN_EVENTS:
        return Rejected(f"unknown event {event!r}", text)
    moment = datetime.fromtimestamp(int(epoch_text), UTC)
    return QueueLogRecord(moment, call_id, queue, agent, event, tuple(parts[FIXED_FIELDS:]))


def parse_lines(lines: Iterable[str]) -> tuple[list[QueueLogRecord], list[Rejected]]:
    """Every line read; the rejected ones set aside with their reasons."""
    records: list[QueueLogRecord] = []
    rejected: list[Rejected] = []
    for line in lines:
        if not line.strip():
            continue  # a blank line (e.g. the file's last) is no event, nor an error
        parsed = parse_line(line)
        if isinstance(parsed, Rejected):
            rejected.append(parsed)
        else:
            records.append(parsed)
    return records, rejected
