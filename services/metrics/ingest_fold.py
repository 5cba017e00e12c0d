"""Queue log lines folded into calls and quarter-hour sums as they are ingested (SL-1, issue 19).

The same fold as ``call_fold.CallFold`` (the reference, kept for tests and staffing), made lean
for the tailer's hot path: a call is a list (see the indices below), lines are split once, and
nothing is built for the lines themselves (PostgreSQL splits them again when it stores them).

A batch is folded without the database: a line of a call that is not open in the batch (its
ENTERQUEUE came in an earlier batch, or before the log began) puts that call id aside with all
its later lines of the batch. The caller then loads those calls' open rows and ``resume``
replays the lines set aside, in order. The fold keeps no state across call ids, so replaying one
id's lines later changes nothing for the others.

``Sums`` turns the calls a batch touched into deltas of the per-quarter-hour rows (per queue
and per agent) and of the per-queue totals: each touched call's contribution after the batch
minus its contribution before it, so a call spanning batches is counted once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from services.metrics.call_fold import (
    ABANDONED,
    ANSWERED,
    EXIT_EMPTY,
    EXIT_KEY,
    EXITS,
    TALK_ENDS,
    TIMEOUT,
    TRANSFERS,
    WAITING,
    mask_caller,
)
from services.metrics.queue_log import (
    FIXED_FIELDS,
    KNOWN_EVENTS,
    MAX_EPOCH_DIGITS,
    Rejected,
    parse_line,
)

# A call: [call_no, call_id, queue, entered, caller, outcome, wait, answered, agent, talk,
# ended, transferred, ring_no_answer, entry_logged, is_open]; epochs in seconds.
NO, ID, QUEUE, ENTERED, CALLER, OUTCOME, WAIT, ANSWERED_AT, AGENT, TALK = range(10)
ENDED, TRANSFERRED, RINGS, LOGGED, OPEN = range(10, 15)
Call = list[Any]
QUARTER = 900  # the finest interval; every zone's offset is whole quarter hours
WAIT_CAP = 900  # waits counted per second up to here; longer ones share the last slot
HANDLE_BOUNDS = (30, 60, 120, 180, 240, 300, 420, 600, 900)  # exporter's handle buckets


SECONDS_LIMIT = 2**31  # the columns are 4-byte: a garbled larger figure counts as missing


def _seconds(text: str, fallback: int) -> int:
    try:
        value = int(text)
    except ValueError:
        return fallback
    return value if -SECONDS_LIMIT < value < SECONDS_LIMIT else fallback


def new_call(call_id: str, queue: str, epoch: int, caller: str, logged: bool) -> Call:
    return [None, call_id, queue, epoch, caller, WAITING, None, None, "", None, None, False, 0,
            logged, True]  # fmt: skip


class IngestFold:
    """One batch's fold; ``touched()`` gives every call it changed, open or closed."""

    def __init__(self) -> None:
        self.open: dict[str, Call] = {}
        self.closed: list[Call] = []
        self.deferred: dict[str, list[tuple[list[str], int]]] = {}
        self.before: dict[int, tuple[Any, ...]] = {}  # call_no -> the loaded row
        self.rejected: list[tuple[int, Rejected]] = []
        self.resuming = False  # replaying set-aside lines: an unknown id opens a call

    def read_lines(self, lines: Sequence[str]) -> None:
        """Check and fold lines (newline stripped or not); unreadable ones go to ``rejected``
        with their index."""
        known, open_calls, deferred, closed = KNOWN_EVENTS, self.open, self.deferred, self.closed
        feed = self.feed
        for index, line in enumerate(lines):
            parts = line.split("|")
            # parse_line's checks inlined (this loop runs once per line of the day).
            if (
                len(parts) < FIXED_FIELDS
                or (event := parts[4]) not in known
                or len(epoch_text := parts[0]) > MAX_EPOCH_DIGITS
                or not epoch_text.isdecimal()
            ):
                parsed = parse_line(line)
                if isinstance(parsed, Rejected):
                    if line.strip():
                        self.rejected.append((index, parsed))
                    continue
                parts = parsed.fields()
                event, epoch_text = parts[4], parts[0]
            # The three commonest events inlined; the others, and any call set aside, go
            # through ``feed``.
            if event == "RINGNOANSWER":
                call = open_calls.get(parts[1])
                if call is not None:
                    call[RINGS] += 1
                    continue
            elif event == "ENTERQUEUE":
                call_id = parts[1]
                if not (deferred and call_id in deferred):
                    stale = open_calls.pop(call_id, None)
                    if stale is not None:  # re-entered without a logged exit
                        stale[OPEN] = False
                        closed.append(stale)
                    caller = parts[6] if len(parts) > 6 else ""
                    if caller:
                        caller = (
                            "*" * (len(caller) - 4) + caller[-4:]
                            if caller.isdigit() and len(caller) > 4
                            else mask_caller(caller)
                        )
                    open_calls[call_id] = [None, call_id, parts[2], int(epoch_text), caller,
                                           WAITING, None, None, "", None, None, False, 0, True,
                                           True]  # fmt: skip
                    continue
            elif event == "CONNECT":
                call = open_calls.get(parts[1])
                if call is not None:
                    epoch = int(epoch_text)
                    since = epoch - call[ENTERED]
                    wait = _seconds(parts[5], since) if len(parts) > FIXED_FIELDS else since
                    _answered(call, epoch, wait, parts[3])
                    continue
            elif event not in _FOLDED:
                continue  # agent, queue and informational lines change no call
            if deferred and parts[1] in deferred:
                deferred[parts[1]].append((parts, int(epoch_text)))
            else:
                feed(parts, int(epoch_text), event)

    def read_parts(self, rows: Iterable[list[str]]) -> None:
        """Lines already split (webhook events): (epoch, callid, queue, agent, event, data…)."""
        for parts in rows:
            if parts[4] not in _FOLDED:
                continue
            if parts[1] in self.deferred:
                self.deferred[parts[1]].append((parts, int(parts[0])))
            else:
                self.feed(parts, int(parts[0]), parts[4])

    def resume(self, loaded: Iterable[Call]) -> None:
        """The deferred ids' open calls (as stored), then their lines replayed in order."""
        for call in loaded:
            self.before[call[NO]] = tuple(call)
            self.open[call[ID]] = call
        waiting, self.deferred = self.deferred, {}
        self.resuming = True
        for lines in waiting.values():
            for parts, epoch in lines:
                self.feed(parts, epoch, parts[4])
        self.resuming = False

    def touched(self) -> list[Call]:
        """Calls closed in the batch, then open ones that are new or changed."""
        changed = [
            call
            for call in self.open.values()
            if call[NO] is None or self.before.get(call[NO]) != tuple(call)
        ]
        return self.closed + changed

    def feed(self, parts: list[str], epoch: int, event: str) -> None:
        if event == "ENTERQUEUE":
            self._enter(parts, epoch)
            return
        call = self.open.get(parts[1])
        if call is None and self.resuming:
            # Opened here, as the reference fold does, when the log began mid-call.
            call = self.open[parts[1]] = new_call(parts[1], parts[2], epoch, "", False)
        elif call is None:
            # Not open in this batch: maybe open in the database. Set aside with the rest of
            # this id's lines until it is loaded.
            self.deferred[parts[1]] = [(parts, epoch)]
            return
        if event == "CONNECT":
            # CONNECT|holdtime|bridged channel uniqueid|ringtime
            since = epoch - call[ENTERED]
            wait = _seconds(parts[5], since) if len(parts) > FIXED_FIELDS else since
            _answered(call, epoch, wait, parts[3])
        elif event in TALK_ENDS:
            self._hang_up(call, parts, epoch)
        elif event == "RINGNOANSWER":
            call[RINGS] += 1
        else:
            self._exit(call, parts, epoch, EXITS[event])

    def _enter(self, parts: list[str], epoch: int) -> None:
        # ENTERQUEUE|url|callerid[|position]
        stale = self.open.pop(parts[1], None)
        if stale is not None:  # re-entered without a logged exit: keep the first as it was
            stale[OPEN] = False
            self.closed.append(stale)
        caller = mask_caller(parts[6]) if len(parts) > 6 else ""
        self.open[parts[1]] = new_call(parts[1], parts[2], epoch, caller, True)

    def _close(self, call: Call, epoch: int) -> None:
        call[ENDED] = epoch
        call[OPEN] = False
        del self.open[call[ID]]
        self.closed.append(call)

    def _hang_up(self, call: Call, parts: list[str], epoch: int) -> None:
        # ...|holdtime|calltime|origposition: the same three last fields for every talk end.
        full = len(parts) - FIXED_FIELDS >= 3
        if call[ANSWERED_AT] is None:  # the log began during the talk
            talk = _seconds(parts[-2], 0) if full else 0
            _answered(call, epoch - talk, _seconds(parts[-3], 0) if full else 0, parts[3])
        since = epoch - call[ANSWERED_AT]
        call[TALK] = _seconds(parts[-2], since) if full else since
        call[TRANSFERRED] = parts[4] in TRANSFERS
        self._close(call, epoch)

    def _exit(self, call: Call, parts: list[str], epoch: int, outcome: str) -> None:
        since = epoch - call[ENTERED]
        enough = len(parts) - FIXED_FIELDS >= (4 if outcome == EXIT_KEY else 3)
        wait = call[WAIT] = _seconds(parts[-1], since) if enough else since
        if not call[LOGGED]:
            call[ENTERED] = epoch - wait
        call[OUTCOME] = outcome
        self._close(call, epoch)


def _answered(call: Call, epoch: int, wait: int, agent: str) -> None:
    if not call[LOGGED]:
        call[ENTERED] = epoch - wait
    call[OUTCOME] = ANSWERED
    call[ANSWERED_AT] = epoch
    call[WAIT] = wait
    call[AGENT] = agent


_FOLDED = frozenset({"ENTERQUEUE", "CONNECT", "RINGNOANSWER", *TALK_ENDS, *EXITS})


# Sums: [offered, answered, abandoned, timed_out, exited, answer_wait, longest, handled,
# handle_seconds, transferred, ring_no_answer, talk_seconds, {wait: answered}].
SUM_FIELDS = (
    "offered", "answered", "abandoned", "timed_out", "exited", "answer_wait", "longest_wait",
    "handled", "handle_seconds", "transferred", "ring_no_answer", "talk_seconds",
)  # fmt: skip
_OUTCOME_SLOT = {ANSWERED: 1, ABANDONED: 2, TIMEOUT: 3, EXIT_KEY: 4, EXIT_EMPTY: 4}


def _new_row() -> list[Any]:
    return [0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, 0, {}]


class Sums:
    """Deltas of the quarter-hour rows (per queue, per agent) and of the per-queue totals:
    [offered, answered, abandoned, {wait: answered}, {wait: offered}, wait_sum,
    {handle slot: n}, handle_sum]."""

    def __init__(self) -> None:
        self.queues: dict[tuple[int, str], list[Any]] = {}
        self.agents: dict[tuple[int, str], list[Any]] = {}
        self.totals: dict[str, list[Any]] = {}

    def add(self, call: Call | tuple[Any, ...], sign: int) -> None:
        """One call's contribution (``sign`` -1 takes back what it counted before). Written
        out in one function: it runs once per call of the day."""
        outcome = call[OUTCOME]
        if outcome == WAITING:
            return
        entered, queue, wait, talk = call[ENTERED], call[QUEUE], call[WAIT] or 0, call[TALK]
        bucket = entered - entered % QUARTER
        capped = 0 if wait < 0 else (wait if wait < WAIT_CAP else WAIT_CAP)
        slot = _OUTCOME_SLOT.get(outcome)
        answered = outcome == ANSWERED
        rows: list[list[Any]] = []
        row = self.queues.get((bucket, queue))
        if row is None:
            row = self.queues[(bucket, queue)] = _new_row()
        row[10] += sign * call[RINGS]
        rows.append(row)
        if call[ANSWERED_AT] is not None:  # the agent's row too (rings were other agents')
            agent_row = self.agents.get((bucket, call[AGENT]))
            if agent_row is None:
                agent_row = self.agents[(bucket, call[AGENT])] = _new_row()
            if call[ENDED] is not None:
                agent_row[11] += sign * (call[ENDED] - call[ANSWERED_AT])
            rows.append(agent_row)
        for row in rows:
            row[0] += sign
            if slot is not None:
                row[slot] += sign
            if sign > 0 and (row[6] is None or wait > row[6]):
                row[6] = wait  # a maximum cannot be taken back; a call's wait is set once
            if answered:
                row[5] += sign * wait
                row[9] += sign * call[TRANSFERRED]
                waits = row[12]
                waits[capped] = waits.get(capped, 0) + sign
                if talk is not None:
                    row[7] += sign
                    row[8] += sign * talk
        total = self.totals.get(queue)
        if total is None:
            total = self.totals[queue] = [0, 0, 0, {}, {}, 0, {}, 0]
        total[0] += sign
        total[4][capped] = total[4].get(capped, 0) + sign
        total[5] += sign * wait
        if answered:
            total[1] += sign
            total[3][capped] = total[3].get(capped, 0) + sign
            if talk is not None:
                handle = bisect_left(HANDLE_BOUNDS, talk)
                total[6][handle] = total[6].get(handle, 0) + sign
                total[7] += sign * talk
        elif outcome == ABANDONED:
            total[2] += sign


def dense(counts: dict[int, int]) -> list[int]:
    """{index: n} as a list (the arrays the rows keep)."""
    if not counts:
        return []
    out = [0] * (max(counts) + 1)
    for index, n in counts.items():
        out[index] = n
    return out


def fold_sums(fold: IngestFold) -> tuple[list[Call], Sums]:
    """The calls to write and the deltas of the sums."""
    sums = Sums()
    touched = fold.touched()
    for call in touched:
        if call[NO] is not None and call[NO] in fold.before:
            sums.add(fold.before[call[NO]], -1)
        sums.add(call, 1)
    return touched, sums
