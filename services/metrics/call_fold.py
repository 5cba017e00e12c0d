"""Queue log lines folded into calls (SL-1): who waited how long, who answered, how it ended.

Waits and talk times are the ones Asterisk logged (holdtime, waittime, calltime: seconds since
the caller ENTERED the queue, as Asterisk measures them); only where an older Asterisk left a
figure out does the fold use the difference of the lines' epochs. The caller's number is masked
as soon as it is read (only the last 4 digits are kept), so no full number leaves the fold.

``read_log`` is the hot path (a day of a busy call centre is hundreds of thousands of lines, most
of them RINGNOANSWER): it splits each line once and builds no record for call lines; a line it
cannot read goes through ``parse_line`` for the reason, so both read lines the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.metrics.queue_log import (
    AGENT_EVENTS,
    FIXED_FIELDS,
    KNOWN_EVENTS,
    MAX_EPOCH_DIGITS,
    QueueLogRecord,
    Rejected,
    parse_line,
)

ANSWERED = "answered"
ABANDONED = "abandoned"
TIMEOUT = "timeout"
EXIT_KEY = "exit_key"
EXIT_EMPTY = "exit_empty"
WAITING = "waiting"  # still in the queue when the log ends: no outcome yet
# Events ending an unanswered call; each logs the wait as its last parameter.
EXITS = {
    "ABANDON": ABANDONED,
    "EXITWITHTIMEOUT": TIMEOUT,
    "EXITWITHKEY": EXIT_KEY,
    "EXITEMPTY": EXIT_EMPTY,
}
# Events ending an answered call; each logs ...|holdtime|calltime|origposition at its end.
TALK_ENDS = frozenset(
    {"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "ATTENDEDTRANSFER", "BLINDTRANSFER"}
)
TRANSFERS = frozenset({"TRANSFER", "ATTENDEDTRANSFER", "BLINDTRANSFER"})


def mask_caller(caller_id: str) -> str:
    """Caller number for display: all but the last 4 characters starred ("*******5678").

    Names such as "anonymous" or "unknown" carry no number and stay as they are.
    """
    if not caller_id.isdigit():  # plain numbers, nearly every caller, skip the slower checks
        caller_id = caller_id.strip()
        if not any(ch.isdigit() for ch in caller_id):
            return caller_id
    if len(caller_id) <= 4:
        return caller_id
    return "*" * (len(caller_id) - 4) + caller_id[-4:]


@dataclass(slots=True)
class Call:
    """One stay of a caller in one queue. Moments are UTC epoch seconds (``*_at`` for datetimes).

    Filled in line by line by the fold and only read after it. ``entry_logged`` is False when the
    log began after the call entered: ``entered_epoch`` is then worked back from the wait.
    """

    call_id: str
    queue: str
    entered_epoch: int
    caller: str = ""
    outcome: str = WAITING
    wait_seconds: int | None = None
    answered_epoch: int | None = None
    agent: str = ""
    talk_seconds: int | None = None
    ended_epoch: int | None = None
    transferred: bool = False
    ring_no_answer: int = 0
    entry_logged: bool = True

    @property
    def entered_at(self) -> datetime:
        return datetime.fromtimestamp(self.entered_epoch, UTC)

    @property
    def answered_at(self) -> datetime | None:
        return _moment(self.answered_epoch)

    @property
    def ended_at(self) -> datetime | None:
        return _moment(self.ended_epoch)


def _moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _seconds(text: str, fallback: int) -> int:
    """A logged duration; the epochs' difference where the field is empty or garbled."""
    try:
        return int(text)
    except ValueError:
        return fallback


@dataclass(slots=True)
class LogContents:
    """A log folded: calls (by entry), agent session events, unreadable lines, last epoch."""

    calls: list[Call] = field(default_factory=list)
    agent_events: list[QueueLogRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    last_epoch: int | None = None


class CallFold:
    """Folds lines (in log order) into calls; ``finish`` hands over the result."""

    def __init__(self) -> None:
        self.open: dict[str, Call] = {}
        self.result = LogContents()

    def read_lines(self, lines: Iterable[str]) -> None:
        open_calls = self.open
        known = KNOWN_EVENTS
        feed = self.feed
        last = None
        for line in lines:
            parts = line.split("|")
            # parse_line's checks, inlined: this loop runs once per line of the day. The line's
            # newline stays on its last field, which int() ignores; a line whose event is last
            # (no parameters) fails the event check here and is read again stripped.
            if (
                len(parts) < FIXED_FIELDS
                or (event := parts[4]) not in known
                or len(epoch_text := parts[0]) > MAX_EPOCH_DIGITS
                or not epoch_text.isdecimal()
            ):
                stripped = self._read_again(line)
                if stripped is None:
                    continue
                parts, event, epoch_text = stripped, stripped[4], stripped[0]
            last = epoch_text
            if event == "RINGNOANSWER" and (call := open_calls.get(parts[1])) is not None:
                call.ring_no_answer += 1  # the commonest line: counted inline
            else:
                feed(parts, int(epoch_text))
        if last is not None:
            self.result.last_epoch = int(last)

    def _read_again(self, line: str) -> list[str] | None:
        """The fields of a line the fast check refused, or None once rejected with its reason."""
        parsed = parse_line(line)
        if isinstance(parsed, Rejected):
            if line.strip():  # a blank line (e.g. the file's last) is no event, nor an error
                self.result.rejected.append(parsed)
            return None
        return parsed.fields()

    def read_records(self, records: Iterable[QueueLogRecord]) -> None:
        for record in records:
            epoch = record.epoch_seconds
            self.feed(record.fields(), epoch)
            self.result.last_epoch = epoch

    def feed(self, parts: list[str], epoch: int) -> None:
        """One readable line, split; fields are (epoch, callid, queue, agent, event, data...)."""
        event = parts[4]
        if event == "ENTERQUEUE":
            self._enter(parts, epoch)
        elif event == "CONNECT":
            self._connect(parts, epoch)
        elif event in TALK_ENDS:
            self._hang_up(parts, epoch)
        elif event in EXITS:
            self._exit(parts, epoch, EXITS[event])
        elif event == "RINGNOANSWER":
            self._call(parts, epoch).ring_no_answer += 1
        elif event in AGENT_EVENTS:
            at = datetime.fromtimestamp(epoch, UTC)
            data = tuple(parts[FIXED_FIELDS:])
            record = QueueLogRecord(at, parts[1], parts[2], parts[3], event, data)
            self.result.agent_events.append(record)
        # Queue events, RINGCANCELED, AGENTDUMP, SYSCOMPAT, DID change no figure.

    def finish(self) -> LogContents:
        """Calls still open (waiting, or talking) join the rest; all sorted by entry."""
        self.result.calls.extend(self.open.values())
        self.open.clear()
        self.result.calls.sort(key=lambda call: call.entered_epoch)
        return self.result

    def _call(self, parts: list[str], epoch: int) -> Call:
        """The open call of this line; one the log began in the middle of is opened here."""
        call = self.open.get(parts[1])
        if call is None:
            call = self.open[parts[1]] = Call(parts[1], parts[2], epoch, entry_logged=False)
        return call

    def _close(self, call: Call, epoch: int) -> None:
        call.ended_epoch = epoch
        del self.open[call.call_id]
        self.result.calls.append(call)

    def _enter(self, parts: list[str], epoch: int) -> None:
        # ENTERQUEUE|url|callerid[|position]
        call_id = parts[1]
        stale = self.open.pop(call_id, None)
        if stale is not None:  # re-entered without a logged exit: keep the first as it was
            self.result.calls.append(stale)
        caller = mask_caller(parts[6]) if len(parts) > 6 else ""
        self.open[call_id] = Call(call_id, parts[2], epoch, caller)

    def _connect(self, parts: list[str], epoch: int) -> None:
        # CONNECT|holdtime|bridged channel uniqueid|ringtime
        call = self._call(parts, epoch)
        since_entry = epoch - call.entered_epoch
        wait = _seconds(parts[5], since_entry) if len(parts) > FIXED_FIELDS else since_entry
        self._answered(call, epoch, wait, parts[3])

    def _answered(self, call: Call, epoch: int, wait: int, agent: str) -> None:
        if not call.entry_logged:
            call.entered_epoch = epoch - wait
        call.outcome = ANSWERED
        call.answered_epoch = epoch
        call.wait_seconds = wait
        call.agent = agent

    def _hang_up(self, parts: list[str], epoch: int) -> None:
        # ...|holdtime|calltime|origposition: the same three last fields for every talk end.
        call = self._call(parts, epoch)
        data = parts[FIXED_FIELDS:]
        if call.answered_epoch is None:  # the log began during the talk
            talk = _seconds(data[-2], 0) if len(data) >= 3 else 0
            wait = _seconds(data[-3], 0) if len(data) >= 3 else 0
            self._answered(call, epoch - talk, wait, parts[3])
        answered = call.answered_epoch if call.answered_epoch is not None else epoch
        since_answer = epoch - answered
        call.talk_seconds = _seconds(data[-2], since_answer) if len(data) >= 3 else since_answer
        call.transferred = parts[4] in TRANSFERS
        self._close(call, epoch)

    def _exit(self, parts: list[str], epoch: int, outcome: str) -> None:
        # ABANDON / EXITWITHTIMEOUT / EXITEMPTY: position|origposition|waittime;
        # EXITWITHKEY: key|position|origposition|waittime (older Asterisk logs less).
        call = self._call(parts, epoch)
        since_entry = epoch - call.entered_epoch
        enough = len(parts) - FIXED_FIELDS >= (4 if outcome == EXIT_KEY else 3)
        call.wait_seconds = _seconds(parts[-1], since_entry) if enough else since_entry
        if not call.entry_logged:
            call.entered_epoch = epoch - call.wait_seconds
        call.outcome = outcome
        self._close(call, epoch)


def read_log(lines: Iterable[str]) -> LogContents:
    """Parse and fold a log's lines (in log order) in one pass."""
    fold = CallFold()
    fold.read_lines(lines)
    return fold.finish()


def fold_calls(records: Iterable[QueueLogRecord]) -> LogContents:
    """Fold records already parsed (e.g. kept in the database) the same way."""
    fold = CallFold()
    fold.read_records(records)
    return fold.finish()
